package io.lmforge.ingest.read;

import java.io.EOFException;
import java.io.IOException;

/** The record a reader emits when a file ends mid-stream (truncated .gz, cut WARC, I/O error). */
final class Truncation {
    private Truncation() {
    }

    static RawRecord record(InputFile file, long position, int recordsRead, IOException e, byte[] partial) {
        String what = e instanceof EOFException || String.valueOf(e.getMessage()).toLowerCase().contains("end of")
                ? "file ends unexpectedly" : "read error";
        return RawRecord.error(file, position, "truncated_file",
                what + " after " + recordsRead + " records, at byte " + position + " of the decompressed stream: "
                        + JsonlRecordIterator.oneLine(e.getClass().getSimpleName() + ": " + e.getMessage()),
                partial == null || partial.length == 0 ? null : partial);
    }
}
