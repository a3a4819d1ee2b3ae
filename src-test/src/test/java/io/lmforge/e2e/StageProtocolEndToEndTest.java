package io.lmforge.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.dataset.Manifests;
import io.lmforge.core.testing.SharedSpark;
import io.lmforge.dedup.index.DedupIndex;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stage protocol end to end, on real stages and real processes. Every stage killed in the middle
 * of its commit, as `kill -9` would (bin/pipeline with LMFORGE_CRASH_AT=stage:point halts the JVM
 * there: no finally blocks, no shutdown hooks), then run again: nothing of the killed run is ever
 * readable, and the rerun completes with exactly the rows of an uninterrupted run (the reference
 * root, built in-process from the same input). Concurrent runs, refused output paths, and a jar
 * built from another commit.
 */
class StageProtocolEndToEndTest {
    static final String INPUT = SharedSpark.repoRoot().toPath().resolve("data/sample/chunk-0001/oldi-seed.jsonl.gz").toString();
    static final List<String> SETS = List.of("ingest.input.paths=[\"" + INPUT + "\"]", "tokenizer.vocab-size=600", "mix.seq-len=32",
            "train.model.layers=1", "train.model.d-model=32", "train.model.heads=2", "train.averaging-frequency=2", "train.batch-per-worker=4",
            "train.max-rounds-per-chunk=2", "eval.tasks=[xcopa]", "eval.languages=[it]", "eval.limit=4", "eval.fewshot.k=[0]",
            "eval.fewshot.seeds=[0]", "eval.bpb.max-docs-per-language=2", "pipeline.progress-interval-s=0");
    static final List<String> STAGES = List.of("ingest", "dedup", "tokenizer-train", "tokenize", "mix", "train", "eval");
    static java.nio.file.Path reference;

