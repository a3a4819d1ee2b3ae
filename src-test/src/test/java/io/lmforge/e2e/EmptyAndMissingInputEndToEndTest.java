package io.lmforge.e2e;

import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.Manifests;
import io.lmforge.core.testing.SharedSpark;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Empty is a valid result: a chunk whose every record is rejected commits with zero documents, and the
 * next stage accepts it and commits zero too. A root or an input that does not exist is one line and
 * exit 2, before Spark is asked for anything, and leaves nothing behind.
 */
class EmptyAndMissingInputEndToEndTest {

    @Test
    void aChunkWithEveryRecordRejectedCommitsEmptyAndDedupAcceptsIt() throws Exception {
        Path in = SharedSpark.tempDir("all-rejected");
        Files.writeString(in.resolve("blank.jsonl"), "{\"text\": \"\"}\n{\"text\": \"   \"}\n{\"text\": \"\\n\\n\"}\n{\"id\": 4}\n");
        Path root = SharedSpark.tempDir("all-rejected-root");
        Cli.Run ingest = Cli.run("ingest", "--chunk", "0001", "--root", root.toString(), "--set", "ingest.input.paths=[\"" + in + "\"]");
        assertEquals(0, ingest.status(), ingest.err());
        DatasetLayout layout = new DatasetLayout(root.toString());
        var fs = layout.fs(SharedSpark.get().sparkContext().hadoopConfiguration());
        Manifest docs = Manifests.read(fs, layout.docs("0001"));
        assertEquals(0L, ((Number) docs.counts().get("kept")).longValue());
        assertEquals(4L, ((Number) docs.counts().get("rejected")).longValue());
        assertEquals(4, Datasets.readChunk(SharedSpark.get(), layout, "rejected", "0001").count(), "every record quarantined with its reason");

        Cli.Run dedup = Cli.run("dedup", "--chunk", "0001", "--root", root.toString());
        assertEquals(0, dedup.status(), dedup.err());
        Manifest deduped = Manifests.read(fs, layout.dedupDocs("0001"));
        assertEquals(0L, ((Number) deduped.counts().get("docs_in")).longValue(), deduped.counts().toString());
        assertEquals(0L, ((Number) deduped.counts().get("kept")).longValue(), deduped.counts().toString());
        assertEquals(0, Datasets.readChunk(SharedSpark.get(), layout.dedupDocs("0001"), "0001",
                io.lmforge.core.dataset.DatasetSchemas.DEDUP_DOCS).count());
    }

