package io.lmforge.core.stage;

import io.lmforge.core.commit.LockedException;
import io.lmforge.core.config.ConfigError;
import io.lmforge.core.config.PipelineConfig;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Lineage;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.Manifests;
import io.lmforge.core.testing.SharedSpark;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stage protocol on a small stage that writes two outputs (docs/chunk=ID and rejected/chunk=ID) from one config value. */
class StageRunnerTest {

    /** Writes docs/chunk=ID/data.txt = export.out's value, and rejected/chunk=ID/data.txt = its length. */
    static final class TwoOutputs extends DatasetStage<String> {
        final List<String> computed = new ArrayList<>();
        String readUndeclared;
        Path outside;

        @Override
        public StageSpec spec() {
            return StageSpec.of("twoout", "test stage").perChunk().config("export.out").runtime("report.out").build();
        }

        @Override
        public List<String> sharedLocks(StageContext ctx) {
            return List.of("twoout-shared");
        }

        @Override
        public StagePlan<String> plan(StageContext ctx) {
            StagePlan<String> p = new StagePlan<String>(ctx.layout().fs(ctx.spark().sparkContext().hadoopConfiguration()))
                    .payload(ctx.config().getString("export.out"));
            if (outside != null) {
                return p.output("out", outside);
            }
            return p.output("docs", ctx.layout().docs(ctx.chunk())).output("rejected", ctx.layout().rejected(ctx.chunk()));
        }

        @Override
        public Computed compute(StageRun<String> run) throws Exception {
            computed.add(run.payload());
            if (readUndeclared != null) {
                run.config().getString(readUndeclared);
            }
            FileSystem fs = run.fs();
            Path s = run.staged(outside == null ? "docs" : "out");
            fs.mkdirs(s);
            io.lmforge.core.dataset.HadoopFiles.writeString(fs, new Path(s, "data.txt"), run.payload());
            if (outside == null) {
                Path r = run.staged("rejected");
                fs.mkdirs(r);
                io.lmforge.core.dataset.HadoopFiles.writeString(fs, new Path(r, "data.txt"), String.valueOf(run.payload().length()));
            }
            return new Computed(Map.of("n", run.payload().length()), Lineage.ofSeq(7), "wrote " + run.payload());
        }
    }

    private static StageContext ctx(java.nio.file.Path root, String value, boolean force) {
        return new StageContext(SharedSpark.get(), PipelineConfig.load(null, List.of("export.out=\"" + value + "\"", "pipeline.progress-interval-s=1")),
                new DatasetLayout(root.toString()), "0001", force, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new StageRegistry());
    }

    private static FileSystem fs(java.nio.file.Path root) {
        return new DatasetLayout(root.toString()).fs(SharedSpark.get().sparkContext().hadoopConfiguration());
    }

    private static String read(java.nio.file.Path p) throws Exception {
        return Files.readString(p);
    }

    @Test
    void commitsEveryOutputWithManifestsAndOneMarkerThenSkipsAndForceReplaces() throws Exception {
        java.nio.file.Path root = SharedSpark.tempDir("runner");
        TwoOutputs stage = new TwoOutputs();
        StageResult r = stage.run(ctx(root, "alpha", false));
        assertEquals(StageResult.Outcome.COMMITTED, r.outcome());
        DatasetLayout layout = new DatasetLayout(root.toString());
        Manifest docs = Manifests.read(fs(root), layout.docs("0001"));
        Manifest rejected = Manifests.read(fs(root), layout.rejected("0001"));
        assertNotNull(docs);
        assertNotNull(rejected, "the secondary output is committed through the primary's marker");
        assertEquals(docs.runId(), rejected.runId());
        assertEquals("../../docs/chunk=0001", rejected.commit());
        assertEquals(7L, docs.lineage().seq());
        assertTrue(Files.exists(root.resolve("docs/chunk=0001/" + Manifests.COMMIT_MARKER)));
        assertFalse(Files.exists(root.resolve("rejected/chunk=0001/" + Manifests.COMMIT_MARKER)), "one marker per run");
        assertEquals("alpha", read(root.resolve("docs/chunk=0001/data.txt")));
        assertEquals(0, Files.list(root.resolve("_staging")).count(), "staging is cleaned");
        assertEquals(0, Files.list(root.resolve("_locks")).count(), "locks are released");
        assertTrue(docs.timingsSeconds().containsKey("total"));

        assertEquals(StageResult.Outcome.SKIPPED, stage.run(ctx(root, "alpha", false)).outcome(), "same inputs and config: skipped");
        assertEquals(StageResult.Outcome.COMMITTED, stage.run(ctx(root, "beta", false)).outcome(), "changed config: recomputed");
        assertEquals("beta", read(root.resolve("docs/chunk=0001/data.txt")));
        assertEquals(StageResult.Outcome.COMMITTED, stage.run(ctx(root, "beta", true)).outcome(), "--force recomputes");
        assertEquals(List.of("alpha", "beta", "beta"), stage.computed);
        assertEquals(0, Files.list(root.resolve("_staging")).count(), "replaced outputs are removed after the commit");
    }

