package io.lmforge.ingest.read;

import java.io.IOException;
import java.io.InputStream;

/** Base of the readers that take records from '\n'-separated lines of a (decompressed) stream. */
abstract class LineRecordIterator extends RecordIterator {
    protected final InputFile file;
    protected final ReadOptions opts;
    protected final LineReader lines;
    private final InputStream in;
    /** Set after a read error: the truncated_file record was the last one. */
    protected boolean finished;

    LineRecordIterator(InputFile file, InputStream in, ReadOptions opts) {
        this.file = file;
        this.in = in;
        this.opts = opts;
        this.lines = new LineReader(in, opts.maxRecordBytes());
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