    static String[] args(String stage, java.nio.file.Path root, String... extra) {
        List<String> a = new ArrayList<>(List.of(stage, "--chunk", "0001", "--root", root.toString()));
        for (String s : SETS) {
            a.add("--set");
            a.add(s);
        }
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    @BeforeAll
    static void uninterruptedReference() {
        reference = SharedSpark.tempDir("crash-reference");
        for (String stage : STAGES) {
            Cli.Run r = Cli.run(args(stage, reference));
            assertEquals(0, r.status(), stage + ": " + r.err());
        }
    }

    @Test
    void everyStageKilledBetweenItsRenamesAndItsCommitMarkerRecoversOnTheNextRun() throws Exception {
        java.nio.file.Path root = SharedSpark.tempDir("crash");
        for (String stage : STAGES) {
            String point = stage.equals("tokenizer-train") ? "COMMITTED" : "RENAMED";
            Pipeline.Exit killed = Pipeline.run(Map.of("LMFORGE_CRASH_AT", stage + ":" + point), args(stage, root));
            assertEquals(137, killed.status(), stage + " was to be killed at " + point + ":\n" + killed.output());
            assertTrue(killed.output().contains("LMFORGE_CRASH_AT=" + stage + ":" + point), killed.output());
            if (point.equals("RENAMED")) {
                assertNothingVisible(stage, root);
            } else {
                // the tokenizer version is committed, but CURRENT was never moved to it: tokenize still finds no tokenizer
                assertFalse(Files.exists(root.resolve("tokenizer/CURRENT")));
                assertEquals(2, Cli.run(args("tokenize", root)).status(), "tokenize refuses: no current tokenizer");
            }
            Cli.Run rerun = Cli.run(args(stage, root));
            assertEquals(0, rerun.status(), rerun.err());
            assertTrue(rerun.out().contains(stage + " 0001: committed"), "the rerun computes, it does not skip:\n" + rerun.out());
            assertTrue(rerun.out().contains("no longer running (killed?): taking it over"), "the dead run's lock is taken over, loudly");
            assertSameOutputs(stage, root, reference);
            assertTrue(!Files.exists(root.resolve("_staging")) || Files.list(root.resolve("_staging")).count() == 0,
                    "the dead run's staging is cleaned up by the rerun");
        }
        // with --force over a committed output: the old one is moved aside, the new one renamed in, then the kill
        Pipeline.Exit killed = Pipeline.run(Map.of("LMFORGE_CRASH_AT", "ingest:RENAMED"), args("ingest", root, "--force"));
        assertEquals(137, killed.status(), killed.output());
        assertNothingVisible("ingest", root);
        assertEquals(0, Cli.run(args("ingest", root, "--force")).status());
        assertSameOutputs("ingest", root, reference);
    }

    @Test
    void ingestKilledWhileComputingLeavesNothingReadableAndRecovers() throws Exception {
        java.nio.file.Path root = SharedSpark.tempDir("sigkill");
        java.nio.file.Path log = SharedSpark.tempDir("sigkill-log").resolve("ingest.log");
        Process p = Pipeline.start(Map.of(), log, args("ingest", root));
        java.nio.file.Path lock = root.resolve("_locks/ingest+0001.lock");
        while (!Files.exists(lock) && p.isAlive()) {
            Thread.sleep(50);
        }
        p.destroyForcibly(); // SIGKILL, while it holds the lock (computing or committing)
        p.waitFor();
        FileSystem fs = fs(root);
        DatasetLayout layout = new DatasetLayout(root.toString());
        boolean committed = Manifests.read(fs, layout.docs("0001")) != null;
        assertEquals(committed, Manifests.read(fs, layout.rejected("0001")) != null, "both outputs or neither:\n" + Files.readString(log));
        assertEquals(0, Cli.run(args("ingest", root)).status());
        assertSameOutputs("ingest", root, reference);
    }

    @Test
    void aSecondRunOfTheSameStageAndChunkExitsWithLockedByWhileTheFirstCompletes() throws Exception {
        java.nio.file.Path root = SharedSpark.tempDir("concurrent");
        java.util.concurrent.CountDownLatch firstLocked = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch secondDone = new java.util.concurrent.CountDownLatch(1);
        io.lmforge.core.stage.StageEvents.Listener hold = (s, chunk, point) -> {
            if (point == io.lmforge.core.stage.StageEvents.Point.LOCKED && Thread.currentThread().getName().equals("first-ingest")) {
                firstLocked.countDown();
                awaitQuietly(secondDone);
            }
        };
        io.lmforge.core.stage.StageEvents.add(hold);
        try {
            Cli.Run[] first = new Cli.Run[1];
            Thread t = new Thread(() -> first[0] = Cli.run(args("ingest", root)), "first-ingest");
            t.start();
            assertTrue(firstLocked.await(5, java.util.concurrent.TimeUnit.MINUTES));
            Cli.Run second = Cli.run(args("ingest", root));
            secondDone.countDown();
            assertEquals(1, second.status(), second.out() + second.err());
            assertTrue(second.err().contains("error: ingest 0001 is locked by pid " + ProcessHandle.current().pid()), second.err());
            assertTrue(second.err().contains("_locks/ingest+0001.lock"), "says which lock and how to clear it: " + second.err());
            t.join(5 * 60_000);
            assertEquals(0, first[0].status(), first[0].err());
            assertSameOutputs("ingest", root, reference);
        } finally {
            secondDone.countDown();
            io.lmforge.core.stage.StageEvents.remove(hold);
        }
    }

    @Test
    void twoNewChunksDeduplicatedAtOnceTakeTurnsAndGetDistinctArrivalNumbers() throws Exception {
        java.nio.file.Path root = SharedSpark.tempDir("two-dedups");
        java.nio.file.Path text = SharedSpark.repoRoot().toPath().resolve("data/sample/chunk-0002/text");
        for (String[] c : new String[][]{{"a", "gnome-help-de.txt"}, {"b", "gnome-help-fr.txt"}}) {
            assertEquals(0, Cli.run("ingest", "--chunk", c[0], "--root", root.toString(), "--set",
                    "ingest.input.paths=[\"" + text.resolve(c[1]) + "\"]").status());
        }
        java.util.concurrent.CountDownLatch aLocked = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch bWaiting = new java.util.concurrent.CountDownLatch(1);
        io.lmforge.core.stage.StageEvents.Listener order = (s, chunk, point) -> {
            if (s.equals("dedup") && chunk.equals("a") && point == io.lmforge.core.stage.StageEvents.Point.LOCKED) {
                aLocked.countDown();
                awaitQuietly(bWaiting);
            }
            if (s.equals("dedup") && chunk.equals("b") && point == io.lmforge.core.stage.StageEvents.Point.WAITING) {
                bWaiting.countDown();
            }
        };
        io.lmforge.core.stage.StageEvents.add(order);
        try {
            Cli.Run[] a = new Cli.Run[1];
            Thread t = new Thread(() -> a[0] = Cli.run("dedup", "--chunk", "a", "--root", root.toString()), "dedup-a");
            t.start();
            assertTrue(aLocked.await(5, java.util.concurrent.TimeUnit.MINUTES));
            Cli.Run b = Cli.run("dedup", "--chunk", "b", "--root", root.toString(), "--set", "pipeline.progress-interval-s=1");
            t.join(5 * 60_000);
            assertEquals(0, a[0].status(), a[0].err());
            assertEquals(0, b.status(), b.err());
            assertTrue(b.out().contains("dedup b: waiting for dedup-index.lock, held by pid"), b.out());
        } finally {
            bWaiting.countDown();
            io.lmforge.core.stage.StageEvents.remove(order);
        }
        FileSystem fs = fs(root);
        DatasetLayout layout = new DatasetLayout(root.toString());
        assertEquals(1L, Manifests.read(fs, layout.dedupDocs("a")).lineage().seq());
        assertEquals(2L, Manifests.read(fs, layout.dedupDocs("b")).lineage().seq());
        assertEquals(List.of("a"), Manifests.read(fs, layout.dedupDocs("b")).counts().get("history"), "b was deduplicated against a");

        // the operator's view: both ingested and deduplicated, in arrival order; a tokenize of b that died before its commit is "failed"
        fs.mkdirs(new org.apache.hadoop.fs.Path(layout.staging(), "tokenize+b+0123456789ab"));
        Cli.Run status = Cli.run("status", "--root", root.toString());
        assertEquals(0, status.status(), status.err());
        List<String> rows = status.out().lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList();
        int header = rows.indexOf("chunk ingest dedup tokenize mix train eval export-shards");
        assertTrue(header >= 0, status.out());
        assertEquals("a done done - - - - -", rows.get(header + 1), status.out());
        assertEquals("b done done failed - - - -", rows.get(header + 2), status.out());
        assertTrue(status.out().contains("tokenize b: failed | a run stopped before its commit"), status.out());
        assertTrue(rows.stream().anyMatch(l -> l.startsWith("dedup b: done ") && l.contains("docs_in ")), status.out());
    }

    @Test
    void reportRefusesARunNameThatEscapesItsDirectoryAndDeletesNothing() throws Exception {
        long before = Files.walk(reference.resolve("eval/default")).count();
        Cli.Run r = Cli.run("report", "--root", reference.toString(), "--set", "train.run=../eval/default");
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("config key 'train.run' must be a plain name"), r.err());
        assertEquals(before, Files.walk(reference.resolve("eval/default")).count(), "nothing deleted");
    }

