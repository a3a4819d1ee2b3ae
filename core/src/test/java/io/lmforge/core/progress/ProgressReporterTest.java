package io.lmforge.core.progress;

import io.lmforge.core.testing.SharedSpark;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressReporterTest {
    @Test
    void etaIsTheRemainingTasksAtTheRateOfTheDoneOnes() {
        assertEquals(", ETA 00:00:30", ProgressReporter.eta(10_000, 25, 100), "25 tasks in 10 s: 75 more take 30 s");
        assertEquals(", ETA 01:00:00", ProgressReporter.eta(60_000, 1, 61));
        assertEquals("", ProgressReporter.eta(10_000, 0, 100), "no rate before the first task ends");
        assertEquals("", ProgressReporter.eta(10_000, 100, 100), "nothing left");
    }

    @Test
    void aRunningJobShowsItsTasksFromSparksStatusTrackerBeforeItEnds() throws Exception {
        var spark = SharedSpark.get();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (ProgressReporter ignored = ProgressReporter.start(console, "test", 1, spark.sparkContext(), () -> "phase x")) {
            // 8 tasks of ~0.8 s on local[2]: about 3 s, so lines are printed while tasks are still running
            spark.range(0, 8, 1, 8).toJavaRDD().map(i -> {
                Thread.sleep(800);
                return i;
            }).collect();
        }
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        // No bound on when the first task line comes: a slow CI box took 11 s to plan and launch the job.
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\[test] \\d\\d:\\d\\d:\\d\\d \\| phase x \\| tasks [0-7]/8.*")),
                "a line while tasks are still running: " + lines);
        assertTrue(lines.stream().anyMatch(l -> l.matches(".*\\| tasks [1-7]/8, ETA \\d\\d:\\d\\d:\\d\\d")),
                "an ETA once some tasks are done: " + lines);
    }
}
