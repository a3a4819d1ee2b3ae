package io.lmforge.core.config;

import java.util.List;
import java.util.Set;

/**
 * The Spark settings a pipeline config may carry (pipeline.spark.conf): sizing, parallelism, memory,
 * timeouts, local directories, the UI and event log. Settings that load code or change the JVM (extra
 * Java options and class paths, jars, packages, plugins, listeners, serializers, executor environment
 * beyond OMP_WAIT_POLICY) are refused: a config file travels (Airflow variables, shared repos) and must
 * not be a way to run code on the executors. Whoever needs them owns the spark-submit command line and
 * passes them with --conf there.
 */
final class SparkConfAllowList {
    private static final Set<String> KEYS = Set.of(
            "spark.master", "spark.app.name",
            "spark.driver.memory", "spark.driver.memoryOverhead", "spark.driver.cores", "spark.driver.maxResultSize",
            "spark.executor.memory", "spark.executor.memoryOverhead", "spark.executor.cores", "spark.executor.instances",
            "spark.executor.heartbeatInterval", "spark.executorEnv.OMP_WAIT_POLICY",
            "spark.cores.max", "spark.task.cpus", "spark.task.maxFailures", "spark.default.parallelism", "spark.locality.wait",
            "spark.local.dir", "spark.network.timeout", "spark.rpc.message.maxSize", "spark.io.compression.codec",
            "spark.ui.enabled", "spark.ui.port", "spark.ui.showConsoleProgress", "spark.eventLog.enabled", "spark.eventLog.dir",
            "spark.eventLog.compress", "spark.speculation", "spark.kryoserializer.buffer.max", "spark.broadcast.blockSize");
    private static final List<String> PREFIXES = List.of("spark.memory.", "spark.sql.shuffle.", "spark.sql.files.", "spark.sql.adaptive.",
            "spark.sql.parquet.", "spark.sql.sources.", "spark.shuffle.", "spark.dynamicAllocation.", "spark.speculation.",
            "spark.storage.", "spark.sql.autoBroadcastJoinThreshold");

    private SparkConfAllowList() {
    }

    static void check(String key) {
        if (KEYS.contains(key) || PREFIXES.stream().anyMatch(key::startsWith)) {
            return;
        }
        throw new ConfigError("pipeline.spark.conf: '" + key + "' is not on the allow-list of Spark settings a config may carry "
                + "(sizing, memory, parallelism, timeouts, directories, UI; README \"Configuration\"). Settings that load code or change "
                + "the JVM belong on the spark-submit command line: spark-submit --conf " + key + "=...");
    }
}
