package io.lmforge.ingest.read;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.Iterator;

/** Opens the record iterator for one file; a file that cannot be opened yields one unreadable_file record. */
public final class RecordReaders {
    private RecordReaders() {
    }

    public static Iterator<RawRecord> open(InputFile file, ReadOptions opts, Configuration conf) {
        InputStream raw = null;
        try {
            Path p = new Path(file.path());
            FileSystem fs = p.getFileSystem(conf);
            raw = fs.open(p);
            if (file.size() == 0) {
                raw.close();
                return Collections.emptyIterator(); // an empty file holds no records; reported in the manifest's inputs
            }
            return switch (file.format()) {
                case JSONL -> new JsonlRecordIterator(file, Compression.open(file.path(), raw), opts);
                case TEXT -> new TextRecordIterator(file, Compression.open(file.path(), raw), opts);
                case WET -> new WarcRecordIterator(file, Compression.openForWarc(file.path(), raw), opts, true);
                case WARC -> new WarcRecordIterator(file, Compression.openForWarc(file.path(), raw), opts, false);
                case PARQUET -> throw new IllegalArgumentException("parquet files are read by Spark's Parquet source");
            };
        } catch (IOException e) {
            if (raw != null) {
                try {
                    raw.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
            return Collections.singletonList(RawRecord.error(file, 0, "unreadable_file",
                    "cannot read as " + file.format().name().toLowerCase() + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), null)).iterator();
        }
    }
}
