package io.lmforge.ingest.read;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the task attempts that ran again (retries, speculation, resubmitted stages, executors lost) while it is
 * registered: the readers' record accumulator may count a record twice only then, so without reruns
 * the readers' count must equal what the pipeline saw, exactly.
 */
public final class TaskReruns extends SparkListener implements AutoCloseable {
    private final SparkContext sc;
    private final AtomicInteger reruns = new AtomicInteger();

    private TaskReruns(SparkContext sc) {
        this.sc = sc;
    }

    public static TaskReruns watch(SparkContext sc) {
        TaskReruns t = new TaskReruns(sc);
        sc.addSparkListener(t);
        return t;
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskInfo() != null && (end.taskInfo().attemptNumber() > 0 || end.taskInfo().speculative())) {
            reruns.incrementAndGet();
        }
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
        if (submitted.stageInfo().attemptNumber() > 0) {
            reruns.incrementAndGet();
        }
    }

    /** An executor lost with cached partitions: later jobs recompute them in first attempts, which read the records again. */
    @Override
    public void onExecutorRemoved(org.apache.spark.scheduler.SparkListenerExecutorRemoved removed) {
        reruns.incrementAndGet();
    }

    public int count() {
        return reruns.get();
    }

    @Override
    public void close() {
        sc.removeSparkListener(this);
    }
}
