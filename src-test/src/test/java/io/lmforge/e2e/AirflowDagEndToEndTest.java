package io.lmforge.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.Manifests;
import io.lmforge.core.testing.PythonEnv;
import io.lmforge.core.testing.SharedSpark;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * dags/ under pinned Airflow 3 + the Apache Spark provider (bin/python-env airflow): both DAGs import
 * with no DagBag errors, with the documented task graph, Assets, pool and timeouts; then real DAG runs
 * (dag.test) of two arriving chunks (python/airflow_dag_check.py --scenario): the watcher announces the
 * sample's first chunk; an empty chunk lands and a manual trigger names it out of order, so that run
 * processes the first chunk through every stage (spark-submit of the shaded jar, pyspark 3.5.7's,
 * local[2]); the next run ends the empty chunk as chunk_empty; then nothing is pending. The outputs of
 * every stage exist and their manifests agree with each other.
 */
class AirflowDagEndToEndTest {
    static final String CHUNK = "0001";

    @Test
    void theDagImportsAndRunsOneChunkForReal() throws Exception {
        File repo = SharedSpark.repoRoot();
        File jar = StandaloneCluster.shadedJar();
        String airflowPython = PythonEnv.python("airflow");
        String sparkHome = StandaloneCluster.pysparkHome().getPath();

        Path work = SharedSpark.tempDir("airflow");
        Path root = work.resolve("lm");
        Path landing = work.resolve("landing"); // where chunks arrive: chunk-0001 now, chunk-0002 (empty) later
        for (Path input : StandaloneClusterEndToEndTest.sampleInputs(repo)) {
            copyTree(input, landing.resolve("chunk-" + CHUNK).resolve(input.getFileName().toString()));
        }
        Path conf = work.resolve("sample.conf");
        // a tiny model and a short eval, as a user's HOCON file (Variable lmforge_conf)
        List<String> settings = new ArrayList<>(StandaloneClusterEndToEndTest.sampleSettings(repo).stream()
                .filter(s -> !s.startsWith("ingest.input.paths")).toList());
        settings.add("train.pbt.population = 2");
        settings.add("train.mode = pbt"); // chunks announced without a train_mode train as lmforge_conf says
        Files.write(conf, settings, StandardCharsets.UTF_8);

        // chunk 0001 (announced by the watcher) trains with Population Based Training as lmforge_conf says;
        // the trigger that names 0002 asks for averaging, which must not leak to 0001
        List<String> cmd = new ArrayList<>(List.of(airflowPython, new File(repo, "python/airflow_dag_check.py").getPath(),
                new File(repo, "dags").getPath(), "--scenario", landing.toString(), "--trigger-train-mode", "averaging"));
        File log = work.resolve("airflow.log").toFile();
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true).redirectOutput(log);
        Map<String, String> env = pb.environment();
        env.put("AIRFLOW_HOME", work.resolve("airflow-home").toString());
        env.put("AIRFLOW__CORE__LOAD_EXAMPLES", "False");
        env.put("AIRFLOW__CORE__DAGS_FOLDER", new File(repo, "dags").getPath());
        env.put("AIRFLOW_CONN_LMFORGE_SPARK", "{\"conn_type\": \"spark\", \"host\": \"local[2]\", \"extra\": {\"deploy-mode\": \"client\"}}");
        env.put("AIRFLOW_VAR_LMFORGE_JAR", jar.getPath());
        env.put("AIRFLOW_VAR_LMFORGE_ROOT", root.toString());
        env.put("AIRFLOW_VAR_LMFORGE_CONF", conf.toString());
        env.put("AIRFLOW_VAR_LMFORGE_HOME", repo.getPath());
        // lmforge_tokenizer_chunks unset: the tokenizer task runs the jar's `run` rule (the first chunk with text trains it)
        env.put("AIRFLOW_VAR_LMFORGE_INPUT_TEMPLATE", landing.resolve("chunk-{chunk}").toString());
        env.put("AIRFLOW_VAR_LMFORGE_SETTLE_SECONDS", "0"); // the copy is complete before the watcher looks
        Path archives = work.resolve("class-archives");
        env.put("AIRFLOW_VAR_LMFORGE_CLASS_ARCHIVE_DIR", archives.toString());
        env.put("PATH", sparkHome + "/bin:" + env.get("PATH"));
        env.put("SPARK_HOME", sparkHome);
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        if (!p.waitFor(20, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String out = Files.readString(log.toPath(), StandardCharsets.UTF_8);
        String tail = out.substring(Math.max(0, out.length() - 8000));
        assertEquals(0, p.exitValue(), "airflow_dag_check.py failed:\n" + tail);
        String resultLine = out.lines().filter(l -> l.startsWith("RESULT ")).reduce((a, b) -> b).orElseThrow(() -> new AssertionError(tail));
        JsonNode result = new ObjectMapper().readTree(resultLine.substring("RESULT ".length()));
        System.out.println("[airflow] " + result);
        assertEquals("[[\"0001\",\"processed\"],[\"0002\",\"empty\"]]", result.path("done").toString(), "chunks done in arrival order");
        JsonNode chunkRun = result.path("runs").path("trigger_0002");
        for (String stage : List.of("ingest", "dedup", "tokenizer_train", "tokenize", "mix", "train", "eval", "report", "chunk_done")) {
            assertEquals("success", chunkRun.path(stage).asText(), stage + " of chunk " + CHUNK + ": " + chunkRun);
        }
        assertEquals("success", result.path("runs").path("after_done_0001").path("chunk_empty").asText());
        assertEquals("skipped", result.path("runs").path("after_done_0001").path("ingest").asText());
        assertTrue(Files.notExists(root.resolve("docs/chunk=0002")), "the empty chunk was not ingested");
        // a local master: every stage's driver JVM starts with bin/pipeline's JIT and GC settings (dags/lmforge_airflow/driver_jvm.py)
        long tuned = out.lines().filter(l -> l.contains("Spark-Submit cmd:")
                && l.contains("spark.driver.extraJavaOptions=-XX:Tier4InvocationThreshold=150000") && l.contains("-XX:+UseSerialGC")).count();
        assertEquals(8, tuned, "spark-submits with the driver options, one per stage");
        // ... and its class archive: the first stage records it, every later one maps it (lmforge_airflow/class_archive.py)
        List<String> submits = out.lines().filter(l -> l.contains("Spark-Submit cmd:")).toList();
        assertEquals(1, submits.stream().filter(l -> l.contains("-XX:ArchiveClassesAtExit=" + archives)).count(), "one stage records: " + submits);
        assertEquals(7, submits.stream().filter(l -> l.contains("-XX:SharedArchiveFile=" + archives)).count(), "the others map it: " + submits);
        assertEquals(8, submits.stream().filter(l -> l.contains("--driver-class-path " + jar.getPath())).count(), "the jar on the driver class path");
        assertEquals(1, submits.stream().filter(l -> l.contains(" run --chunk " + CHUNK) && l.contains("run.stages=[tokenizer-train]")).count(),
                "lmforge_tokenizer_chunks unset: the tokenizer task is `run` of that one stage: " + submits);
        assertEquals(1, out.lines().filter(l -> l.contains("lmforge: recorded the class archive")).count(), "published once");
        List<Path> inStore;
        try (var files = Files.list(archives)) {
            inStore = files.toList();
        }
        assertEquals(1, inStore.size(), "one archive, no recording left: " + inStore);
        assertTrue(inStore.get(0).getFileName().toString().matches("lmforge-driver-\\w+\\.jsa") && Files.size(inStore.get(0)) > 50_000_000L,
                inStore.get(0) + " " + Files.size(inStore.get(0)));

        SparkSession spark = SharedSpark.get();
        DatasetLayout layout = new DatasetLayout(root.toString());
        FileSystem fs = layout.fs(spark.sparkContext().hadoopConfiguration());
        Manifest docs = Manifests.read(fs, layout.docs(CHUNK));
        Manifest dedup = Manifests.read(fs, layout.chunkDir("dedup/docs", CHUNK));
        Manifest tokens = Manifests.read(fs, layout.chunkDir("tokens", CHUNK));
        long kept = Datasets.readChunk(spark, layout, "docs", CHUNK).count();
        long deduped = Datasets.readChunk(spark, layout, "dedup/docs", CHUNK).count();
        assertTrue(kept > 100, "docs kept: " + kept);
        assertEquals(kept, dedup.count("docs_in"), "dedup read every kept doc");
        assertEquals(deduped + Datasets.readChunk(spark, layout, "dedup/duplicates", CHUNK).count(), kept, "kept = deduped + removed");
        assertEquals(deduped, Datasets.readChunk(spark, layout, "tokens", CHUNK).count(), "every deduped doc is tokenized");
        long rejected = Datasets.readChunk(spark, layout, "rejected", CHUNK).count();
        assertTrue(rejected > 0, "the sample's bad records are quarantined");
        assertEquals(docs.count("records_in"), kept + rejected, "records read = kept + rejected");
        assertTrue(tokens.counts().size() > 0);
        assertTrue(Files.isRegularFile(root.resolve("tokenizer/CURRENT")));
        assertTrue(Files.isRegularFile(root.resolve("mix/chunk=" + CHUNK + "/_MANIFEST.json")));
        assertTrue(Files.isRegularFile(root.resolve("models/default/chunk=" + CHUNK + "/model.zip")));
        assertTrue(Files.isRegularFile(root.resolve("models/default/chunk=" + CHUNK + "/population/population.json")), "lmforge_conf's train.mode = pbt reached the train task");
        assertTrue(Manifests.read(fs, layout.pbtLineage("default", CHUNK)) != null, "the population's lineage is committed");
        assertTrue(Files.readString(root.resolve("report/default/report.md")).contains("## Population based training"));
        assertTrue(Files.isRegularFile(root.resolve("eval/default/chunk=" + CHUNK + "/results.json")));
        assertTrue(Files.isRegularFile(root.resolve("report/default/report.html")));
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        Files.createDirectories(to.getParent());
        try (var paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }
}
