package io.lmforge.core.spark;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import io.lmforge.core.config.PipelineConfig;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.util.Map;

/**
 * The SparkSession of a pipeline run. Under spark-submit the master and settings come from
 * spark-submit (they win); under bin/pipeline or tests the config's pipeline.spark.* apply.
 */
public final class SparkSessions {
    private SparkSessions() {
    }

    public static SparkSession getOrCreate(PipelineConfig config, String appName) {
        SparkSession active = SparkSession.getActiveSession().isDefined() ? SparkSession.getActiveSession().get()
                : SparkSession.getDefaultSession().isDefined() ? SparkSession.getDefaultSession().get() : null;
        if (active != null && !active.sparkContext().isStopped()) {
            return active;
        }
        SparkConf conf = new SparkConf(true); // picks up spark.* system properties set by spark-submit
        if (!conf.contains("spark.master")) {
            conf.setMaster(config.getString("pipeline.spark.master"));
        }
        if (!conf.contains("spark.sql.shuffle.partitions")) {
            conf.set("spark.sql.shuffle.partitions", String.valueOf(config.getInt("pipeline.spark.shuffle-partitions")));
        }
        if (conf.get("spark.master").startsWith("local")) {
            // Spark lists more than 32 directories (a chunk's lang=*/ partitions) in a Spark job, which pays on
            // a cluster's object store; in local mode it is the same process plus a job (1.2 s for 87 languages)
            conf.setIfMissing("spark.sql.sources.parallelPartitionDiscovery.threshold", "100000");
        }
        conf.setIfMissing("spark.ui.showConsoleProgress", "false"); // our own progress lines instead
        conf.setIfMissing("spark.sql.parquet.compression.codec", "zstd");
        // chunk=0002 and lang=no are names, not numbers or booleans: keep partition values as strings
        conf.setIfMissing("spark.sql.sources.partitionColumnTypeInference.enabled", "false");
        Config extra = config.getConfig("pipeline.spark.conf");
        for (Map.Entry<String, ConfigValue> e : extra.entrySet()) {
            String key = e.getKey().replace("\"", "");
            conf.setIfMissing(key, String.valueOf(e.getValue().unwrapped()));
        }
        // ND4J's OpenMP threads spin between ops by default, which on few cores slows training ~1.5x
        // (measured; see io.lmforge.training.spark.OpenMpWaitPolicy). Executors read it at start-up.
        conf.setIfMissing("spark.executorEnv.OMP_WAIT_POLICY", "PASSIVE");
        conf.setAppName(appName);
        return SparkSession.builder().config(conf).getOrCreate();
    }
}
