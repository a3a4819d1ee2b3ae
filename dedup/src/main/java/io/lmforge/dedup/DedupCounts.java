package io.lmforge.dedup;

import io.lmforge.core.dataset.Datasets;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/** Counts of a dedup run: docs in = kept + exact + fuzzy + line, overall and per language. */
final class DedupCounts {
    long docsIn;
    long kept;
    long exact;
    long fuzzy;
    long line;
    final Map<String, Map<String, Long>> byLang = new TreeMap<>();

    /**
     * Counts of a run from what it wrote: kept documents and removed ones as read back from the staged
     * output, documents in from the chunk's (cached) rows. Nothing is counted twice in memory and on disk;
     * the check that every document in is either kept or removed is made per language, on the files.
     */
    static DedupCounts of(Dataset<Row> docsIn, Path stagedKept, Path stagedRemoved) {
        DedupCounts c = new DedupCounts();
        for (Row r : docsIn.groupBy("lang").count().collectAsList()) {
            c.lang(r.getString(0)).put("docs_in", r.getLong(1));
            c.docsIn += r.getLong(1);
        }
        SparkSession spark = docsIn.sparkSession();
        if (Datasets.hasDataFiles(spark, stagedRemoved)) {
            for (Row r : spark.read().parquet(stagedRemoved.toString()).groupBy("lang", "kind").count().collectAsList()) {
                c.lang(r.getString(0)).merge(r.getString(1), r.getLong(2), Long::sum);
                switch (r.getString(1)) {
                    case "exact" -> c.exact += r.getLong(2);
                    case "fuzzy" -> c.fuzzy += r.getLong(2);
                    default -> c.line += r.getLong(2);
                }
            }
        }
        if (Datasets.hasDataFiles(spark, stagedKept)) { // none when nothing is kept: a partitioned write of no rows
            for (Row r : spark.read().parquet(stagedKept.toString()).groupBy("lang").agg(functions.count(lit(1)),
                    functions.sum(functions.when(col("dup_cluster_size").gt(1), 1).otherwise(0)), functions.max("dup_cluster_size")).collectAsList()) {
                Map<String, Long> l = c.lang(r.getString(0));
                l.put("kept", r.getLong(1));
                l.put("clusters", r.getLong(2));
                l.put("largest_cluster", (long) r.getInt(3));
                c.kept += r.getLong(1);
            }
        }
        c.requireEveryDocumentAccountedFor();
        return c;
    }

    /** docs in = kept + exact + fuzzy + line, for every language: a document is never lost nor written twice. */
    void requireEveryDocumentAccountedFor() {
        for (Map.Entry<String, Map<String, Long>> e : byLang.entrySet()) {
            Map<String, Long> v = e.getValue();
            long in = v.getOrDefault("docs_in", 0L);
            long out = v.getOrDefault("kept", 0L) + v.getOrDefault("exact", 0L) + v.getOrDefault("fuzzy", 0L) + v.getOrDefault("line", 0L);
            if (in != out) {
                throw new IllegalStateException(String.format(Locale.ROOT, "dedup count invariant violated for lang %s: %d docs in, "
                        + "but %d written (kept %d, exact %d, fuzzy %d, line %d); in total %d in, %d kept, %d removed", e.getKey(), in, out,
                        v.getOrDefault("kept", 0L), v.getOrDefault("exact", 0L), v.getOrDefault("fuzzy", 0L), v.getOrDefault("line", 0L),
                        docsIn, kept, exact + fuzzy + line));
            }
        }
    }

    private Map<String, Long> lang(String lang) {
        return byLang.computeIfAbsent(lang == null ? "und" : lang, k -> new TreeMap<>());
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("docs_in", docsIn);
        m.put("kept", kept);
        m.put("removed", Map.of("exact", exact, "fuzzy", fuzzy, "line", line));
        m.put("by_lang", byLang);
        return m;
    }

    void print(PrintStream out, String chunk, double seconds) {
        out.println();
        out.printf(Locale.ROOT, "dedup %s summary: %,d docs in, %,d kept, %,d exact, %,d fuzzy, %,d line-dedup drops in %.1f s%n",
                chunk, docsIn, kept, exact, fuzzy, line, seconds);
        out.printf(Locale.ROOT, "%-8s %8s %7s %7s %6s %9s %8s%n", "lang", "docs_in", "exact", "fuzzy", "line", "clusters", "largest");
        for (Map.Entry<String, Map<String, Long>> e : byLang.entrySet()) {
            Map<String, Long> v = e.getValue();
            out.printf(Locale.ROOT, "%-8s %8d %7d %7d %6d %9d %8d%n", e.getKey(), v.getOrDefault("docs_in", 0L), v.getOrDefault("exact", 0L),
                    v.getOrDefault("fuzzy", 0L), v.getOrDefault("line", 0L), v.getOrDefault("clusters", 0L), v.getOrDefault("largest_cluster", 0L));
        }
    }
}
