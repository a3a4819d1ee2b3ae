package io.lmforge.training.stage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmforge.core.config.PipelineConfig;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Lineage;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.testing.Fixtures;
import io.lmforge.core.stage.StageContext;
import io.lmforge.core.stage.StageRegistry;
import io.lmforge.core.stage.StageResult;
import io.lmforge.core.testing.SharedSpark;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The train stage on committed mix chunks of real sample text (byte tokens), tiny model, local[2]. */
class TrainStageTest {
    private static final int SEQ = 16;
    private static Path root;

    @BeforeAll
    static void commitMix() throws Exception {
        root = SharedSpark.tempDir("train");
        DatasetLayout layout = new DatasetLayout(root.toString());
        Fixtures.commit(SharedSpark.get(), layout, "tokenizer-train", null, layout.tokenizer("v1"), staged -> {
            Path dir = Path.of(staged.toString());
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("tokenizer.json"), "{\"added_tokens\":[{\"id\":0,\"content\":\"<|endoftext|>\"}],\"model\":{\"vocab\":{\"x\":256}}}");
        }, Map.of(), new Lineage(null, "v1", null));
        Fixtures.arrive(SharedSpark.get(), layout, "0001", "0002", "0003");
        byte[] text = Files.readAllBytes(SharedSpark.repoRoot().toPath().resolve("data/sample/chunk-0002/text/ud-fr.txt"));
        writeMix("0001", text, 0);
        writeMix("0002", text, 16_000);
        Fixtures.commit(SharedSpark.get(), layout, "mix", "0003", layout.mix("0003"), staged -> SharedSpark.get() // a chunk that packed nothing
                .createDataFrame(List.of(), io.lmforge.core.dataset.DatasetSchemas.SEQUENCES)
                .write().parquet(new org.apache.hadoop.fs.Path(staged, "train").toString()), Map.of(), new Lineage(null, "v1", SEQ));
    }

    private static void writeMix(String chunk, byte[] text, int from) throws Exception {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 96; i++) {
            List<Integer> t = new ArrayList<>();
            for (int k = 0; k <= SEQ; k++) {
                t.add(1 + (text[from + i * SEQ + k] & 0xFF));
            }
            rows.add(RowFactory.create((long) i, t));
        }
        List<Row> heldout = new ArrayList<>(); // documents after the packed text: what train.mode = pbt scores members on
        for (int d = 0; d < 6; d++) {
            List<Integer> t = new ArrayList<>();
            for (int k = 0; k < 40; k++) {
                t.add(1 + (text[from + 96 * (SEQ + 1) + d * 40 + k] & 0xFF));
            }
            heldout.add(RowFactory.create(chunk + "-h" + d, 40, 40, t));
        }
        DatasetLayout layout = new DatasetLayout(root.toString());
        Fixtures.commit(SharedSpark.get(), layout, "mix", chunk, layout.mix(chunk), staged -> {
            SharedSpark.get().createDataFrame(rows,
                            new StructType().add("seq_id", DataTypes.LongType).add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false)))
                    .write().parquet(new org.apache.hadoop.fs.Path(staged, "train").toString());
            SharedSpark.get().createDataFrame(heldout, new StructType().add("doc_id", DataTypes.StringType).add("n_bytes", DataTypes.IntegerType)
                            .add("n_tokens", DataTypes.IntegerType).add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false)))
                    .write().parquet(new org.apache.hadoop.fs.Path(staged, "heldout/lang=fr").toString());
        }, Map.of(), new Lineage(null, "v1", SEQ));
    }

    private static StageResult train(String chunk, String... sets) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try {
            return train(chunk, console, sets);
        } finally {
            System.out.print(console.toString(StandardCharsets.UTF_8));
        }
    }

    private static StageResult train(String chunk, java.io.OutputStream console, String... sets) throws Exception {
        List<String> s = new ArrayList<>(List.of("train.model.layers=1", "train.model.d-model=32", "train.model.heads=2", "train.workers=2",
                "train.batch-per-worker=4", "train.averaging-frequency=2", "train.max-rounds-per-chunk=3",
                "train.optimizer.learning-rate=3e-3", "train.optimizer.warmup-steps=2"));
        s.addAll(List.of(sets));
        StageContext ctx = new StageContext(SharedSpark.get(), PipelineConfig.load(null, s), new DatasetLayout(root.toString()), chunk, false,
                new PrintStream(console, true, StandardCharsets.UTF_8), new StageRegistry());
        return new TrainStage().run(ctx);
    }

    private static JsonNode state(String run, String chunk) throws Exception {
        return new ObjectMapper().readTree(root.resolve("models/" + run + "/chunk=" + chunk + "/training_state.json").toFile());
    }

    @Test
    void eachChunkContinuesTheRunAndWritesCheckpointAndMetrics() throws Exception {
        assertEquals(StageResult.Outcome.COMMITTED, train("0001").outcome());
        JsonNode s1 = state("default", "0001");
        assertTrue(Files.exists(root.resolve("models/default/chunk=0001/model.zip")));
        assertEquals(3 * 2, s1.get("step").asInt(), "3 rounds x averaging-frequency 2 (DL4J counts iterations per worker)");
        assertEquals(StageResult.Outcome.COMMITTED, train("0002").outcome());
        JsonNode s2 = state("default", "0002");
        assertEquals("0001", s2.get("continued_from").asText());
        assertTrue(s2.get("step").asInt() > s1.get("step").asInt(), "the step counter continues: " + s2);
        assertTrue(s2.get("tokens_seen").asLong() > s1.get("tokens_seen").asLong());
        List<Row> metrics = SharedSpark.get().read().parquet(root.resolve("models/default/metrics").toString()).orderBy("step").collectAsList();
        assertEquals(6, metrics.size(), "one row per averaging round over two chunks");
        double firstLoss = metrics.get(0).getDouble(metrics.get(0).fieldIndex("loss"));
        double lastLoss = metrics.get(5).getDouble(metrics.get(5).fieldIndex("loss"));
        assertTrue(firstLoss < Math.log(257) + 0.5 && lastLoss < firstLoss, "loss per token " + firstLoss + " -> " + lastLoss);
        assertEquals(StageResult.Outcome.SKIPPED, train("0002").outcome());
        assertEquals(StageResult.Outcome.SKIPPED, train("0001").outcome(), "a later chunk's checkpoint does not make chunk 0001 stale");
    }

    @Test
    void replayMixesADeterministicShareOfEarlierChunksSequencesIntoTraining() throws Exception {
        train("0001", "train.run=replay", "train.replay.fraction=0.5");
        assertEquals(0, state("replay", "0001").get("replayed_sequences").asInt(), "nothing earlier to replay");
        train("0002", "train.run=replay", "train.replay.fraction=0.5", "train.max-rounds-per-chunk=0");
        JsonNode s = state("replay", "0002");
        assertEquals(48, s.get("replayed_sequences").asInt(), "half of chunk 0002's 96 sequences, from chunk 0001");
        assertEquals("0001", s.get("replayed_from").get(0).asText());
        Manifest m = Manifest.fromJson(Files.readString(root.resolve("models/replay/chunk=0002/" + Manifest.FILE_NAME)));
        assertEquals(2L, m.lineage().seq(), "the chunk's arrival number is in the checkpoint's lineage");
        assertEquals((96 + 48) / 4, m.count("batches"), "96 + 48 sequences in minibatches of 4");
        io.lmforge.core.config.ConfigError gap = org.junit.jupiter.api.Assertions.assertThrows(io.lmforge.core.config.ConfigError.class, () -> train("0002", "train.run=replay2", "train.replay.fraction=0.5"));
        assertTrue(gap.getMessage().contains("train 0002 must wait for chunk 0001"), gap.getMessage());
        // a run that starts at a later chunk on purpose
        train("0002", "train.run=replay2", "train.replay.fraction=0.5", "train.max-rounds-per-chunk=0", "pipeline.allow-gaps=true");
        assertEquals(0, state("replay2", "0002").get("replayed_sequences").asInt(), "a run without earlier checkpoints replays nothing");
        train("0001", "train.run=replay3", "train.replay.fraction=0.5");
        train("0002", "train.run=replay3", "train.replay.fraction=0.5", "train.max-rounds-per-chunk=0");
        assertEquals(losses("replay", "0002"), losses("replay3", "0002"), "the same draw and order on every run");
    }

    @Test
    void waitKDefersAChunkAndTrainsOnTheGroup() throws Exception {
        StageResult first = train("0001", "train.run=waitk", "train.schedule=wait-k", "train.wait-k=2");
        assertTrue(first.detail().startsWith("deferred: wait-k: 1 of 2"), first.detail());
        assertTrue(Files.notExists(root.resolve("models/waitk/chunk=0001/model.zip")));
        train("0002", "train.run=waitk", "train.schedule=wait-k", "train.wait-k=2");
        JsonNode s = state("waitk", "0002");
        assertEquals(List.of("0001", "0002"), List.of(s.get("chunks").get(0).asText(), s.get("chunks").get(1).asText()));
    }

    @Test
    void aRunKilledMidChunkAndRerunReproducesTheUninterruptedLossCurve() throws Exception {
        train("0001", "train.run=straight");
        train("0002", "train.run=straight");
        train("0001", "train.run=killed");
        // a kill during chunk 0002 leaves only uncommitted files under _staging (the commit is atomic); the rerun removes them
        Path leftover = root.resolve("_staging/train+killed+0002+deadbeef0000/out0");
        Files.createDirectories(leftover);
        Files.writeString(leftover.resolve("model.zip"), "partial");
        train("0002", "train.run=killed");
        assertTrue(Files.notExists(leftover.getParent()), "the dead run's staging is gone");
        List<Double> straight = losses("straight", "0002");
        List<Double> resumed = losses("killed", "0002");
        assertEquals(3, straight.size());
        assertEquals(straight, resumed, "same seed, same checkpoint (weights + Adam state), same data order: same losses");
        assertEquals(state("straight", "0002").get("step").asInt(), state("killed", "0002").get("step").asInt());
    }

    @Test
    void theOuterStepAndScheduleFreeTrainThroughTheStageAndContinueFromTheirSavedState() throws Exception {
        for (String[] run : new String[][]{{"diloco", "train.averaging.outer=nesterov", "train.averaging.inner-state=per-worker"},
                {"sf", "train.optimizer.kind=schedule-free-adamw", "train.averaging.inner-state=averaged"}}) {
            String[] sets = {"train.run=" + run[0], run[1], run[2]};
            assertEquals(StageResult.Outcome.COMMITTED, train("0001", sets).outcome());
            Path state = root.resolve("models/" + run[0] + "/chunk=0001/optimizer_state.safetensors");
            assertTrue(Files.size(state) > 1000, run[0] + ": the optimiser state is saved with the checkpoint");
            assertTrue(Files.exists(root.resolve("models/" + run[0] + "/initial/model.zip")), "the untrained model is kept");
            assertEquals(StageResult.Outcome.COMMITTED, train("0002", sets).outcome());
            assertEquals("0001", state(run[0], "0002").get("continued_from").asText());
            List<Double> l = losses(run[0], "0002");
            assertTrue(l.stream().allMatch(x -> x < Math.log(257)), run[0] + ": losses below uniform " + l);
        }
        // the checkpoint says which optimiser trained it: another one is refused, not silently mixed
        io.lmforge.core.config.ConfigError e = org.junit.jupiter.api.Assertions.assertThrows(io.lmforge.core.config.ConfigError.class,
                () -> train("0002", "train.run=sf", "train.optimizer.kind=adamw", "train.optimizer.warmup-steps=3"));
        assertTrue(e.getMessage().contains("schedule-free") || e.getMessage().contains("SCHEDULE_FREE"), e.getMessage());
        io.lmforge.core.config.ConfigError both = org.junit.jupiter.api.Assertions.assertThrows(io.lmforge.core.config.ConfigError.class,
                () -> train("0001", "train.run=sfouter", "train.optimizer.kind=schedule-free-adamw", "train.averaging.outer=nesterov"));
        assertTrue(both.getMessage().contains("not supported"), both.getMessage());
    }

    @Test
    void sqrtWorkersScalingTrainsTheWorkersAtSqrtKTimesTheConfiguredRate() throws Exception {
        assertEquals(StageResult.Outcome.COMMITTED, train("0001", "train.run=sqrtlr", "train.averaging.inner-lr-scaling=sqrt-workers",
                "train.optimizer.schedule=constant").outcome());
        List<Double> lr = SharedSpark.get().read().parquet(root.resolve("models/sqrtlr/metrics/chunk=0001").toString()).orderBy("step")
                .select("lr").as(org.apache.spark.sql.Encoders.DOUBLE()).collectAsList();
        assertEquals(3e-3 * Math.sqrt(2), lr.get(lr.size() - 1), 1e-15, "2 workers after warm-up: 3e-3 x sqrt 2, " + lr);
        assertTrue(losses("sqrtlr", "0001").stream().allMatch(x -> x < Math.log(257)), "it trains");
        io.lmforge.core.config.ConfigError bad = org.junit.jupiter.api.Assertions.assertThrows(io.lmforge.core.config.ConfigError.class,
                () -> train("0001", "train.run=sqrtbad", "train.averaging.inner-lr-scaling=linear"));
        assertTrue(bad.getMessage().contains("inner-lr-scaling"), bad.getMessage());
    }

    @Test
    void aNormFormerRunTrainsUnderAveragingContinuesAndIsKeptAsItWasBuilt() throws Exception {
        String[] nf = {"train.run=nf", "train.model.normformer=true", "train.model.normformer-residual-scale=true"};
        assertEquals(StageResult.Outcome.COMMITTED, train("0001", nf).outcome());
        assertEquals("normformer+resscale", state("nf", "0001").get("architecture").asText());
        assertEquals(StageResult.Outcome.COMMITTED, train("0002", nf).outcome());
        List<Double> l = losses("nf", "0002");
        assertTrue(l.stream().allMatch(x -> x < Math.log(257)), "losses below uniform " + l);
        // the checkpoint is a NormFormer: a config that no longer says so is refused, not silently ignored
        io.lmforge.core.config.ConfigError changed = org.junit.jupiter.api.Assertions.assertThrows(io.lmforge.core.config.ConfigError.class,
                () -> train("0002", "train.run=nf", "train.optimizer.warmup-steps=3"));
        assertTrue(changed.getMessage().contains("normformer+resscale with layers=1") && changed.getMessage().contains("gpt2 with layers=1"),
                changed.getMessage());
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        StageContext ctx = new StageContext(SharedSpark.get(), PipelineConfig.load(null, List.of("train.run=nf")), new DatasetLayout(root.toString()),
                "0002", false, new PrintStream(console, true, StandardCharsets.UTF_8), new StageRegistry());
        io.lmforge.core.config.ConfigError export = org.junit.jupiter.api.Assertions.assertThrows(io.lmforge.core.config.ConfigError.class,
                () -> new ExportHfStage().run(ctx));
        assertTrue(export.getMessage().contains("GPT-2 config cannot express"), export.getMessage());
    }

    @Test
    void aGrowingRunAddsABlockPerChunkAndTrainsOn() throws Exception {
        String[] grow = {"train.run=grow", "train.grow.layers-per-chunk=1", "train.grow.max-layers=2"};
        train("0001", grow);
        assertEquals(1, manifest("grow", "0001").count("layers"));
        StageResult second = train("0002", grow);
        assertEquals(StageResult.Outcome.COMMITTED, second.outcome());
        assertEquals(2, manifest("grow", "0002").count("layers"), "one block added before chunk 0002");
        List<Double> l = losses("grow", "0002");
        List<Double> first = losses("grow", "0001");
        assertTrue(l.get(0) < first.get(0), "the grown model starts where the small one was, not from scratch: " + first + " -> " + l);
        String[] again = {"train.run=grow-again", "train.grow.layers-per-chunk=1", "train.grow.max-layers=2"};
        train("0001", again);
        train("0002", again);
        assertEquals(l, losses("grow-again", "0002"), "growth is deterministic: the same run gives the same losses");
    }

    @Test
    void aMixtureOfExpertsRunTrainsUnderAveragingAndRecordsItsRouting() throws Exception {
        String[] moe = {"train.run=moe", "train.model.layers=2", "train.model.moe.experts=4", "train.grow.layers-per-chunk=0"};
        assertEquals(StageResult.Outcome.COMMITTED, train("0001", moe).outcome());
        assertEquals("gpt2+moe4top2", state("moe", "0001").get("architecture").asText());
        List<Row> rows = SharedSpark.get().read().parquet(root.resolve("models/moe/metrics/chunk=0001").toString()).orderBy("step").collectAsList();
        assertEquals(3, rows.size());
        for (Row r : rows) {
            List<Double> load = r.getList(r.fieldIndex("expert_load"));
            assertEquals(4, load.size(), "one MoE block (block 1 of 2), 4 experts");
            assertEquals(1.0, load.stream().mapToDouble(Double::doubleValue).sum(), 1e-5, "first-choice shares sum to 1");
            double balance = r.getDouble(r.fieldIndex("balance_loss"));
            assertTrue(balance >= 1.0 - 1e-6 && balance <= 4.0 + 1e-6, "E²·mean(m·c) is 1 when balanced, at most E: " + balance);
            double dropped = r.getDouble(r.fieldIndex("dropped_share"));
            assertTrue(dropped >= 0 && dropped < 1, "dropped share " + dropped);
            assertTrue(r.getDouble(r.fieldIndex("loss")) < Math.log(257) + 0.1, "loss " + r);
        }
    }

    private static final List<String> PBT = List.of("train.mode=pbt", "train.pbt.population=3", "train.pbt.ready-rounds=1",
            "train.pbt.fraction=0.34", "train.pbt.heldout-docs=4", "train.pbt.hyperparameters.learning-rate=[1e-3, 1e-2]");

    private static String[] pbt(String run, String... more) {
        List<String> s = new ArrayList<>(PBT);
        s.add("train.run=" + run);
        s.addAll(List.of(more));
        return s.toArray(String[]::new);
    }

    @Test
    void aPopulationTrainsEachChunkCopiesItsBestIntoItsWorstCheckpointsTheBestMemberAndResumesAfterAKill() throws Exception {
        assertEquals(StageResult.Outcome.COMMITTED, train("0001", pbt("pbt")).outcome());
        List<Row> lineage = lineage("pbt", "0001");
        assertEquals(9, lineage.size(), "3 ready points (one per round) x 3 members");
        for (int ready = 0; ready < 3; ready++) {
            List<Row> at = lineage.subList(3 * ready, 3 * ready + 3);
            double[] scores = at.stream().mapToDouble(r -> r.getDouble(r.fieldIndex("score"))).toArray();
            int best = io.lmforge.training.pbt.PbtDecisions.ranking(scores)[0];
            int worst = io.lmforge.training.pbt.PbtDecisions.ranking(scores)[2];
            for (Row r : at) {
                int m = r.getInt(r.fieldIndex("member"));
                Map<String, Double> used = r.getJavaMap(r.fieldIndex("hyperparameters"));
                Map<String, Double> next = r.getJavaMap(r.fieldIndex("next_hyperparameters"));
                assertEquals(m == worst, r.getBoolean(r.fieldIndex("exploited")), "only the worst of 3 copies (truncation 1 of 3): " + r);
                if (m == worst) {
                    assertEquals(best, r.getInt(r.fieldIndex("parent")), "the worst copies the best");
                    Map<String, Double> parents = at.get(best).getJavaMap(at.get(best).fieldIndex("hyperparameters"));
                    double factor = next.get("learning-rate") / parents.get("learning-rate");
                    assertTrue(Math.abs(factor - 0.8) < 1e-9 || Math.abs(factor - 1.2) < 1e-9, "perturbed by 0.8 or 1.2: " + factor);
                } else {
                    assertEquals(m, r.getInt(r.fieldIndex("parent")));
                    assertEquals(used, next);
                }
                if (ready < 2) { // what a member trains with next is what its row said
                    Row later = lineage.get(3 * (ready + 1) + m);
                    assertEquals(next, later.getJavaMap(later.fieldIndex("hyperparameters")));
                }
            }
        }
        // model.zip is the best member: it scores on the held-out documents what the population recorded
        JsonNode population = new ObjectMapper().readTree(root.resolve("models/pbt/chunk=0001/population/population.json").toFile());
        int best = population.get("best").asInt();
        double recorded = population.get("members").get(best).get("score").asDouble();
        assertEquals(recorded, ((Number) manifest("pbt", "0001").counts().get("best_bpb")).doubleValue());
        List<int[]> docs = new ArrayList<>();
        for (Row r : SharedSpark.get().read().parquet(root.resolve("mix/chunk=0001/heldout").toString()).orderBy("doc_id").limit(4).collectAsList()) {
            docs.add(r.<Integer>getList(r.fieldIndex("tokens")).stream().mapToInt(Integer::intValue).toArray());
        }
        org.deeplearning4j.nn.graph.ComputationGraph model = io.lmforge.training.model.ModelFiles.load(
                org.apache.hadoop.fs.FileSystem.getLocal(new org.apache.hadoop.conf.Configuration()),
                new org.apache.hadoop.fs.Path(root.resolve("models/pbt/chunk=0001/model.zip").toString()));
        assertEquals(recorded, new io.lmforge.training.pbt.HeldOutSet(docs, 160, 0).bitsPerByte(model, 8), 1e-6);
        assertTrue(recorded < 8, "below uniform guessing over 257 byte tokens: " + recorded);

        ByteArrayOutputStream second = new ByteArrayOutputStream();
        assertEquals(StageResult.Outcome.COMMITTED, train("0002", second, pbt("pbt")).outcome());
        assertTrue(second.toString(StandardCharsets.UTF_8).contains("continuing the population of chunk 0001"), second.toString(StandardCharsets.UTF_8));
        assertEquals(List.of(3L, 4L, 5L), lineage("pbt", "0002").stream().map(r -> r.getLong(r.fieldIndex("ready"))).distinct().toList());
        assertEquals("0001", state("pbt", "0002").get("continued_from").asText());
        assertEquals(12, state("pbt", "0002").get("step").asInt(), "2 chunks x 3 rounds x 2 steps, one member's steps");
        aPopulationKilledMidChunkResumesFromItsLastCommitAndRepeatsTheUninterruptedRun("pbt");
    }

    @Test
    void aPopulationOfOneWithNothingSearchedTrainsExactlyAsOneWorkerDoes() throws Exception {
        String[] one = {"train.mode=pbt", "train.pbt.population=1", "train.pbt.hyperparameters.learning-rate=[]",
                "train.pbt.hyperparameters.weight-decay=[]", "train.pbt.heldout-docs=2", "train.run=pop1"};
        for (String chunk : List.of("0001", "0002")) {
            train(chunk, "train.workers=1", "train.run=solo");
            train(chunk, one);
            assertEquals(losses("solo", chunk), losses("pop1", chunk), "chunk " + chunk + ": same weights, optimiser, data and steps: same losses");
        }
    }

    @Test
    void anEmptyChunkCommitsThePopulationAsItWas() throws Exception {
        assertEquals(StageResult.Outcome.COMMITTED, train("0001", pbt("pbtempty")).outcome());
        assertEquals(StageResult.Outcome.COMMITTED, train("0003", pbt("pbtempty", "pipeline.allow-gaps=true")).outcome(), "nothing to train on, nothing held out: not an error");
        assertEquals(0, lineage("pbtempty", "0003").size());
        assertEquals(Files.readString(root.resolve("models/pbtempty/chunk=0001/population/population.json")),
                Files.readString(root.resolve("models/pbtempty/chunk=0003/population/population.json")));
    }

    /** Another run of the same configuration, its driver killed in chunk 0002, against the uninterrupted run {@code straight}. */
    private static void aPopulationKilledMidChunkResumesFromItsLastCommitAndRepeatsTheUninterruptedRun(String straight) throws Exception {
        train("0001", pbt("pbtkilled"));
        java.io.OutputStream dying = new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                super.write(b, off, len);
                if (toString(StandardCharsets.UTF_8).contains("[pbt 0002] ready 5")) {
                    throw new IllegalStateException("the driver dies at the second ready point of chunk 0002");
                }
            }
        };
        StageResult died = null;
        try {
            died = train("0002", dying, pbt("pbtkilled"));
        } catch (Exception e) {
            assertTrue(String.valueOf(e.getMessage()).contains("driver dies") || String.valueOf(e.getCause()).contains("driver dies"), e.toString());
        }
        assertTrue(died == null || died.outcome() != StageResult.Outcome.COMMITTED, "nothing committed");
        assertTrue(Files.notExists(root.resolve("models/pbtkilled/chunk=0002/model.zip")));
        assertEquals(StageResult.Outcome.COMMITTED, train("0002", pbt("pbtkilled")).outcome());
        List<String> cols = List.of("ready", "member", "hyperparameters", "train_loss", "score", "parent", "next_hyperparameters");
        for (String chunk : List.of("0001", "0002")) {
            assertEquals(project(lineage(straight, chunk), cols), project(lineage("pbtkilled", chunk), cols),
                    "chunk " + chunk + ": same seed, same population, same data: the same lineage");
        }
    }

    private static List<Row> lineage(String run, String chunk) {
        return SharedSpark.get().read().parquet(root.resolve("pbt/" + run + "/lineage/chunk=" + chunk).toString()).orderBy("ready", "member").collectAsList();
    }

    private static List<String> project(List<Row> rows, List<String> cols) {
        return rows.stream().map(r -> cols.stream().map(c -> String.valueOf(r.get(r.fieldIndex(c)))).toList().toString()).toList();
    }

    private static Manifest manifest(String run, String chunk) throws Exception {
        return Manifest.fromJson(Files.readString(root.resolve("models/" + run + "/chunk=" + chunk + "/" + Manifest.FILE_NAME)));
    }

    private static List<Double> losses(String run, String chunk) {
        return SharedSpark.get().read().parquet(root.resolve("models/" + run + "/metrics/chunk=" + chunk).toString()).orderBy("step")
                .select("loss").as(org.apache.spark.sql.Encoders.DOUBLE()).collectAsList();
    }
}
