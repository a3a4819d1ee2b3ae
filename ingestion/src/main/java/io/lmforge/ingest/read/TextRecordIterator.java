package io.lmforge.ingest.read;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Plain text: documents are separated by one or more blank lines. */
final class TextRecordIterator extends LineRecordIterator {
    TextRecordIterator(InputFile file, InputStream in, ReadOptions opts) {
        super(file, in, opts);
    }

    @Override
    protected RawRecord computeNext() {
        if (finished) {
            return null;
        }
        ByteArrayOutputStream doc = new ByteArrayOutputStream();
        long start = -1;
        long fullLength = 0;
        while (true) {
            LineReader.Line line;
            try {
                line = lines.next();
            } catch (IOException e) {
                finished = true;
                byte[] partial = doc.toByteArray();
                return Truncation.record(file, start < 0 ? lines.position() : start, produced, e,
                        partial.length > 0 ? partial : lines.partial());
            }
            if (line == null || (LineReader.isBlank(line.bytes()) && !line.truncated())) {
                if (start >= 0) {
                    return toRecord(start, doc.toByteArray(), fullLength);
                }
                if (line == null) {
                    return null;
                }
                continue;
            }
            if (start < 0) {
                start = line.offset();
            } else {
                fullLength += 1;
                if (doc.size() < opts.maxRecordBytes()) {
                    doc.write('\n');
                }
            }
            fullLength += line.fullLength();
            int room = opts.maxRecordBytes() - doc.size();
            if (room > 0) {
                doc.write(line.bytes(), 0, Math.min(room, line.bytes().length));
            }
        }
    }

    private RawRecord toRecord(long start, byte[] bytes, long fullLength) {
        if (fullLength > bytes.length) {
            return RawRecord.error(file, start, "record_too_large", "document of " + fullLength
                    + " bytes exceeds ingest.input.max-record-bytes=" + opts.maxRecordBytes() + "; first " + bytes.length + " bytes kept", bytes);
        }
        String s = Utf8.decodeStrict(bytes);
        if (s == null) {
            return RawRecord.error(file, start, "invalid_utf8", "invalid UTF-8 at byte " + Utf8.firstInvalid(bytes) + " of the document", bytes);
        }
        return RawRecord.text(file, start, s);
    }
}
