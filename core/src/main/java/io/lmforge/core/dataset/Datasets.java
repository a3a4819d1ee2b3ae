package io.lmforge.core.dataset;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Reading committed datasets the way every stage and notebook should: with chunk (and lang) columns, only if committed. */
public final class Datasets {
    private Datasets() {
    }

    /**
     * One committed chunk of a dataset, e.g. read(spark, layout, "docs", "0001"): the rows carry
     * `chunk` (and `lang` where the dataset is partitioned by it) as columns.
     *
     * @throws IllegalStateException when the chunk has no manifest (missing or not committed)
     */
    public static Dataset<Row> readChunk(SparkSession spark, DatasetLayout layout, String dataset, String chunk) {
        Path dir = layout.chunkDir(dataset, chunk);
        requireCommitted(spark, dir, dataset + " chunk " + chunk);
        // chunk comes from the caller, not from partition inference, which would read "0002" as the integer 2
        return spark.read().parquet(dir.toString()).withColumn("chunk", org.apache.spark.sql.functions.lit(chunk));
    }

    public static Manifest requireCommitted(SparkSession spark, Path dir, String what) {
        try {
            FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
            Manifest m = StageCommit.readManifest(fs, dir);
            if (m == null) {
                throw new IllegalStateException(what + " is not committed (no " + Manifest.FILE_NAME + " in " + dir
                        + "): run the stage that produces it first");
            }
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Arrival number of a chunk: the "seq" the dedup stage records (chunks are deduplicated in
     * arrival order); Long.MAX_VALUE for a chunk not deduplicated yet.
     */
    public static long arrival(FileSystem fs, DatasetLayout layout, String chunk) throws IOException {
        Manifest m = StageCommit.readManifest(fs, layout.chunkDir("dedup/docs", chunk));
        return m == null ? Long.MAX_VALUE : m.count("seq");
    }
}