    @Test
    void exportHfWritesOnlyWhereItMay() throws Exception {
        java.nio.file.Path foreign = SharedSpark.tempDir("not-ours");
        Files.writeString(foreign.resolve("notes.txt"), "my notes");
        Cli.Run refused = Cli.run("export-hf", "--chunk", "0001", "--root", reference.toString(), "--out", foreign.toString());
        assertEquals(2, refused.status(), refused.out() + refused.err());
        assertTrue(refused.err().contains("refusing to write to " + foreign), refused.err());
        assertEquals("my notes", Files.readString(foreign.resolve("notes.txt")));
        assertEquals(1, Files.list(foreign).count(), "nothing written beside it either");

        java.nio.file.Path out = SharedSpark.tempDir("export").resolve("gpt2");
        assertEquals(0, Cli.run("export-hf", "--chunk", "0001", "--root", reference.toString(), "--out", out.toString()).status());
        assertTrue(Files.size(out.resolve("model.safetensors")) > 1000);
        assertEquals(0, Cli.run("export-hf", "--chunk", "0001", "--root", reference.toString(), "--out", out.toString(), "--force").status(),
                "its own earlier export is replaced");
        assertTrue(Files.exists(out.resolve("config.json")));
        assertEquals(1, Files.list(out.getParent()).count(), "no staging left beside it: " + Files.list(out.getParent()).toList());
    }

