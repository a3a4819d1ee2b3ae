package io.lmforge.ingest.read;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parquet input files that Spark stopped reading early: a file whose footer is intact but one of whose
 * data pages cannot be decoded. Spark reads Parquet with ignoreCorruptFiles, which ends such a file at
 * the bad page instead of failing the chunk; this compares what was read from each file with the row
 * count its footer declares and turns each shortfall into one {@code unreadable_file} record saying how
 * many rows were read and how many were lost, so the loss is counted and visible, never silent.
 */
public final class ParquetShortReads {
    private ParquetShortReads() {
    }

    /** One shortfall: the quarantine record and the rows the footer declared but nobody read. */
    public record ShortRead(InputFile file, RawRecord record, long lost) {
    }

    /**
     * @param readBySource rows the pipeline got from each input, keyed by the path part of its source URI
     */
    public static List<ShortRead> find(List<InputFile> files, Map<String, Long> readBySource, String textField, Configuration conf) {
        List<ShortRead> out = new ArrayList<>();
        for (InputFile f : files) {
            if (f.format() != InputFormat.PARQUET) {
                continue;
            }
            ParquetInputCheck.Result footer = ParquetInputCheck.inspect(f, textField, conf);
            if (footer.quarantined() != null) {
                continue; // already one unreadable_file / missing_text_field record
            }
            long read = readBySource.getOrDefault(new Path(f.path()).toUri().getPath(), 0L);
            if (read < footer.rows()) {
                long lost = footer.rows() - read;
                out.add(new ShortRead(f, RawRecord.error(f, read, "unreadable_file", String.format(Locale.ROOT,
                        "a data page could not be decoded: %,d of the %,d rows its footer declares were read, %,d lost (the rest of the file)",
                        read, footer.rows(), lost), null), lost));
            }
        }
        return out;
    }
}
