package io.lmforge.e2e;

import io.lmforge.core.testing.PythonEnv;
import io.lmforge.core.testing.SharedSpark;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Run;
import org.mlflow.api.proto.Service.RunInfo;
import org.mlflow.tracking.MlflowClient;

import java.io.File;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * tracking.mlflow.uri against a real `mlflow server` (pinned, bin/python-env mlflow; SQLite store, loopback):
 * train and eval of two chunks log into one MLflow run per chunk of the experiment "lmforge/&lt;train.run&gt;",
 * read back with MLflow's Java client as a user's notebook would.
 */
class MlflowTrackingEndToEndTest {
    static Process server;
    static String uri;

    @BeforeAll
    static void startServer() throws Exception {
        String python = PythonEnv.python("mlflow");
        Path dir = SharedSpark.tempDir("mlflow");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        uri = "http://127.0.0.1:" + port;
        server = new ProcessBuilder(python, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", String.valueOf(port), "--workers", "1",
                "--backend-store-uri", "sqlite:///" + dir.resolve("mlflow.db"), "--default-artifact-root", dir.resolve("artifacts").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
        long deadline = System.currentTimeMillis() + 120_000;
        while (!healthy()) {
            if (System.currentTimeMillis() > deadline || !server.isAlive()) {
                throw new IllegalStateException("mlflow server did not start: " + java.nio.file.Files.readString(dir.resolve("server.log")));
            }
            Thread.sleep(500);
        }
    }

    private static boolean healthy() {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(uri + "/health").toURL().openConnection();
            c.setConnectTimeout(1000);
            return c.getResponseCode() == 200;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.descendants().forEach(ProcessHandle::destroy);
            server.destroy();
        }
    }

    @Test
    void trainAndEvalLogEachChunkIntoItsOwnMlflowRun() throws Exception {
        Path root = SharedSpark.tempDir("tracked");
        File repo = SharedSpark.repoRoot();
        for (String chunk : List.of("0001", "0002")) {
            for (String stage : List.of("ingest", "dedup", "tokenizer-train", "tokenize", "mix", "train", "eval")) {
                if (stage.equals("tokenizer-train") && !chunk.equals("0001")) {
                    continue;
                }
                // three small single-language text files per chunk keep the run short
                List<String> langs = chunk.equals("0001") ? List.of("de", "fr", "en") : List.of("ca", "da", "cs");
                String inputs = String.join(",", langs.stream().map(l -> "\"" + new File(repo, "data/sample/chunk-0002/text/gnome-help-" + l + ".txt")
                        + "\"").toList());
                Cli.Run r = Cli.run(args(stage, chunk, root, inputs));
                assertEquals(0, r.status(), stage + " " + chunk + ": " + r.err());
                if (stage.equals("train")) {
                    assertTrue(r.out().contains("train " + chunk + ": logged 2 rounds to MLflow (experiment lmforge/tracked"), r.out());
                }
            }
        }
        MlflowClient client = new MlflowClient(uri);
        String experiment = client.getExperimentByName("lmforge/tracked").orElseThrow().getExperimentId();
        List<RunInfo> runs = client.searchRuns(List.of(experiment), "");
        assertEquals(2, runs.size(), "one MLflow run per chunk");
        for (String chunk : List.of("0001", "0002")) {
            List<RunInfo> mine = client.searchRuns(List.of(experiment), "tags.`lmforge.chunk` = '" + chunk + "'");
            assertEquals(1, mine.size(), chunk);
            Run run = client.getRun(mine.get(0).getRunId());
            assertEquals("chunk=" + chunk, run.getInfo().getRunName());
            List<Metric> loss = client.getMetricHistory(run.getInfo().getRunId(), "train/loss");
            assertEquals(2, loss.size(), "every round's loss: " + loss);
            assertTrue(loss.get(1).getStep() > loss.get(0).getStep(), "steps are the optimizer's");
            assertTrue(run.getData().getParamsList().stream().anyMatch(p -> p.getKey().equals("train.workers") && p.getValue().equals("1")),
                    run.getData().getParamsList().toString());
            assertTrue(run.getData().getTagsList().stream().anyMatch(t -> t.getKey().equals("lmforge.checkpoint")
                    && t.getValue().endsWith("models/tracked/chunk=" + chunk)), run.getData().getTagsList().toString());
            double bpb = run.getData().getMetricsList().stream().filter(m -> m.getKey().equals("eval/bpb_mean")).findFirst().orElseThrow().getValue();
            assertTrue(bpb > 0 && bpb < 16, "eval's mean bits per byte: " + bpb);
            assertTrue(run.getData().getMetricsList().stream().anyMatch(m -> m.getKey().startsWith("eval/acc/xcopa/")), "accuracies");
        }
    }

    private static String[] args(String stage, String chunk, Path root, String inputs) {
        return new String[]{stage, "--chunk", chunk, "--root", root.toString(), "--set", "ingest.input.paths=[" + inputs + "]",
                "--set", "tracking.mlflow.uri=\"" + uri + "\"", "--set", "train.run=tracked", "--set", "tokenizer.vocab-size=512",
                "--set", "train.model.layers=1", "--set", "train.model.d-model=32", "--set", "train.model.heads=2", "--set", "train.workers=1",
                "--set", "train.batch-per-worker=4", "--set", "train.averaging-frequency=2", "--set", "train.max-rounds-per-chunk=2",
                "--set", "eval.tasks=[xcopa]", "--set", "eval.limit=3", "--set", "eval.fewshot.k=[0]", "--set", "eval.fewshot.seeds=[0]",
                "--set", "eval.bpb.max-docs-per-language=2", "--set", "pipeline.progress-interval-s=0"};
    }
}
