package io.lmforge.e2e;

import io.lmforge.core.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `bin/pipeline daemon start|status|stop` and commands served by it, as a user runs them: the same
 * outputs as a run in its own JVM; a run with other Spark settings gets a new Spark application; a run
 * from another directory runs in its own JVM; a client killed mid-run leaves the daemon serving.
 */
class DaemonEndToEndTest {
    private static final String SERVED = "running in the pipeline daemon";

    @Test
    void servesCommandsWithTheSameOutputsAndStaysUsableAfterAKilledClient() throws Exception {
        Path work = SharedSpark.tempDir("daemon");
        Map<String, String> env = Map.of("LMFORGE_DAEMON_DIR", work.resolve("daemon").toString(), "LMFORGE_DAEMON", "auto");
        File repo = SharedSpark.repoRoot();
        // one small file (168 documents): six ingests run, and what is checked is who serves them, not the work
        String input = repo.toPath().resolve("data/sample/chunk-0001/oldi-seed.jsonl.gz").toString();
        Path shared = Files.createDirectories(work.resolve("shared"));
        Files.setPosixFilePermissions(shared, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        LauncherTest.Proc refused = launch(with(env, "LMFORGE_DAEMON_DIR", shared.toString()), repo, "daemon", "start");
        assertEquals(2, refused.status(), refused.output());
        assertEquals("rwxr-xr-x", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(shared)),
                "a directory others can read is refused, not changed");
        try {
            LauncherTest.Proc started = launch(env, repo, "daemon", "start");
            assertEquals(0, started.status(), started.output());
            assertTrue(started.output().contains("pipeline daemon started"), started.output());
            assertTrue(launch(env, repo, "daemon", "status").output().contains("0 runs served"));

            LauncherTest.Proc served = launch(env, repo, ingest(work.resolve("warm"), input));
            assertEquals(0, served.status(), served.output());
            assertTrue(served.output().contains(SERVED) && served.output().contains("ingest 0001: committed"), served.output());
            LauncherTest.Proc cold = launch(with(env, "LMFORGE_DAEMON", "off"), repo, ingest(work.resolve("cold"), input));
            assertEquals(0, cold.status(), cold.output());
            assertFalse(cold.output().contains(SERVED), cold.output());
            assertEquals(docs(work.resolve("cold")), docs(work.resolve("warm")), "a served run writes what a run in its own JVM writes");

            List<String> twoCores = new ArrayList<>(List.of(ingest(work.resolve("two-cores"), input)));
            twoCores.addAll(List.of("--set", "pipeline.spark.master=local[2]"));
            LauncherTest.Proc other = launch(env, repo, twoCores.toArray(String[]::new));
            assertEquals(0, other.status(), other.output());
            assertTrue(other.output().contains(SERVED) && other.output().contains("spark local[2]")
                    && other.output().contains("spark.master local[1] -> local[2]"), other.output());

            LauncherTest.Proc elsewhere = launch(env, work.toFile(), ingest(work.resolve("elsewhere"), input));
            assertEquals(0, elsewhere.status(), elsewhere.output());
            assertTrue(!elsewhere.output().contains(SERVED) && elsewhere.output().contains("its working directory is"), elsewhere.output());

            killClientMidRun(env, repo, ingest(work.resolve("killed"), input));
            String log = Files.readString(work.resolve("daemon/daemon.log"));
            assertTrue(log.contains("the client went away; cancelling its Spark jobs"), log);
            LauncherTest.Proc again = launch(env, repo, ingest(work.resolve("killed"), input));
            assertEquals(0, again.status(), again.output());
            assertTrue(again.output().contains(SERVED) && again.output().contains("ingest 0001: committed"), again.output());
            assertEquals(docs(work.resolve("cold")), docs(work.resolve("killed")));
        } finally {
            LauncherTest.Proc stopped = launch(env, repo, "daemon", "stop");
            assertEquals(0, stopped.status(), stopped.output());
        }
        assertFalse(Files.exists(work.resolve("daemon/pipeline.sock")), "the socket goes with the daemon");
        assertEquals(3, launch(env, repo, "daemon", "status").status(), "status: none running");
    }

    private static String[] ingest(Path root, String input) {
        return new String[]{"ingest", "--chunk", "0001", "--root", root.toString(), "--set", "ingest.input.paths=[\"" + input + "\"]",
                "--set", "pipeline.spark.master=local[1]"};
    }

    private static Map<String, String> with(Map<String, String> env, String k, String v) {
        Map<String, String> m = new HashMap<>(env);
        m.put(k, v);
        return m;
    }

    private static List<String> docs(Path root) {
        Dataset<Row> d = SharedSpark.get().read().parquet(root.resolve("docs/chunk=0001").toString());
        List<String> rows = new ArrayList<>();
        for (Row r : d.select("doc_id", "lang", "text").collectAsList()) {
            rows.add(r.mkString("\u0001"));
        }
        rows.sort(null);
        assertFalse(rows.isEmpty());
        return rows;
    }

    /** Starts the command, kills bin/pipeline (SIGTERM, as a scheduler does) once the daemon runs it, waits for the daemon to be idle. */
    private static void killClientMidRun(Map<String, String> env, File repo, String... args) throws Exception {
        Process p = LauncherTest.builder(env, repo, args).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.contains(SERVED)) {
                    p.destroy();
                    break;
                }
            }
        }
        assertTrue(p.waitFor(1, TimeUnit.MINUTES));
        for (int i = 0; i < 120; i++) {
            String status = launch(env, repo, "daemon", "status").output();
            if (status.contains("idle for")) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the daemon is still busy a minute after its client was killed");
    }

    private static LauncherTest.Proc launch(Map<String, String> env, File dir, String... args) throws Exception {
        return LauncherTest.launch(env, dir, args);
    }
}
