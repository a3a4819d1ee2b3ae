package io.lmforge.training.model;

import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Caps ND4J's native threads (its OpenMP loops and BLAS) at the cores Spark gives one task
 * (`spark.task.cpus`, default 1). ND4J otherwise sizes every op for all of the machine's cores, so
 * with one task per core (local[N], executor cores > 1) each op runs N threads on N busy cores:
 * measured on 2 cores, local[2], demo model, 7.3k tokens/s uncapped vs 14.6k capped at 1 thread.
 * `lmforge.nd4j.threads` (system property) overrides it, for a user who gives a task more cores
 * than Spark knows of.
 */
public final class NativeThreads {
    private static volatile int applied = -1;

    private NativeThreads() {
    }

    /** Applies the cap for the running Spark task's JVM (idempotent; cheap after the first call). */
    public static void capForSparkTask() {
        int threads = Integer.getInteger("lmforge.nd4j.threads", taskCpus());
        if (threads == applied) {
            return;
        }
        synchronized (NativeThreads.class) {
            if (threads != applied) {
                Nd4j.getEnvironment().setMaxThreads(threads);
                Nd4j.getEnvironment().setMaxMasterThreads(threads);
                Nd4j.factory().blas().setMaxThreads(threads);
                applied = threads;
            }
        }
    }

    private static int taskCpus() {
        TaskContext task = TaskContext.get();
        if (task != null) {
            return Math.max(1, task.cpus());
        }
        SparkEnv env = SparkEnv.get();
        return env == null ? Runtime.getRuntime().availableProcessors() : Math.max(1, env.conf().getInt("spark.task.cpus", 1));
    }
}
