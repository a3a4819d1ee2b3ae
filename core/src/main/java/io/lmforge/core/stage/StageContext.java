package io.lmforge.core.stage;

import io.lmforge.core.config.PipelineConfig;
import io.lmforge.core.dataset.DatasetLayout;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;

/** Everything a stage run needs: Spark, config, where datasets live, which chunk, and the console. */
public record StageContext(SparkSession spark, PipelineConfig config, DatasetLayout layout, String chunk,
                           boolean force, PrintStream console, StageRegistry registry) {

    public String requireChunk(String stage) {
        if (chunk == null || chunk.isBlank()) {
            throw new io.lmforge.core.config.ConfigError(stage + " needs --chunk ID (the arrival chunk to process, e.g. 0001)");
        }
        return chunk;
    }

    public StageContext withChunk(String newChunk) {
        return new StageContext(spark, config, layout, newChunk, force, console, registry);
    }

    public StageContext withConfig(PipelineConfig newConfig) {
        return new StageContext(spark, newConfig, layout, chunk, force, console, registry);
    }
}
