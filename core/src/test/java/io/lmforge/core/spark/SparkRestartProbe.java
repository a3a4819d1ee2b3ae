package io.lmforge.core.spark;

import io.lmforge.core.config.PipelineConfig;
import org.apache.spark.sql.SparkSession;

import java.util.List;

/**
 * Run in a JVM of its own by {@link SparkSessionsRestartTest} (it stops and starts Spark, which the
 * test JVM's shared session must not see): as the pipeline daemon, starts Spark with local[1], then
 * asks for local[2] from a thread whose interrupt status is set (a run whose client went away), and
 * prints what a later command would find.
 */
public final class SparkRestartProbe {
    private SparkRestartProbe() {
    }

    public static void main(String[] args) {
        SparkSessions.replaceWhenSettingsChange(true);
        SparkSessions.getOrCreate(config("local[1]"), "probe-1").range(3).count();
        String outcome;
        Thread.currentThread().interrupt();
        try {
            SparkSession s = SparkSessions.getOrCreate(config("local[2]"), "probe-2");
            outcome = "replaced master=" + s.sparkContext().master();
        } catch (Exception e) { // InterruptedException, thrown through Scala
            outcome = "replace failed " + e;
        }
        boolean kept = Thread.interrupted(); // the caller's interrupt is kept for its stage to act on
        SparkSession next = SparkSessions.getOrCreate(config("local[2]"), "probe-3");
        String later;
        try {
            later = "count=" + next.range(5).count();
        } catch (Exception e) { // InterruptedException, thrown through Scala
            later = "later command failed " + e;
        }
        System.out.println("PROBE " + outcome + " | interrupt kept=" + kept + " | active stopped=" + next.sparkContext().isStopped()
                + " | " + later);
        next.stop();
    }

    private static PipelineConfig config(String master) {
        return PipelineConfig.load(null, List.of("pipeline.spark.master=\"" + master + "\"", "pipeline.spark.shuffle-partitions=2",
                "pipeline.spark.conf.\"spark.ui.enabled\"=false"));
    }
}
