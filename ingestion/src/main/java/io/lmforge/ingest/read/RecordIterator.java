package io.lmforge.ingest.read;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Lazily reads records from one file so a task never holds a whole file in memory. Subclasses
 * return the next record, or null at the end; an I/O error mid-file is turned by the subclass
 * into a final error record (truncated_file), never into a task failure.
 */
abstract class RecordIterator implements Iterator<RawRecord>, Closeable {
    private RawRecord next;
    private boolean done;
    private long lastOffset = Long.MIN_VALUE;
    protected int produced;

    protected abstract RawRecord computeNext() throws IOException;

    @Override
    public final boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (done) {
            return false;
        }
        try {
            next = computeNext();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (next == null) {
            done = true;
            try {
                close();
            } catch (IOException ignored) {
                // nothing left to read
            }
            return false;
        }
        if (next.offset <= lastOffset) {
            // offsets name records (doc_id = hash of file and offset): a record reported where the previous one
            // started (a read error at the last record's start) must not take its id
            next = next.atOffset(lastOffset + 1);
        }
        lastOffset = next.offset;
        produced++;
        return true;
    }

    @Override
    public final RawRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        RawRecord r = next;
        next = null;
        return r;
    }
}
