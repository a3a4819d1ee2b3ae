package io.lmforge.core.dataset;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Reading committed datasets the way every stage and notebook should: with chunk (and lang) columns, only if committed. */
public final class Datasets {
    private Datasets() {
    }

    /**
     * One committed chunk of a dataset, e.g. readChunk(spark, layout.docs("0001"), "0001"): the rows
     * carry `chunk` (and `lang` where the dataset is partitioned by it) as columns.
     *
     * @throws IllegalStateException when the chunk is missing or not committed
     */
    public static Dataset<Row> readChunk(SparkSession spark, Path dir, String chunk) {
        requireCommitted(spark, dir, dir.getParent().getName() + " chunk " + chunk);
        // chunk comes from the caller, not from partition inference, which would read "0002" as the integer 2
        return spark.read().parquet(dir.toString()).withColumn("chunk", org.apache.spark.sql.functions.lit(chunk));
    }

    /**
     * As {@link #readChunk(SparkSession, Path, String)}, where the chunk may be empty: a committed chunk with no
     * rows (every record rejected, every document a duplicate) has no Parquet file to infer a schema from when
     * it is partitioned by language, so its rows come back as an empty Dataset of {@code schema}.
     */
    public static Dataset<Row> readChunk(SparkSession spark, Path dir, String chunk, StructType schema) {
        requireCommitted(spark, dir, dir.getParent().getName() + " chunk " + chunk);
        if (!hasDataFiles(spark, dir)) {
            return spark.createDataFrame(java.util.List.of(), schema).withColumn("chunk", org.apache.spark.sql.functions.lit(chunk));
        }
        return readChunk(spark, dir, chunk);
    }

    /**
     * A chunk's rows whose schema has a `chunk` column, written under chunk=ID/ without it: the directory
     * name is the column, so pandas, pyarrow, DuckDB and Spark reading the dataset's root do not meet the
     * same column twice (pyarrow refuses to merge a string column with the directory's inferred integer).
     */
    public static void writeChunkRows(SparkSession spark, java.util.List<Row> rows, StructType schema, Path staged) {
        spark.createDataFrame(rows, schema).drop("chunk").coalesce(1).write().parquet(staged.toString());
    }

    /**
     * The rows {@link #writeChunkRows} wrote for {@code chunk}, as {@code schema} (chunk included, from the
     * caller: it is not in the files; datasets written before carry it and read the same).
     */
    public static Dataset<Row> readChunkRows(SparkSession spark, Path dir, String chunk, StructType schema) {
        return spark.read().schema(schema).parquet(dir.toString()).withColumn("chunk", org.apache.spark.sql.functions.lit(chunk));
    }

    /** Rows under a Parquet directory (a stage's staged output): 0 when it holds no Parquet file at all (an empty partitioned write). */
    public static long countRows(SparkSession spark, Path dir) {
        return hasDataFiles(spark, dir) ? spark.read().parquet(dir.toString()).count() : 0;
    }

    /** Whether any .parquet file lies under {@code dir} (recursively). */
    public static boolean hasDataFiles(SparkSession spark, Path dir) {
        try {
            FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(dir)) {
                return false;
            }
            org.apache.hadoop.fs.RemoteIterator<org.apache.hadoop.fs.LocatedFileStatus> it = fs.listFiles(dir, true);
            while (it.hasNext()) {
                Path p = it.next().getPath();
                if (p.getName().endsWith(".parquet") && !p.getName().startsWith(".") && !p.getName().startsWith("_")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As {@link #readChunk(SparkSession, Path, String)}, for the dataset named by its directory under the root (e.g. "dedup/docs"). */
    public static Dataset<Row> readChunk(SparkSession spark, DatasetLayout layout, String dataset, String chunk) {
        return readChunk(spark, layout.chunkDir(dataset, chunk), chunk);
    }

    public static Manifest requireCommitted(SparkSession spark, Path dir, String what) {
        try {
            FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
            Manifest m = Manifests.read(fs, dir);
            if (m == null) {
                throw notCommitted(dir, what);
            }
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static IllegalStateException notCommitted(Path dir, String what) {
        return new IllegalStateException(what + " is not committed (no committed " + Manifest.FILE_NAME + " in " + dir
                + "): run the stage that produces it first");
    }
}
