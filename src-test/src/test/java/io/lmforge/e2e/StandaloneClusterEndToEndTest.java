package io.lmforge.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.testing.SharedSpark;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shaded jar on a real Spark 3.5.7 standalone cluster (master + 2 workers on 127.0.0.1, from
 * pyspark's distribution in the pinned `spark` virtualenv): one spark-submit of `run` processes the
 * sample's first chunk through every stage in one application, as an operator processing an arrival
 * would (training as Population Based Training, one member per task on the two executors), and the
 * curated outputs equal a local-mode run of the same stages (same doc_ids and rows, same rejections,
 * same dedup decisions, same tokenizer and tokens, same packed sequences). A stage submitted on its
 * own is the Airflow DAG's way (AirflowDagEndToEndTest); here each application costs a driver and two
 * executor JVMs, so there is one. The cluster is stopped whatever happens.
 */
class StandaloneClusterEndToEndTest {
    static final String CHUNK = "0001";
    static final List<String> STAGES = List.of("ingest", "dedup", "tokenizer-train", "tokenize", "mix", "train", "eval");
    /** What spark-submit runs: every stage in one application; training is Population Based Training, one member per task. */
    static final List<String> SUBMISSION = List.of("run", "--set", "run.stages=[" + String.join(",", STAGES) + "]",
            "--set", "train.mode=pbt", "--set", "train.pbt.population=2");
    /**
     * spark-submit's executors live for one application over a few hundred documents: C1 only, serial GC, so that
     * they spend the two cores on the work rather than on C2 compiles (semantics are the JVM's either way). The
     * daemon's executors run with Spark's defaults: a config may not carry JVM options (pipeline.spark.conf's allow-list).
     */
    static final String EXECUTOR_JIT = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";
    static final List<String> COMPARED = List.of("docs", "rejected", "dedup/docs", "dedup/duplicates", "tokens");

    @Test
    void everyStageRunsThroughSparkSubmitAndMatchesLocalMode() throws Exception {
        File repo = SharedSpark.repoRoot();
        File jar = StandaloneCluster.shadedJar();
        File sparkHome = StandaloneCluster.pysparkHome();
        List<String> settings = sampleSettings(repo);

        Path clusterRoot = SharedSpark.tempDir("cluster-root");
        Path work = SharedSpark.tempDir("cluster-work");
        try (StandaloneCluster cluster = StandaloneCluster.start(sparkHome, work, 2, 1, "3g")) {
            String out = submit(cluster, jar, repo, work, SUBMISSION, clusterRoot, settings);
            for (String stage : STAGES) {
                assertTrue(out.contains(stage + " " + CHUNK + ": committed"), stage + " committed on the cluster:\n" + out);
            }
            JsonNode state = cluster.state();
            assertEquals(1, state.path("completedapps").size(), "one application for the spark-submit: " + state);
            for (JsonNode app : state.path("completedapps")) {
                assertEquals("FINISHED", app.path("state").asText(), app.toString());
            }
            ingestThroughADaemonOnTheCluster(cluster, repo, work, settings, clusterRoot);
        }

        Path localRoot = SharedSpark.tempDir("cluster-local");
        for (String stage : STAGES.subList(0, STAGES.indexOf("mix") + 1)) {
            List<String> args = new ArrayList<>(List.of(stage, "--chunk", CHUNK, "--root", localRoot.toString()));
            settings.forEach(s -> args.addAll(List.of("--set", s)));
            assertEquals(0, Cli.run(args.toArray(new String[0])).status(), "local " + stage);
        }

        SparkSession spark = SharedSpark.get();
        DatasetLayout cluster = new DatasetLayout(clusterRoot.toString());
        DatasetLayout local = new DatasetLayout(localRoot.toString());
        for (String dataset : COMPARED) {
            assertSameRows(Datasets.readChunk(spark, cluster, dataset, CHUNK), Datasets.readChunk(spark, local, dataset, CHUNK), dataset);
        }
        assertSameRows(spark.read().parquet(cluster.chunkDir("mix", CHUNK) + "/train"),
                spark.read().parquet(local.chunkDir("mix", CHUNK) + "/train"), "mix train sequences");
        assertEquals(Files.readString(localRoot.resolve("tokenizer/CURRENT")).trim(), Files.readString(clusterRoot.resolve("tokenizer/CURRENT")).trim(),
                "the same tokenizer version (a content hash)");
        assertTrue(Datasets.readChunk(spark, cluster, "docs", CHUNK).count() > 100);
        assertTrue(Datasets.readChunk(spark, cluster, "rejected", CHUNK).count() > 5, "the bad files are quarantined on the executors");

        // train and eval ran on the executors: a checkpoint, and bits per byte for the chunk's languages
        Path model = clusterRoot.resolve("models/default/chunk=" + CHUNK);
        assertTrue(Files.isRegularFile(model.resolve("_MANIFEST.json")), "checkpoint committed: " + model);
        JsonNode trainState = new ObjectMapper().readTree(model.resolve("training_state.json").toFile());
        assertTrue(trainState.path("step").asLong() > 0, trainState.toString());
        JsonNode results = new ObjectMapper().readTree(clusterRoot.resolve("eval/default/chunk=" + CHUNK + "/results.json").toFile());
        assertTrue(results.path("bits_per_byte").size() > 0, results.toString());
        JsonNode population = new ObjectMapper().readTree(model.resolve("population/population.json").toFile());
        assertEquals(2, population.path("members").size(), population.toString());
        assertEquals(2, spark.read().parquet(cluster.pbtLineage("default", CHUNK).toString()).select("member").distinct().count(),
                "both members trained and were scored on the cluster");
    }

    /**
     * bin/pipeline, not spark-submit, with the cluster's master, served by a pipeline daemon: its Spark
     * application runs the tasks on the cluster's executors (which get the jar through spark.jars) and
     * writes what spark-submit's ingest wrote; stopping the daemon ends the application.
     */
    private static void ingestThroughADaemonOnTheCluster(StandaloneCluster cluster, File repo, Path work, List<String> settings,
            Path submitted) throws Exception {
        java.util.Map<String, String> env = cluster.environment(new java.util.HashMap<>(java.util.Map.of(
                "LMFORGE_DAEMON_DIR", work.resolve("daemon").toString(), "LMFORGE_DAEMON", "auto")));
        Path root = SharedSpark.tempDir("cluster-daemon-root");
        List<String> args = new ArrayList<>(List.of("ingest", "--chunk", CHUNK, "--root", root.toString(),
                "--set", "pipeline.spark.master=" + cluster.masterUrl(), "--set", "pipeline.spark.conf.\"spark.executor.memory\"=2g"));
        settings.forEach(s -> args.addAll(List.of("--set", s)));
        try {
            LauncherTest.Proc started = LauncherTest.launch(env, repo, "daemon", "start");
            assertEquals(0, started.status(), started.output());
            LauncherTest.Proc served = LauncherTest.launch(env, repo, args.toArray(String[]::new));
            assertEquals(0, served.status(), served.output() + cluster.logs());
            assertTrue(served.output().contains("running in the pipeline daemon") && served.output().contains("ingest " + CHUNK + ": committed")
                    && served.output().contains("spark " + cluster.masterUrl()), served.output());
        } finally {
            LauncherTest.Proc stopped = LauncherTest.launch(env, repo, "daemon", "stop");
            assertEquals(0, stopped.status(), stopped.output());
        }
        JsonNode apps = cluster.state().path("completedapps");
        assertEquals(2, apps.size(), "the daemon's application ran on the cluster and ended with it: " + apps);
        SparkSession spark = SharedSpark.get();
        assertSameRows(Datasets.readChunk(spark, new DatasetLayout(root.toString()), "docs", CHUNK),
                Datasets.readChunk(spark, new DatasetLayout(submitted.toString()), "docs", CHUNK), "docs: daemon vs spark-submit");
    }

    /**
     * A small tokenizer, a tiny model trained two rounds and a short eval, plus the sample chunk's input:
     * these tests check that every stage runs where it is submitted, not how well it learns (the demo does).
     */
    static List<String> sampleSettings(File repo) {
        List<String> s = new ArrayList<>(List.of("tokenizer.vocab-size=1024", "train.model.d-model=32", "train.model.heads=2",
                "train.model.layers=1", "train.averaging-frequency=2", "train.max-rounds-per-chunk=2", "eval.tasks=[xcopa]",
                "eval.languages=[it, zh]", "eval.limit=3", "eval.fewshot.k=[0]", "eval.fewshot.seeds=[0]", "eval.bpb.max-docs-per-language=2",
                "train.pbt.heldout-docs=8"));
        s.add("ingest.input.paths=[" + String.join(", ", sampleInputs(repo).stream().map(p -> "\"" + p + "\"").toList()) + "]");
        return s;
    }

    /**
     * Of the sample's first chunk, its smallest JSONL file (168 documents in as many languages) and its directory of
     * every kind of bad file: each stage here starts cold JVMs (executors, or a spark-submit per stage in the Airflow
     * test), so the whole chunk's 3,267 records would cost a minute more and check nothing more.
     */
    static List<Path> sampleInputs(File repo) {
        Path chunk = repo.toPath().resolve("data/sample/chunk-" + CHUNK);
        return List.of(chunk.resolve("oldi-seed.jsonl.gz"), chunk.resolve("bad"));
    }

    private static String submit(StandaloneCluster cluster, File jar, File repo, Path work, List<String> submission, Path root,
            List<String> settings) throws Exception {
        String stage = submission.get(0);
        String javaOpts = "-Dlog4j2.configurationFile=" + new File(repo, "conf/log4j2.properties").getPath();
        List<String> cmd = new ArrayList<>(List.of(cluster.sparkSubmit().getPath(),
                "--master", cluster.masterUrl(), "--deploy-mode", "client", "--name", "lmforge-" + stage,
                "--class", "io.lmforge.core.cli.PipelineMain",
                "--driver-memory", "2g", "--executor-memory", "2g", "--executor-cores", "1", "--total-executor-cores", "2",
                "--conf", "spark.driver.extraJavaOptions=" + javaOpts + " -Dlmforge.home=" + repo.getPath(),
                "--conf", "spark.executor.extraJavaOptions=" + javaOpts + " " + EXECUTOR_JIT,
                "--conf", "spark.sql.shuffle.partitions=4",
                jar.getPath()));
        cmd.addAll(submission);
        cmd.addAll(List.of("--chunk", CHUNK, "--root", root.toString()));
        settings.forEach(s -> cmd.addAll(List.of("--set", s)));
        File log = work.resolve("submit-" + stage + ".log").toFile();
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo).redirectErrorStream(true).redirectOutput(log);
        cluster.environment(pb.environment());
        long start = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("spark-submit " + stage + " ran past 10 minutes\n" + tail(log) + cluster.logs());
        }
        String out = Files.readString(log.toPath(), StandardCharsets.UTF_8);
        System.out.printf(java.util.Locale.ROOT, "[cluster] spark-submit %s -> %d in %.1f s%n", stage, p.exitValue(), (System.nanoTime() - start) / 1e9);
        assertEquals(0, p.exitValue(), "spark-submit " + stage + " failed:\n" + tail(log) + cluster.logs());
        return out;
    }

    private static String tail(File log) throws Exception {
        String text = Files.readString(log.toPath(), StandardCharsets.UTF_8);
        return text.substring(Math.max(0, text.length() - 6000));
    }

    /** Equal as multisets of rows (map columns, which Spark cannot compare, and the file path are left out). */
    private static void assertSameRows(Dataset<Row> a, Dataset<Row> b, String what) {
        Column[] cols = Arrays.stream(a.schema().fields())
                .filter(f -> !(f.dataType() instanceof MapType) && !f.name().equals("source"))
                .map(StructField::name).map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
        Dataset<Row> x = a.select(cols);
        Dataset<Row> y = b.select(cols);
        long n = x.count();
        assertEquals(n, y.count(), what + ": row counts, cluster vs local");
        assertEquals(0, x.exceptAll(y).count(), what + ": rows on the cluster that the local run does not have");
        assertEquals(0, y.exceptAll(x).count(), what + ": rows in the local run that the cluster does not have");
    }
}
