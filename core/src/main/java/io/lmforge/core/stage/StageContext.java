package io.lmforge.core.stage;

import io.lmforge.core.config.PipelineConfig;
import io.lmforge.core.dataset.DatasetLayout;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;

/** Everything a stage run needs: Spark, config, where datasets live, which chunk, and the console; dryRun: say what would run, run nothing. */
public record StageContext(SparkSession spark, PipelineConfig config, DatasetLayout layout, String chunk,
                           boolean force, PrintStream console, StageRegistry registry, boolean dryRun) {

    public StageContext(SparkSession spark, PipelineConfig config, DatasetLayout layout, String chunk, boolean force, PrintStream console,
                        StageRegistry registry) {
        this(spark, config, layout, chunk, force, console, registry, false);
    }

    public String requireChunk(String stage) {
        if (chunk == null || chunk.isBlank()) {
            throw new io.lmforge.core.config.ConfigError(stage + " needs --chunk ID (the arrival chunk to process, e.g. 0001)");
        }
        return chunk;
    }

    /** The root's file system (Spark's Hadoop settings when a session runs; commands without Spark read the defaults). */
    public org.apache.hadoop.fs.FileSystem fs() {
        return layout.fs(spark == null ? new org.apache.hadoop.conf.Configuration() : spark.sparkContext().hadoopConfiguration());
    }

    public StageContext withChunk(String newChunk) {
        return new StageContext(spark, config, layout, newChunk, force, console, registry, dryRun);
    }

    public StageContext withConfig(PipelineConfig newConfig) {
        return new StageContext(spark, newConfig, layout, chunk, force, console, registry, dryRun);
    }
}