    @Test
    void aRootThatDoesNotExistIsOneLineBeforeSpark() throws Exception {
        Path missing = SharedSpark.tempDir("no-root").resolve("not\\there"); // a backslash survives the trip through the config
        Cli.Run r = Cli.run("dedup", "--chunk", "0001", "--root", missing.toString());
        assertEquals(2, r.status());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("--root " + missing + " does not exist"), r.err());
        assertFalse(Files.exists(missing), "nothing created");
    }

    @Test
    void anInputGlobThatMatchesNothingIsOneLineAndLeavesNothingBehind() throws Exception {
        Path root = SharedSpark.tempDir("no-input-root");
        Path in = SharedSpark.tempDir("no-input");
        Cli.Run r = Cli.run("ingest", "--chunk", "0001", "--root", root.toString(), "--set", "ingest.input.paths=[\"" + in + "/*.jsonl\"]");
        assertEquals(2, r.status());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("matches no file"), r.err());
        try (Stream<Path> left = Files.list(root)) {
            assertEquals(0, left.count(), "no _staging, no lock, nothing");
        }
    }

    @Test
    void anEmptyInputDirectoryIsAnEmptyChunk() throws Exception {
        Path root = SharedSpark.tempDir("empty-dir-root");
        Path in = SharedSpark.tempDir("empty-dir");
        Cli.Run r = Cli.run("ingest", "--chunk", "0001", "--root", root.toString(), "--set", "ingest.input.paths=[\"" + in + "\"]");
        assertEquals(0, r.status(), r.err());
        DatasetLayout layout = new DatasetLayout(root.toString());
        Manifest docs = Manifests.read(layout.fs(SharedSpark.get().sparkContext().hadoopConfiguration()), layout.docs("0001"));
        assertEquals(0L, ((Number) docs.counts().get("records_in")).longValue(), docs.counts().toString());
        assertFalse(Files.exists(root.resolve("_staging")) && Files.list(root.resolve("_staging")).findAny().isPresent(), "no staging left");
    }

    /** A real first chunk, then one whose every record is rejected: every stage of `run` commits the empty chunk. */
    @Test
    void anEmptyChunkAfterARealOneFlowsThroughEveryStage() throws Exception {
        Path root = SharedSpark.tempDir("empty-second-root");
        Cli.Run one = Cli.run(smallRun(root, "run", "0001", sampleSlice("empty-second-first")));
        assertEquals(0, one.status(), one.err());
        Cli.Run two = Cli.run(smallRun(root, "run", "0002", blankChunk("empty-second")));
        assertEquals(0, two.status(), two.err());
        for (String stage : java.util.List.of("ingest", "dedup", "tokenize", "mix", "train", "eval")) {
            assertTrue(two.out().contains(stage + " 0002: committed"), stage + " commits the empty chunk:\n" + two.out());
        }
        DatasetLayout layout = new DatasetLayout(root.toString());
        var fs = layout.fs(SharedSpark.get().sparkContext().hadoopConfiguration());
        assertEquals(0L, ((Number) Manifests.read(fs, layout.docs("0002")).counts().get("kept")).longValue());
        assertEquals(0L, ((Number) Manifests.read(fs, layout.tokens("0002")).counts().get("docs")).longValue(),
                Manifests.read(fs, layout.tokens("0002")).counts().toString());
    }

    /**
     * A first chunk whose every record is rejected: no tokenizer can be trained on it and it holds nothing to
     * tokenize, mix, train on or evaluate, so `run` passes over those stages (exit 0, nothing committed); the next
     * chunk with text trains the tokenizer and goes on, and the first chunk stays passed over (status says so).
     */
    @Test
    void anEmptyFirstChunkIsPassedOverAndTheNextChunkTrainsTheTokenizer() throws Exception {
        Path root = SharedSpark.tempDir("empty-first-root");
        Path blank = blankChunk("empty-first");
        Path text = sampleSlice("empty-first-second");
        Cli.Run first = Cli.run(smallRun(root, "run", "0001", blank));
        assertEquals(0, first.status(), first.err());
        assertTrue(first.out().contains("dedup 0001: committed"), first.out());
        assertTrue(first.out().contains("tokenizer-train 0001: skipped (nothing to do: no text to train on yet: dedup/docs of chunk 0001 kept 0 documents"),
                first.out());
        for (String stage : java.util.List.of("tokenize", "mix", "train", "eval")) {
            assertTrue(first.out().contains(stage + " 0001: skipped (nothing to do: chunk 0001 kept no document and no tokenizer exists yet"),
                    stage + " passes over the empty first chunk:\n" + first.out());
        }
        DatasetLayout layout = new DatasetLayout(root.toString());
        var fs = layout.fs(SharedSpark.get().sparkContext().hadoopConfiguration());
        assertNull(Manifests.read(fs, layout.tokens("0001")), "nothing committed for a stage that passed over the chunk");
        // the Airflow DAG's report task and a user's export-shards or dry run of the same chunk say so too
        for (String stage : java.util.List.of("report", "export-shards")) {
            Cli.Run r = Cli.run(smallRun(root, stage, "0001", blank));
            assertEquals(0, r.status(), stage + ": " + r.err());
            assertTrue(r.out().contains(stage + " 0001: skipped (nothing to do: chunk 0001 kept no document"), r.out());
        }
        Cli.Run dry = Cli.run(Stream.concat(Stream.of(smallRun(root, "run", "0001", blank)), Stream.of("--dry-run")).toArray(String[]::new));
        assertEquals(0, dry.status(), dry.err());
        assertTrue(dry.out().contains("train 0001: dry-run (would pass over: chunk 0001 kept no document"), dry.out());

        Cli.Run next = Cli.run(smallRun(root, "run", "0002", text));
        assertEquals(0, next.status(), next.err());
        for (String stage : java.util.List.of("tokenizer-train", "tokenize", "mix", "eval")) {
            assertTrue(next.out().contains(stage + " 0002: committed"), stage + " 0002:\n" + next.out());
        }
        assertTrue(next.out().contains("train 0002: committed (2 rounds"), next.out());
        // the untrained model's point of the anytime curve scores the first chunk that has held-out documents
        Cli.Run initial = Cli.run(smallRun(root, "eval", "initial", text));
        assertEquals(0, initial.status(), initial.err());
        assertTrue(initial.out().contains("eval initial: committed"), initial.out());

        Cli.Run again = Cli.run(smallRun(root, "run", "0001", blank));
        assertEquals(0, again.status(), again.err());
        assertTrue(again.out().contains("tokenize 0001: skipped (nothing to do: chunk 0001 kept no document and arrived before the tokenizer's training chunks [0002]"),
                again.out());
        Cli.Run status = Cli.run("status", "--root", root.toString());
        assertEquals(0, status.status(), status.err());
        assertTrue(status.out().contains("train 0001: passed over"), status.out());
        // with a tokenizer committed, asking for one trained on no text is the user's mistake: one line, exit 2
        Cli.Run retrain = Cli.run(smallRun(root, "tokenizer-train", "0001", blank));
        assertEquals(2, retrain.status(), retrain.out());
        assertTrue(retrain.err().contains("no text to train on: dedup/docs of chunk 0001 kept 0 documents"), retrain.err());
    }

    /** A stage (or run) with the demo-sized model and evaluation these tests need, reading input from dir. */
    private static String[] smallRun(Path root, String stage, String chunk, Path input) {
        return new String[]{stage, "--chunk", chunk, "--root", root.toString(), "--set", "ingest.input.paths=[\"" + input + "\"]",
                "--set", "tokenizer.vocab-size=600", "--set", "mix.seq-len=32", "--set", "train.model.d-model=32", "--set", "train.model.heads=2",
                "--set", "train.model.layers=1", "--set", "train.averaging-frequency=2", "--set", "train.max-rounds-per-chunk=2",
                "--set", "eval.tasks=[xcopa]", "--set", "eval.languages=[it]", "--set", "eval.limit=2", "--set", "eval.fewshot.k=[0]",
                "--set", "eval.bpb.max-docs-per-language=2"};
    }

    /** A chunk whose two records are rejected (empty text). */
    private static Path blankChunk(String name) throws java.io.IOException {
        Path blank = SharedSpark.tempDir(name);
        Files.writeString(blank.resolve("blank.jsonl"), "{\"text\": \"\"}\n{\"text\": \" \"}\n");
        return blank;
    }

    /** The first 120 records of a sample file: enough text for a small tokenizer and a few training rounds. */
    private static Path sampleSlice(String name) throws java.io.IOException {
        Path dir = SharedSpark.tempDir(name);
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(new java.util.zip.GZIPInputStream(
                Files.newInputStream(SharedSpark.repoRoot().toPath().resolve("data/sample/chunk-0001/gnome-help.jsonl.gz"))),
                java.nio.charset.StandardCharsets.UTF_8)).lines()) {
            Files.write(dir.resolve("part.jsonl"), lines.limit(120).toList());
        }
        return dir;
    }
}