    @Test
    void aJarBuiltFromAnotherCommitRecomputesInsteadOfSkipping() throws Exception {
        assertTrue(Cli.run(args("mix", reference)).out().contains("mix 0001: skipped"), "up to date for this build");
        java.nio.file.Path other = SharedSpark.tempDir("other-build");
        Files.createDirectories(other.resolve("lmforge"));
        Files.writeString(other.resolve("lmforge/build.properties"), "version=" + io.lmforge.core.BuildInfo.version()
                + "\ncommit=0000000000000000000000000000000000000000\ndirty=false\nbuild_time=20261203T000000\n");
        java.nio.file.Path log = other.resolve("mix.log");
        Pipeline.Exit e = Pipeline.await(Pipeline.startWithClasspathFirst(other, Map.of(), log, args("mix", reference)), log);
        assertEquals(0, e.status(), e.output());
        assertTrue(e.output().contains("mix 0001: committed"), "another commit's code does not trust this one's outputs:\n" + e.output());
        assertTrue(Manifests.read(fs(reference), new DatasetLayout(reference.toString()).mix("0001")).codeVersion().endsWith("+000000000000"));
        sameRows(parquet(reference.resolve("mix/chunk=0001/train")), parquet(reference.resolve("mix/chunk=0001/train")), "mix train");
    }