    @Test
    void aDryRunSaysWhatWouldRunAndWhyAndWritesNothing() throws Exception {
        java.nio.file.Path root = SharedSpark.tempDir("runner-dry");
        TwoOutputs stage = new TwoOutputs();
        StageResult first = stage.run(dry(ctx(root, "alpha", false)));
        assertEquals(StageResult.Outcome.DRY_RUN, first.outcome());
        assertEquals("would run: no committed output yet", first.detail());
        assertTrue(stage.computed.isEmpty() && !Files.exists(root.resolve("docs")) && !Files.exists(root.resolve("_locks")), "nothing computed or written");
        stage.run(ctx(root, "alpha", false));
        assertTrue(stage.run(dry(ctx(root, "alpha", false))).detail().startsWith("up to date: made from the same inputs, config and code at "));
        assertEquals("would run: config changed (one of export.out)", stage.run(dry(ctx(root, "beta", false))).detail());
        assertEquals("would run: --force", stage.run(dry(ctx(root, "alpha", true))).detail());
        assertEquals(List.of("alpha"), stage.computed, "only the real run computed");
    }

    private static StageContext dry(StageContext c) {
        return new StageContext(c.spark(), c.config(), c.layout(), c.chunk(), c.force(), c.console(), c.registry(), true);
    }

    @Test
    void outputsWithoutTheirRunsMarkerAreNotCommittedAndARerunRecovers() throws Exception {
        java.nio.file.Path root = SharedSpark.tempDir("runner-crash");
        TwoOutputs stage = new TwoOutputs();
        stage.run(ctx(root, "alpha", false));
        DatasetLayout layout = new DatasetLayout(root.toString());
        // what a crash between the renames and the marker leaves: outputs with manifests of a run whose marker was never written
        java.nio.file.Path m = root.resolve("rejected/chunk=0001/_MANIFEST.json");
        Files.writeString(m, Files.readString(m).replaceAll("\"run_id\" : \"[0-9a-f]+\"", "\"run_id\" : \"000000000000\""));
        assertNull(Manifests.read(fs(root), layout.rejected("0001")), "a secondary output of a run without a marker is not readable");
        assertNotNull(Manifests.read(fs(root), layout.docs("0001")));

        // a torn (zero-byte) manifest, as the old in-place writes could leave: not committed, and not an exception
        Files.writeString(root.resolve("docs/chunk=0001/_MANIFEST.json"), "");
        assertNull(Manifests.read(fs(root), layout.docs("0001")));
        assertEquals(StageResult.Outcome.COMMITTED, stage.run(ctx(root, "alpha", false)).outcome(), "the rerun recomputes");
        assertNotNull(Manifests.read(fs(root), layout.rejected("0001")));
        Files.writeString(root.resolve("docs/chunk=0001/_MANIFEST.json"), "{\"stage\": \"twoout\", \"chu");
        assertEquals(StageResult.Outcome.COMMITTED, stage.run(ctx(root, "alpha", true)).outcome(), "a half-written manifest with --force too");
        assertEquals("alpha", read(root.resolve("docs/chunk=0001/data.txt")));
    }

    @Test
    void refusesToReplaceWhatLmforgeDidNotWriteAndKeepsIt() throws Exception {
        java.nio.file.Path root = SharedSpark.tempDir("runner-foreign");
        Files.createDirectories(root.resolve("docs/chunk=0001"));
        Files.writeString(root.resolve("docs/chunk=0001/precious.txt"), "mine");
        ConfigError e = assertThrows(ConfigError.class, () -> new TwoOutputs().run(ctx(root, "alpha", false)));
        assertTrue(e.getMessage().contains("not written by lmforge"), e.getMessage());
        assertEquals("mine", read(root.resolve("docs/chunk=0001/precious.txt")));

        java.nio.file.Path elsewhere = SharedSpark.tempDir("runner-out");
        TwoOutputs out = new TwoOutputs();
        out.outside = new Path(elsewhere.resolve("export").toString());
        Files.createDirectories(elsewhere.resolve("export"));
        assertEquals(StageResult.Outcome.COMMITTED, out.run(ctx(root, "x", false)).outcome(), "an empty directory is fine");
        assertEquals("x", read(elsewhere.resolve("export/data.txt")));
        assertEquals(StageResult.Outcome.COMMITTED, out.run(ctx(root, "y", false)).outcome(), "its own earlier output is replaced");
        assertEquals("y", read(elsewhere.resolve("export/data.txt")));
        assertEquals(1, Files.list(elsewhere).count(), "nothing left beside the output: " + Files.list(elsewhere).toList());
    }

