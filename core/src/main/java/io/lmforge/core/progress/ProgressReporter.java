package io.lmforge.core.progress;

import org.apache.spark.SparkContext;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Prints a progress line every few seconds while a long Spark job runs: elapsed time, the phase and
 * the caller's counters (records, bytes, rates), and the tasks done in the running Spark jobs with an ETA.
 * Runs on a daemon thread of the driver; {@link #close()} stops it.
 */
public final class ProgressReporter implements AutoCloseable {
    private final Thread thread;
    private volatile boolean running = true;

    private ProgressReporter(PrintStream out, String label, int intervalSeconds, SparkContext sc, Supplier<String> counters) {
        long start = System.nanoTime();
        this.thread = new Thread(() -> {
            while (running) {
                try {
                    Thread.sleep(intervalSeconds * 1000L);
                } catch (InterruptedException e) {
                    return;
                }
                if (!running) {
                    return;
                }
                double elapsed = (System.nanoTime() - start) / 1e9;
                out.println(String.format(Locale.ROOT, "[%s] %s | %s%s", label, clock(elapsed), counters.get(), tasks(sc)));
                out.flush();
            }
        }, "lmforge-progress-" + label);
        thread.setDaemon(true);
    }

    /** Starts reporting; an interval of 0 or less gives a reporter that prints nothing. */
    public static ProgressReporter start(PrintStream out, String label, int intervalSeconds, SparkContext sc,
                                         Supplier<String> counters) {
        ProgressReporter r = new ProgressReporter(out, label, Math.max(1, intervalSeconds), sc, counters);
        if (intervalSeconds > 0) {
            r.thread.start();
        }
        return r;
    }

    static String clock(double seconds) {
        long s = (long) seconds;
        return String.format(Locale.ROOT, "%02d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }

    /**
     * The running Spark jobs' tasks, read from Spark's status tracker (not from accumulators, which move
     * only when tasks end): done/total over the stages submitted so far, and an ETA that assumes their
     * remaining tasks take as long as the done ones did.
     */
    static String tasks(SparkContext sc) {
        if (sc == null) {
            return "";
        }
        long done = 0;
        long total = 0;
        long firstSubmitted = Long.MAX_VALUE;
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
        for (int job : jsc.statusTracker().getActiveJobIds()) {
            SparkJobInfo info = jsc.statusTracker().getJobInfo(job);
            for (int id : info == null ? new int[0] : info.stageIds()) {
                SparkStageInfo st = jsc.statusTracker().getStageInfo(id);
                if (st != null && st.submissionTime() > 0) { // skipped (cached) and pending stages are not counted
                    done += st.numCompletedTasks();
                    total += st.numTasks();
                    firstSubmitted = Math.min(firstSubmitted, st.submissionTime());
                }
            }
        }
        return total == 0 ? "" : String.format(Locale.ROOT, " | tasks %d/%d%s", done, total,
                eta(System.currentTimeMillis() - firstSubmitted, done, total));
    }

    /** ", ETA hh:mm:ss" from the time the done tasks took, or "" before the first one is done. */
    static String eta(long elapsedMillis, long done, long total) {
        if (done <= 0 || elapsedMillis <= 0 || done >= total) {
            return "";
        }
        return ", ETA " + clock(elapsedMillis / 1000.0 * (total - done) / done);
    }

    /** "12.3 MB" style sizes for progress lines and summaries. */
    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
