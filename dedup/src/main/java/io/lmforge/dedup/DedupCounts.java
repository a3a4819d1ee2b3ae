package io.lmforge.dedup;

import io.lmforge.core.dataset.Datasets;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

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
     * One query counts all three (a query each was two Spark executions more per run).
     */
    static DedupCounts of(Dataset<Row> docsIn, Path stagedKept, Path stagedRemoved) {
        SparkSession spark = docsIn.sparkSession();
        Column noSize = lit(null).cast(DataTypes.IntegerType).as("size");
        Dataset<Row> outcomes = docsIn.select(col("lang"), lit(DOCS_IN).as("kind"), noSize);
        if (Datasets.hasDataFiles(spark, stagedRemoved)) {
            outcomes = outcomes.union(spark.read().parquet(stagedRemoved.toString()).select(col("lang"), col("kind"), noSize));
        }
        if (Datasets.hasDataFiles(spark, stagedKept)) { // none when nothing is kept: a partitioned write of no rows
            outcomes = outcomes.union(spark.read().parquet(stagedKept.toString())
                    .select(col("lang"), lit(KEPT).as("kind"), col("dup_cluster_size").as("size")));
        }
        DedupCounts c = new DedupCounts();
        for (Row r : outcomes.groupBy("lang", "kind").agg(functions.count(lit(1)),
                functions.sum(functions.when(col("size").gt(1), 1).otherwise(0)), functions.max("size")).collectAsList()) {
            c.add(r.getString(0), r.getString(1), r.getLong(2), r.getLong(3), r.isNullAt(4) ? 0 : r.getInt(4));
        }
        c.requireEveryDocumentAccountedFor();
        return c;
    }

    private static final String DOCS_IN = "docs_in";
    private static final String KEPT = "kept";

    /** One (language, outcome) group: documents in, kept (with its clusters), or removed as exact, fuzzy or line. */
    private void add(String language, String kind, long n, long clusters, int largestCluster) {
        Map<String, Long> l = lang(language);
        l.merge(kind, n, Long::sum);
        switch (kind) {
            case DOCS_IN -> docsIn += n;
            case KEPT -> {
                kept += n;
                l.put("clusters", clusters);
                l.put("largest_cluster", (long) largestCluster);
            }
            case "exact" -> exact += n;
            case "fuzzy" -> fuzzy += n;
            default -> line += n;
        }
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