    private static void awaitQuietly(java.util.concurrent.CountDownLatch l) {
        try {
            l.await(5, java.util.concurrent.TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What the next stage would read of a killed run: nothing (its outputs have no commit marker). */
    static void assertNothingVisible(String stage, java.nio.file.Path root) throws Exception {
        FileSystem fs = fs(root);
        DatasetLayout layout = new DatasetLayout(root.toString());
        for (Path out : outputs(stage, layout)) {
            assertNull(Manifests.read(fs, out), stage + ": " + out + " must not be readable after the kill");
            assertThrows(IllegalStateException.class, () -> Datasets.requireCommitted(SharedSpark.get(), out, out.toString()));
        }
        if (stage.equals("dedup")) {
            assertTrue(new DedupIndex(fs, layout).entries().isEmpty(), "the next chunk's dedup must not trust an uncommitted index chunk");
        }
    }

    static List<Path> outputs(String stage, DatasetLayout l) {
        return switch (stage) {
            case "ingest" -> List.of(l.docs("0001"), l.rejected("0001"));
            case "dedup" -> List.of(l.dedupDocs("0001"), l.dedupDuplicates("0001"), l.dedupIndex("0001"));
            case "tokenize" -> List.of(l.tokens("0001"));
            case "mix" -> List.of(l.mix("0001"));
            case "train" -> List.of(l.model("default", "0001"), l.metrics("default", "0001"));
            case "eval" -> List.of(l.eval("default", "0001"), l.anytime("default", "0001"));
            default -> List.of();
        };
    }

    static void assertSameOutputs(String stage, java.nio.file.Path a, java.nio.file.Path b) throws Exception {
        switch (stage) {
            case "ingest" -> {
                sameRows(chunk(a, "docs"), chunk(b, "docs"), "docs");
                sameRows(chunk(a, "rejected"), chunk(b, "rejected"), "rejected");
            }
            case "dedup" -> {
                sameRows(chunk(a, "dedup/docs"), chunk(b, "dedup/docs"), "dedup/docs");
                sameRows(chunk(a, "dedup/duplicates"), chunk(b, "dedup/duplicates"), "dedup/duplicates");
                for (String table : List.of("exact", "bands", "docs", "lines")) {
                    sameRows(parquet(a.resolve("dedup/index/chunk=0001/" + table)), parquet(b.resolve("dedup/index/chunk=0001/" + table)), table);
                }
            }
            case "tokenizer-train" -> {
                String version = Files.readString(b.resolve("tokenizer/CURRENT")).strip();
                assertEquals(version, Files.readString(a.resolve("tokenizer/CURRENT")).strip());
                assertEquals(Files.readString(b.resolve("tokenizer/" + version + "/tokenizer.json")),
                        Files.readString(a.resolve("tokenizer/" + version + "/tokenizer.json")));
            }
            case "tokenize" -> sameRows(chunk(a, "tokens"), chunk(b, "tokens"), "tokens");
            case "mix" -> {
                sameRows(parquet(a.resolve("mix/chunk=0001/train")), parquet(b.resolve("mix/chunk=0001/train")), "mix train");
                sameRows(parquet(a.resolve("mix/chunk=0001/heldout")), parquet(b.resolve("mix/chunk=0001/heldout")), "mix heldout");
            }
            case "train" -> {
                sameRows(parquet(a.resolve("models/default/metrics/chunk=0001")).drop("tokens_per_s", "elapsed_s"),
                        parquet(b.resolve("models/default/metrics/chunk=0001")).drop("tokens_per_s", "elapsed_s"), "training losses");
                JsonNode sa = new ObjectMapper().readTree(a.resolve("models/default/chunk=0001/training_state.json").toFile());
                JsonNode sb = new ObjectMapper().readTree(b.resolve("models/default/chunk=0001/training_state.json").toFile());
                assertEquals(sb, sa);
            }
            case "eval" -> {
                JsonNode ra = new ObjectMapper().readTree(a.resolve("eval/default/chunk=0001/results.json").toFile());
                JsonNode rb = new ObjectMapper().readTree(b.resolve("eval/default/chunk=0001/results.json").toFile());
                assertEquals(rb.get("bits_per_byte"), ra.get("bits_per_byte"));
                assertEquals(rb.get("results"), ra.get("results"));
                assertNotNull(ra.get("results").get("xcopa_it|0-shot"), ra.toString());
            }
            default -> throw new IllegalArgumentException(stage);
        }
    }

    static Dataset<Row> chunk(java.nio.file.Path root, String dataset) {
        return Datasets.readChunk(SharedSpark.get(), new DatasetLayout(root.toString()), dataset, "0001");
    }

    static Dataset<Row> parquet(java.nio.file.Path dir) {
        return SharedSpark.get().read().parquet(dir.toString());
    }

    /** Equal as multisets of rows (map columns, which Spark cannot compare, are compared as their sorted entries). */
    static void sameRows(Dataset<Row> a, Dataset<Row> b, String what) {
        Dataset<Row> ca = comparable(a);
        Dataset<Row> cb = comparable(b);
        assertEquals(cb.count(), ca.count(), what + ": row count");
        assertTrue(ca.count() > 0 || what.equals("rejected") || what.equals("dedup/duplicates"), what + " is empty");
        assertEquals(0, ca.exceptAll(cb).count(), what + ": rows differ");
        assertEquals(0, cb.exceptAll(ca).count(), what + ": rows differ");
    }

    private static Dataset<Row> comparable(Dataset<Row> d) {
        List<Column> cols = new ArrayList<>();
        for (StructField f : d.schema().fields()) {
            cols.add(f.dataType() instanceof MapType ? org.apache.spark.sql.functions.array_sort(
                    org.apache.spark.sql.functions.map_entries(col(f.name()))).as(f.name()) : col(f.name()));
        }
        return d.select(cols.toArray(new Column[0]));
    }

    static FileSystem fs(java.nio.file.Path root) {
        return new DatasetLayout(root.toString()).fs(SharedSpark.get().sparkContext().hadoopConfiguration());
    }
}
