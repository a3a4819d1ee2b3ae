package io.lmforge.training.stage;

import io.lmforge.core.config.ConfigError;
import io.lmforge.core.config.PipelineConfig;
import io.lmforge.core.dataset.ChunkRegistry;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.DatasetSchemas;
import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.dataset.HadoopFiles;
import io.lmforge.core.dataset.Lineage;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.ModelHeader;
import io.lmforge.core.dataset.RunCheckpoints;
import io.lmforge.core.dataset.TokenizerHeader;
import io.lmforge.core.stage.Computed;
import io.lmforge.core.stage.DatasetStage;
import io.lmforge.core.stage.StageContext;
import io.lmforge.core.stage.StagePlan;
import io.lmforge.core.stage.StageRun;
import io.lmforge.core.stage.StageSpec;
import io.lmforge.training.model.Architecture;
import io.lmforge.training.model.Gpt2Layer;
import io.lmforge.training.model.ModelGrowth;
import io.lmforge.training.model.Moe;
import io.lmforge.training.model.MoeStatistics;
import io.lmforge.training.data.SequenceBatches;
import org.nd4j.linalg.api.ndarray.INDArray;
import io.lmforge.training.model.Gpt2Model;
import io.lmforge.training.model.ModelFiles;
import io.lmforge.training.spark.OpenMpWaitPolicy;
import io.lmforge.training.optim.InnerStep;
import org.nd4j.linalg.schedule.ISchedule;
import io.lmforge.training.optim.OptimizerSpec;
import io.lmforge.training.rounds.AveragingRounds;
import io.lmforge.training.rounds.OuterOptimizer;
import io.lmforge.training.rounds.RoundData;
import io.lmforge.training.rounds.RoundState;
import io.lmforge.training.rounds.RoundStateFile;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * `train --chunk ID`: continues the run's latest checkpoint (or a new GPT-2) on mix/chunk=ID/train
 * in averaging rounds on Spark (io.lmforge.training.rounds), and commits models/&lt;run&gt;/chunk=ID/ (model + updater,
 * training state) and models/&lt;run&gt;/metrics/chunk=ID/ (one row per averaging round).
 * With train.schedule = wait-k, a chunk that completes no group of k is recorded as deferred.
 */
public final class TrainStage extends DatasetStage<TrainStage.Plan> {
    public static final String NAME = "train";
    private static final StageSpec SPEC = StageSpec.of(NAME,
                    "train the GPT-2-style model on a chunk's packed sequences (DL4J, Spark parameter averaging), continuing the run")
            .perChunk()
            .reads("mix/chunk=ID/train (and mix of deferred chunks under wait-k), tokenizer/<version>/tokenizer.json,",
                    "models/<run>/chunk=<latest>/model.zip to continue from")
            .writes("models/<run>/chunk=ID/        model.zip (with Adam state), training_state.json, _MANIFEST.json",
                    "                               (train.mode = pbt: the best member, and population/ with every member)",
                    "models/<run>/metrics/chunk=ID/  step, chunk, round, loss, lr, tokens, tokens_per_s, tokens_seen, elapsed_s",
                    "pbt/<run>/lineage/chunk=ID/     train.mode = pbt: member, ready point, hyperparameters, score, parent")
            .config("train")
            .notes("Chunks of one run train one after another (a shared lock per run): each continues the checkpoint of the one before.")
            .build();

    /**
     * What the plan resolved: the chunk's arrival number, the checkpoint to continue (null: new model),
     * the chunks trained on now (deferred ones under wait-k plus this one) and the run's history before it.
     */
    record Plan(long seq, RunCheckpoints.Entry latest, List<String> group, List<RunCheckpoints.Entry> history,
                String tokenizerVersion, int seqLen) {
    }

    @Override
    public StageSpec spec() {
        return SPEC;
    }

    @Override
    public org.apache.hadoop.fs.Path committedOutput(StageContext ctx, String chunk) {
        return ctx.layout().model(ctx.config().getString("train.run"), chunk);
    }

    /** A chunk that kept no document before any tokenizer existed has nothing to train on. */
    @Override
    public String passOver(StageContext ctx, FileSystem fs) throws java.io.IOException {
        return passOverChunkBeforeTokenizer(ctx, fs);
    }

    /** A run trains chunk N from its checkpoint of the chunk before. */
    @Override
    public boolean arrivalOrdered() {
        return true;
    }