    @Test
    void aStageCannotReadConfigItDidNotDeclare() throws Exception {
        TwoOutputs stage = new TwoOutputs();
        stage.readUndeclared = "ingest.input.format";
        java.nio.file.Path root = SharedSpark.tempDir("runner-config");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> stage.run(ctx(root, "a", false)));
        assertTrue(e.getMessage().contains("'ingest.input.format'"), e.getMessage());
        assertTrue(!Files.exists(root.resolve("_staging")) || Files.list(root.resolve("_staging")).count() == 0, "a failed run leaves no staging");
        assertFalse(Files.exists(root.resolve("docs/chunk=0001")));
        stage.readUndeclared = "report.out";
        assertEquals(StageResult.Outcome.COMMITTED, stage.run(ctx(root, "a", false)).outcome(), "runtime keys are readable");
    }

    @Test
    void aSecondRunOfTheSameStageAndChunkIsRefusedWhileTheFirstHoldsItsLock() throws Exception {
        java.nio.file.Path root = SharedSpark.tempDir("runner-lock");
        TwoOutputs stage = new TwoOutputs();
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        StageEvents.Listener hold = (s, chunk, point) -> {
            if (point == StageEvents.Point.LOCKED && Thread.currentThread().getName().equals("first")) {
                locked.countDown();
                await(release);
            }
        };
        StageEvents.add(hold);
        try {
            CompletableFuture<StageResult> first = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    first.complete(stage.run(ctx(root, "first", false)));
                } catch (Exception e) {
                    first.completeExceptionally(e);
                }
            }, "first");
            t.start();
            assertTrue(locked.await(60, TimeUnit.SECONDS));
            LockedException e = assertThrows(LockedException.class, () -> stage.run(ctx(root, "second", false)));
            assertTrue(e.getMessage().contains("twoout 0001 is locked by pid " + ProcessHandle.current().pid()), e.getMessage());
            release.countDown();
            assertEquals(StageResult.Outcome.COMMITTED, first.get(60, TimeUnit.SECONDS).outcome());
            assertEquals("first", read(root.resolve("docs/chunk=0001/data.txt")));
        } finally {
            release.countDown();
            StageEvents.remove(hold);
        }
    }

    @Test
    void aLockWhoseHolderDiedIsTakenOverWithANote() throws Exception {
        java.nio.file.Path root = SharedSpark.tempDir("runner-stale");
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        Files.createDirectories(root.resolve("_locks"));
        Files.writeString(root.resolve("_locks/twoout+0001.lock"), new io.lmforge.core.commit.LockOwner("deadbeef0000", "twoout 0001", dead.pid(),
                java.net.InetAddress.getLocalHost().getHostName(), "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z").toJson());
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        StageContext c = ctx(root, "v", false);
        c = new StageContext(c.spark(), c.config(), c.layout(), c.chunk(), false, new PrintStream(console, true, StandardCharsets.UTF_8), c.registry());
        assertEquals(StageResult.Outcome.COMMITTED, new TwoOutputs().run(c).outcome());
        assertTrue(console.toString(StandardCharsets.UTF_8).contains("which is no longer running (killed?): taking it over"), console.toString());

        // a holder on another host can never be proven dead: reported, never broken
        Files.writeString(root.resolve("_locks/twoout+0001.lock"), new io.lmforge.core.commit.LockOwner("deadbeef0001", "twoout 0001", 1,
                "some-other-host", "", "2026-01-01T00:00:00Z").toJson());
        LockedException e = assertThrows(LockedException.class, () -> new TwoOutputs().run(ctx(root, "w", false)));
        assertTrue(e.getMessage().contains("remove " + new Path(root.resolve("_locks/twoout+0001.lock").toString())), e.getMessage());
        assertTrue(Files.exists(root.resolve("_locks/twoout+0001.lock")));
    }

    @Test
    void runsSharingALockTakeTurnsAndTheSecondSeesTheFirstsCommit() throws Exception {
        java.nio.file.Path root = SharedSpark.tempDir("runner-shared");
        CountDownLatch firstLocked = new CountDownLatch(1);
        CountDownLatch secondWaiting = new CountDownLatch(1);
        StageEvents.Listener order = (s, chunk, point) -> {
            if (point == StageEvents.Point.LOCKED && "0001".equals(chunk)) {
                firstLocked.countDown();
                await(secondWaiting);
            }
            if (point == StageEvents.Point.WAITING && "0002".equals(chunk)) {
                secondWaiting.countDown();
            }
        };
        StageEvents.add(order);
        try {
            TwoOutputs stage = new TwoOutputs();
            CompletableFuture<StageResult> first = CompletableFuture.supplyAsync(() -> {
                try {
                    return stage.run(ctx(root, "one", false));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertTrue(firstLocked.await(60, TimeUnit.SECONDS));
            StageContext second = ctx(root, "two", false).withChunk("0002");
            assertEquals(StageResult.Outcome.COMMITTED, stage.run(second).outcome(), "waited for the shared lock, then ran");
            assertEquals(StageResult.Outcome.COMMITTED, first.get(60, TimeUnit.SECONDS).outcome());
            assertEquals("two", read(root.resolve("docs/chunk=0002/data.txt")));
        } finally {
            secondWaiting.countDown();
            StageEvents.remove(order);
        }
    }

    private static void await(CountDownLatch l) {
        try {
            l.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
