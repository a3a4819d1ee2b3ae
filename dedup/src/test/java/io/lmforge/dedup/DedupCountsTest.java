package io.lmforge.dedup;

import io.lmforge.core.testing.SharedSpark;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A dedup run's counts come from the files it wrote, and a document missing from them for any language fails the run. */
class DedupCountsTest {
    private static final StructType IN = new StructType().add("doc_id", DataTypes.StringType).add("lang", DataTypes.StringType);
    private static final StructType KEPT = new StructType().add("doc_id", DataTypes.StringType).add("lang", DataTypes.StringType)
            .add("dup_cluster_size", DataTypes.IntegerType);
    private static final StructType REMOVED = new StructType().add("doc_id", DataTypes.StringType).add("lang", DataTypes.StringType)
            .add("kind", DataTypes.StringType);

    private static Dataset<Row> in(SparkSession spark) {
        return spark.createDataFrame(List.of(RowFactory.create("d1", "de"), RowFactory.create("d2", "de"), RowFactory.create("d3", "de"),
                RowFactory.create("d4", "ja"), RowFactory.create("d5", "ja"), RowFactory.create("d6", "th")), IN);
    }

    private static Path write(SparkSession spark, List<Row> kept, List<Row> removed) {
        Path dir = new Path(SharedSpark.tempDir("dedup-counts").toString());
        spark.createDataFrame(kept, KEPT).write().partitionBy("lang").parquet(new Path(dir, "docs").toString());
        spark.createDataFrame(removed, REMOVED).coalesce(1).write().parquet(new Path(dir, "duplicates").toString());
        return dir;
    }

    @Test
    void countsPerLanguageAndKindAreReadFromTheWrittenFiles() {
        SparkSession spark = SharedSpark.get();
        Path dir = write(spark, List.of(RowFactory.create("d1", "de", 3), RowFactory.create("d4", "ja", 1), RowFactory.create("d5", "ja", 1),
                RowFactory.create("d6", "th", 1)), List.of(RowFactory.create("d2", "de", "exact"), RowFactory.create("d3", "de", "fuzzy")));
        DedupCounts c = DedupCounts.of(in(spark), new Path(dir, "docs"), new Path(dir, "duplicates"));
        assertEquals(6, c.docsIn);
        assertEquals(4, c.kept);
        assertEquals(1, c.exact);
        assertEquals(1, c.fuzzy);
        assertEquals(0, c.line);
        assertEquals(Map.of("docs_in", 3L, "kept", 1L, "exact", 1L, "fuzzy", 1L, "clusters", 1L, "largest_cluster", 3L), c.byLang.get("de"));
        assertEquals(Map.of("docs_in", 2L, "kept", 2L, "clusters", 0L, "largest_cluster", 1L), c.byLang.get("ja"));
    }

    @Test
    void aLanguageWhoseDocumentsAreNotAllWrittenFailsTheRunAndIsNamed() {
        SparkSession spark = SharedSpark.get();
        // every total balances (6 in, 6 out) but one ja document was written as th
        Path dir = write(spark, List.of(RowFactory.create("d1", "de", 1), RowFactory.create("d4", "ja", 1), RowFactory.create("d5", "th", 1),
                RowFactory.create("d6", "th", 1)), List.of(RowFactory.create("d2", "de", "exact"), RowFactory.create("d3", "de", "line")));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DedupCounts.of(in(spark), new Path(dir, "docs"), new Path(dir, "duplicates")));
        assertTrue(e.getMessage().contains("lang ja: 2 docs in, but 1 written"), e.getMessage());
    }

    @Test
    void nothingKeptIsAValidResult() {
        SparkSession spark = SharedSpark.get();
        Path dir = write(spark, List.of(), List.of(RowFactory.create("d1", "de", "exact"), RowFactory.create("d2", "de", "exact"),
                RowFactory.create("d3", "de", "line"), RowFactory.create("d4", "ja", "fuzzy"), RowFactory.create("d5", "ja", "fuzzy"),
                RowFactory.create("d6", "th", "line")));
        assertTrue(new File(dir.toString(), "docs").isDirectory());
        DedupCounts c = DedupCounts.of(in(spark), new Path(dir, "docs"), new Path(dir, "duplicates"));
        assertEquals(0, c.kept);
        assertEquals(2, c.line);
    }
}