    @Override
    public List<String> scope(StageContext ctx) {
        return List.of(DatasetLayout.checkName(ctx.config().getString("train.run"), "train.run"), ctx.chunk());
    }

    @Override
    public List<String> sharedLocks(StageContext ctx) {
        return List.of("train-run+" + ctx.config().getString("train.run"));
    }

    @Override
    public StagePlan<Plan> plan(StageContext ctx) throws Exception {
        String chunk = ctx.chunk();
        DatasetLayout layout = ctx.layout();
        FileSystem fs = layout.fs(ctx.spark().sparkContext().hadoopConfiguration());
        RunCheckpoints ckpts = new RunCheckpoints(fs, layout, ctx.config().getString("train.run"));
        StagePlan<Plan> plan = new StagePlan<>(fs);
        Manifest mix = plan.input("mix", layout.mix(chunk), "run mix --chunk " + chunk + " first");
        long seq = new ChunkRegistry(fs, layout).arrival(chunk);
        if (seq == Long.MAX_VALUE) {
            throw new ConfigError("train " + chunk + ": the chunk has no arrival number (run dedup --chunk " + chunk + " first)");
        }
        plan.fact("seq", seq);
        List<RunCheckpoints.Entry> history = new ArrayList<>(ckpts.entries());
        history.removeIf(e -> e.chunk().equals(chunk) || e.seq() >= seq); // only the history before this chunk matters
        RunCheckpoints.Entry latest = null;
        List<String> group = new ArrayList<>();
        for (RunCheckpoints.Entry e : history) {
            plan.input("checkpoint " + e.chunk(), ckpts.chunkDir(e.chunk()), "train --chunk " + e.chunk());
            if (e.trained()) {
                latest = e;
                group.clear();
            } else {
                group.add(e.chunk()); // deferred by wait-k, not yet trained on
            }
        }
        group.add(chunk);
        Lineage l = mix.lineageOrNone();
        plan.payload(new Plan(seq, latest, group, history, l.requireTokenizer("mix chunk " + chunk), l.seqLen()))
                .output("model", ckpts.chunkDir(chunk))
                .output("metrics", layout.metrics(ckpts.run(), chunk));
        if (pbtMode(ctx.config())) {
            plan.output("lineage", layout.pbtLineage(ckpts.run(), chunk));
        }
        if (latest == null) { // the run's first model: its untrained state is kept too (eval --chunk initial)
            plan.output("initial", layout.modelInitial(ckpts.run()));
        }
        return plan;
    }

    @Override
    public Computed compute(StageRun<Plan> run) throws Exception {
        Plan p = run.payload();
        String schedule = run.config().getEnum("train.schedule");
        int k = schedule.equals("wait-k") ? run.config().getInt("train.wait-k") : 1;
        if (p.group().size() < k) {
            Datasets.writeChunkRows(run.spark(), List.of(), DatasetSchemas.TRAIN_METRICS, run.staged("metrics"));
            if (pbtMode(run.config())) {
                Datasets.writeChunkRows(run.spark(), List.of(), DatasetSchemas.PBT_LINEAGE, run.staged("lineage"));
            }
            Map<String, Object> counts = new LinkedHashMap<>();
            counts.put("trained", 0);
            counts.put("reason", String.format(Locale.ROOT, "wait-k: %d of %d chunks gathered (%s)", p.group().size(), k, p.group()));
            return new Computed(counts, new Lineage(p.seq(), p.tokenizerVersion(), p.seqLen()), "deferred: " + counts.get("reason"));
        }
        return train(run, p);
    }

    private Computed train(StageRun<Plan> run, Plan p) throws Exception {
        String chunk = run.chunk();
        PipelineConfig c = run.config();
        FileSystem fs = run.fs();
        DatasetLayout layout = run.layout();
        long t0 = System.nanoTime();
        Dataset<Row> sequences = groupSequences(run, p);
        Replay replay = replay(run, c, layout, p.history(), p.group(), sequences, p.tokenizerVersion(), p.seqLen());
        if (replay.sequences() != null) {
            sequences = sequences.unionByName(replay.sequences());
        }
        int vocab = TokenizerHeader.read(fs, layout, p.tokenizerVersion()).vocabSize();
        RunCheckpoints ckpts = new RunCheckpoints(fs, layout, c.getString("train.run"));
        OptimizerSpec opt = pbtMode(c) ? OptimizerSpec.from(c)
                : OptimizerSpec.from(c).forWorkers(c.getEnum("train.averaging.inner-lr-scaling"), c.getInt("train.workers"));
        AveragingRounds.Settings settings = averaging(c, opt);
        Start start = start(run, ckpts, p, vocab, opt);
        ComputationGraph net = start.net();
        InnerStep driverStep = opt.newStep();
        RoundState state = start.state() != null ? start.state() : RoundState.fresh(driverStep.state(net), (int) net.numParams());
        if (p.latest() == null) {
            saveCheckpoint(fs, run.staged("initial"), net, state, opt, new ModelHeader(0, 0, List.of(), null, c.getLong("train.seed"), 0,
                    List.of(), p.tokenizerVersion(), p.seqLen(), vocab, net.numParams(), Gpt2Model.layerOf(net).architecture().label()));
        }
        if (pbtMode(c)) {
            return new PbtChunk(run, opt).compute(new PbtChunk.Start(net, state, sequences, start.tokensSeen(), vocab), replay.count(),
                    replay.chunks(), t0);
        }
        driverStep.setState(net, state.sharedInner());
        driverStep.restoreTrainingParams(net);
        // seq_id ranges repeat across chunks: the chunk breaks ties, so the order is the same on every run
        RoundData data = RoundData.of(sequences.orderBy("seq_id", "src"), settings.workers(), settings.batch(), settings.steps());
        int rounds = roundsThisChunk(c, data);
        // this chunk's learning-rate schedule (a checkpoint's graph keeps the one it was saved with; the config decides)
        ISchedule schedule = opt.scheduleForChunk(net.getConfiguration().getIterationCount(), (long) rounds * settings.steps());
        if (opt.kind() == OptimizerSpec.Kind.ADAMW) {
            net.setLearningRate(schedule);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(run.spark().sparkContext());
        if (OpenMpWaitPolicy.driverTrains(jsc.master())) {
            OpenMpWaitPolicy.advice(System.getenv(OpenMpWaitPolicy.ENV)).ifPresent(w -> run.console().printf("train %s: WARNING %s%n", chunk, w));
        }
        List<Row> metrics = new ArrayList<>();
        long[] tokensSeen = {start.tokensSeen()};
        INDArray probe = moeProbe(net, sequences, settings.batch());
        run.phase("train");
        new AveragingRounds(jsc, settings, opt).train(net, driverStep, state, data, rounds, r -> {
            tokensSeen[0] += r.tokens();
            double lr = opt.learningRateAt(schedule, r.step());
            MoeStatistics moe = probe == null ? null : MoeStatistics.probe(net, probe);
            metrics.add(RowFactory.create(r.step(), chunk, r.round(), r.loss(), lr, r.tokens(), r.tokens() / r.seconds(), tokensSeen[0],
                    (System.nanoTime() - t0) / 1e9, moe == null ? null : moe.balanceLoss(), moe == null ? null : moe.loads(),
                    moe == null ? null : moe.dropped()));
            double eta = (rounds - r.round() - 1) * (System.nanoTime() - t0) / 1e9 / (r.round() + 1);
            run.console().printf(Locale.ROOT, "[train %s] round %d/%d | step %,d | loss %.4f | lr %.2e | %,.0f tokens/s | %,d tokens seen | ETA %.0f s%s%n",
                    chunk, r.round() + 1, rounds, r.step(), r.loss(), lr, r.tokens() / r.seconds(), tokensSeen[0], eta,
                    moe == null ? "" : String.format(Locale.ROOT, " | balance %.3f, dropped %.1f%%", moe.balanceLoss(), 100 * moe.dropped()));
        });
        data.release();

        run.phase("save");
        net.setParams(driverStep.evalParams(net)); // the checkpoint's model is what eval and export use (schedule-free: x)
        saveCheckpoint(fs, run.staged("model"), net, state, opt, new ModelHeader(net.getIterationCount(), tokensSeen[0], p.group(),
                p.latest() == null ? null : p.latest().chunk(), c.getLong("train.seed"), replay.count(), replay.chunks(), p.tokenizerVersion(),
                p.seqLen(), vocab, net.numParams(), Gpt2Model.layerOf(net).architecture().label()));
        Datasets.writeChunkRows(run.spark(), metrics, DatasetSchemas.TRAIN_METRICS, run.staged("metrics"));
        TrainTracking.afterCommit(run, metrics);
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("trained", 1);
        counts.put("chunks", p.group());
        counts.put("sequences", data.sequences());
        counts.put("batches", data.batches());
        counts.put("replayed_sequences", replay.count());
        counts.put("rounds", metrics.size());
        counts.put("step", net.getIterationCount());
        counts.put("layers", Gpt2Model.layerOf(net).getNumLayers());
        counts.put("tokens_seen", tokensSeen[0]);
        counts.put("final_loss", metrics.isEmpty() ? null : metrics.get(metrics.size() - 1).getDouble(3));
        return new Computed(counts, new Lineage(p.seq(), p.tokenizerVersion(), p.seqLen()), String.format(Locale.ROOT,
                "%d rounds, step %,d, %,d tokens seen, loss %s -> %s", metrics.size(), net.getIterationCount(), tokensSeen[0],
                counts.get("final_loss"), ckpts.chunkDir(chunk)));
    }

    /** The rounds a chunk trains: all its data holds, or train.max-rounds-per-chunk when that is set (> 0) and smaller. */
    static int roundsThisChunk(PipelineConfig c, RoundData data) {
        int maxRounds = c.getInt("train.max-rounds-per-chunk");
        return maxRounds > 0 ? Math.min(data.rounds(), maxRounds) : data.rounds();
    }

    /** train.mode = pbt: a population trains the chunk (PbtChunk) instead of one model averaged over workers. */
    static boolean pbtMode(PipelineConfig c) {
        return c.getEnum("train.mode").equals("pbt");
    }

    /** model.zip, the optimiser state beside it, and training_state.json. */
    static void saveCheckpoint(FileSystem fs, Path dir, ComputationGraph net, RoundState state, OptimizerSpec opt, ModelHeader header)
            throws IOException {
        fs.mkdirs(dir);
        ModelFiles.save(fs, net, dir);
        RoundStateFile.write(fs, dir, state, opt.kind().name());
        HadoopFiles.writeString(fs, new Path(dir, ModelHeader.FILE_NAME), header.toJson());
    }

    /** train.workers, batch-per-worker, averaging-frequency and train.averaging.*: how rounds are run. */
    static AveragingRounds.Settings averaging(PipelineConfig c, OptimizerSpec opt) {
        OuterOptimizer outer = switch (c.getEnum("train.averaging.outer")) {
            case "none" -> OuterOptimizer.none();
            default -> new OuterOptimizer(OuterOptimizer.Kind.NESTEROV, c.getDouble("train.averaging.outer-learning-rate"),
                    c.getDouble("train.averaging.outer-momentum"));
        };
        AveragingRounds.InnerState inner = switch (c.getEnum("train.averaging.inner-state")) {
            case "averaged" -> AveragingRounds.InnerState.AVERAGED;
            case "per-worker" -> AveragingRounds.InnerState.PER_WORKER;
            default -> AveragingRounds.InnerState.RESET;
        };
        if (opt.kind() == OptimizerSpec.Kind.SCHEDULE_FREE_ADAMW && outer.kind() != OuterOptimizer.Kind.NONE) {
            throw new ConfigError("train.averaging.outer = nesterov with train.optimizer.kind = schedule-free-adamw is not supported: "
                    + "neither paper defines an outer step on schedule-free's (z, x) pair; use train.averaging.outer = none");
        }
        int workers = c.getInt("train.workers");
        int batch = c.getInt("train.batch-per-worker");
        int steps = c.getInt("train.averaging-frequency");
        if (workers < 1 || batch < 1 || steps < 1) {
            throw new ConfigError("train.workers, train.batch-per-worker and train.averaging-frequency must be at least 1");
        }
        return new AveragingRounds.Settings(workers, batch, steps, outer, inner);
    }

    /** The packed sequences of every chunk trained on now, each tagged with its chunk (src). */
    private static Dataset<Row> groupSequences(StageRun<Plan> run, Plan p) {
        Dataset<Row> sequences = null;
        for (String g : p.group()) {
            Manifest m = Datasets.requireCommitted(run.spark(), run.layout().mix(g), "mix chunk " + g);
            Lineage l = m.lineageOrNone();
            if (!p.tokenizerVersion().equals(l.tokenizerVersion()) || !java.util.Objects.equals(p.seqLen(), l.seqLen())) {
                throw new ConfigError("train: mix chunks " + p.group() + " differ in tokenizer version or seq_len");
            }
            Dataset<Row> d = run.spark().read().parquet(run.layout().mixTrain(g).toString()).withColumn("src", lit(g));
            sequences = sequences == null ? d : sequences.unionByName(d);
        }
        return sequences;
    }

    private record Start(ComputationGraph net, long tokensSeen, RoundState state) {
    }

    /** The run's latest checkpoint (weights and Adam state) when there is one, else a new model. */
    private static Start start(StageRun<Plan> run, RunCheckpoints ckpts, Plan p, int vocab, OptimizerSpec opt) throws IOException {
        PipelineConfig c = run.config();
        String chunk = run.chunk();
        if (p.latest() == null) {
            ComputationGraph net = Gpt2Model.create(configuredSpec(c, vocab, p.seqLen()), opt, c.getLong("train.seed"));
            run.console().printf(Locale.ROOT, "train %s: new %s model, %,d parameters (vocab %d, context %d, %s)%n", chunk,
                    Gpt2Model.layerOf(net).architecture().label(), net.numParams(), vocab, p.seqLen(), opt.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'));
            return new Start(net, 0, null);
        }
        String from = p.latest().chunk();
        ComputationGraph net = ModelFiles.load(run.fs(), ckpts.modelFile(from));
        Gpt2Layer l = Gpt2Model.layerOf(net);
        if (l.getVocabSize() != vocab || l.getContextLength() != p.seqLen()) {
            throw new ConfigError("train: checkpoint " + from + " has vocab " + l.getVocabSize() + ", context " + l.getContextLength()
                    + " but mix " + chunk + " has vocab " + vocab + ", seq_len " + p.seqLen() + " (start a new train.run)");
        }
        requireConfiguredShape(Gpt2Model.Spec.of(l, p.seqLen()), configuredSpec(c, vocab, p.seqLen()), c.getInt("train.grow.max-layers"), from);
        if (!Gpt2Model.hasTokenLoss(net)) {
            // lmforge before TokenCrossEntropy trained with RnnLossLayer ([b, V, T] logits): its graph cannot continue here
            throw new ConfigError("train: checkpoint " + from + " of run '" + ckpts.run()
                    + "' was written by an earlier lmforge (RnnLossLayer); eval and export-hf still read it, but to train on, start a new train.run");
        }
        ModelHeader state = ckpts.header(from);
        RoundState rounds = RoundStateFile.read(run.fs(), ckpts.chunkDir(from), opt.kind().name());
        if (rounds == null && opt.kind() != OptimizerSpec.Kind.ADAMW) {
            throw new ConfigError("train: checkpoint " + from + " has no optimizer state for " + opt.kind() + "; start a new train.run");
        }
        run.console().printf(Locale.ROOT, "train %s: continuing run '%s' from chunk %s (step %,d, %,d tokens seen)%n",
                chunk, ckpts.run(), from, state.step(), state.tokensSeen());
        int add = Math.min(c.getInt("train.grow.layers-per-chunk"), c.getInt("train.grow.max-layers") - l.getNumLayers());
        if (add > 0) {
            RoundState carried = rounds != null ? rounds : RoundState.fresh(new io.lmforge.training.optim.AdamWStep().state(net), (int) net.numParams());
            ModelGrowth.Grown grown = ModelGrowth.deepen(net, carried, add, opt, c.getLong("train.seed"));
            run.console().printf(Locale.ROOT, "train %s: grew from %d to %d layers (new blocks start as the identity: same function), %,d -> %,d parameters%n",
                    chunk, l.getNumLayers(), l.getNumLayers() + add, net.numParams(), grown.net().numParams());
            return new Start(grown.net(), state.tokensSeen(), grown.state());
        }
        return new Start(net, state.tokensSeen(), rounds);
    }

    private record Replay(Dataset<Row> sequences, long count, List<String> chunks) {
    }

    /**
     * train.replay.fraction x (sequences of this round) sequences drawn, with train.seed, from the
     * mix/train of the run's earlier chunks (those trained before this group).
     */
    private static Replay replay(StageRun<Plan> run, PipelineConfig c, DatasetLayout layout, List<RunCheckpoints.Entry> history, List<String> group,
                                 Dataset<Row> current, String tokenizerVersion, int seqLen) {
        double fraction = c.getDouble("train.replay.fraction");
        if (fraction < 0) {
            throw new ConfigError("train.replay.fraction must be >= 0, got " + fraction);
        }
        List<String> earlier = new ArrayList<>();
        for (RunCheckpoints.Entry e : history) {
            if (!group.contains(e.chunk())) {
                earlier.add(e.chunk());
            }
        }
        if (fraction == 0 || earlier.isEmpty()) {
            return new Replay(null, 0, List.of());
        }
        Dataset<Row> pool = null;
        for (String e : earlier) {
            Manifest m = Datasets.requireCommitted(run.spark(), layout.mix(e), "mix chunk " + e + " (replayed)");
            Lineage l = m.lineageOrNone();
            if (!tokenizerVersion.equals(l.tokenizerVersion()) || !java.util.Objects.equals(seqLen, l.seqLen())) {
                throw new ConfigError("train.replay: mix chunk " + e + " differs in tokenizer version or seq_len from " + group);
            }
            Dataset<Row> d = run.spark().read().parquet(layout.mixTrain(e).toString()).withColumn("src", lit(e));
            pool = pool == null ? d : pool.unionByName(d);
        }
        long wanted = Math.round(fraction * current.count());
        // a seeded hash order of (chunk, seq_id): the same draw on every run and partitioning
        Dataset<Row> drawn = pool.orderBy(xxhash64(lit(c.getLong("train.seed")), col("src"), col("seq_id")), col("src"), col("seq_id")).limit((int) Math.min(wanted, Integer.MAX_VALUE));
        return new Replay(drawn, drawn.count(), earlier);
    }

    /**
     * A Mixture-of-Experts model's fixed probe minibatch (the chunk's first sequences): after each round the
     * driver reads the routing statistics (balance loss, expert loads, dropped share) of the averaged model on it.
     * Null for a dense model.
     */
    private static INDArray moeProbe(ComputationGraph net, Dataset<Row> sequences, int batch) {
        if (!Gpt2Model.layerOf(net).architecture().moe().enabled()) {
            return null;
        }
        List<int[]> rows = new ArrayList<>();
        for (Row r : sequences.orderBy("seq_id", "src").select("tokens").limit(batch).collectAsList()) {
            rows.add(r.getList(0).stream().mapToInt(v -> (Integer) v).toArray());
        }
        return SequenceBatches.toBatch(rows).getFeatures(0);
    }

    private static Gpt2Model.Spec configuredSpec(PipelineConfig c, int vocab, int seqLen) {
        return new Gpt2Model.Spec(vocab, seqLen, c.getInt("train.model.d-model"), c.getInt("train.model.heads"), c.getInt("train.model.layers"),
                Architecture.of(c));
    }

    /**
     * A run continues the model it has: train.model.* changed mid-run would otherwise be silently ignored.
     * Only the depth may differ, by growth (train.grow): from train.model.layers up to train.grow.max-layers.
     */
    private static void requireConfiguredShape(Gpt2Model.Spec checkpoint, Gpt2Model.Spec configured, int maxLayers, String from) {
        boolean grownDepth = checkpoint.layers() > configured.layers() && checkpoint.layers() <= maxLayers;
        Gpt2Model.Spec expected = grownDepth ? new Gpt2Model.Spec(configured.vocabSize(), configured.seqLen(), configured.modelDim(),
                configured.heads(), checkpoint.layers(), configured.arch()) : configured;
        if (!checkpoint.equals(expected)) {
            throw new ConfigError("train: the run's checkpoint " + from + " is " + describe(checkpoint) + " but train.model.* now asks for "
                    + describe(configured) + " (set them back, or start a new train.run)");
        }
    }

    private static String describe(Gpt2Model.Spec s) {
        Moe m = s.arch().moe();
        return String.format(Locale.ROOT, "%s with layers=%d, d-model=%d, heads=%d%s", s.arch().label(), s.layers(), s.modelDim(), s.heads(),
                m.enabled() ? String.format(Locale.ROOT, ", moe every=%d, capacity-factor=%s, balance-loss-weight=%s", m.every(),
                        m.capacityFactor(), m.balanceWeight()) : "");
    }
}
