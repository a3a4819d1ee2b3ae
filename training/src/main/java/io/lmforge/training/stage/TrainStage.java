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
import io.lmforge.training.data.SequenceBatches;
import io.lmforge.training.model.Gpt2Layer;
import io.lmforge.training.model.Gpt2Model;
import io.lmforge.training.model.ModelFiles;
import io.lmforge.training.model.WarmupCosineSchedule;
import io.lmforge.training.spark.OpenMpWaitPolicy;
import io.lmforge.training.spark.ParameterAveraging;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.schedule.ISchedule;
import org.deeplearning4j.spark.api.RDDTrainingApproach;

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
 * with dl4j-spark parameter averaging, and commits models/&lt;run&gt;/chunk=ID/ (model + updater,
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
                    "models/<run>/metrics/chunk=ID/  step, chunk, round, loss, lr, tokens, tokens_per_s, tokens_seen, elapsed_s")
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
        return plan.payload(new Plan(seq, latest, group, history, l.requireTokenizer("mix chunk " + chunk), l.seqLen()))
                .output("model", ckpts.chunkDir(chunk))
                .output("metrics", layout.metrics(ckpts.run(), chunk));
    }

    @Override
    public Computed compute(StageRun<Plan> run) throws Exception {
        Plan p = run.payload();
        String schedule = run.config().getEnum("train.schedule", "every-chunk", "wait-k");
        int k = schedule.equals("wait-k") ? run.config().getInt("train.wait-k") : 1;
        if (p.group().size() < k) {
            run.spark().createDataFrame(List.of(), DatasetSchemas.TRAIN_METRICS).coalesce(1).write().parquet(run.staged("metrics").toString());
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
        Start start = start(run, ckpts, p, vocab);
        ComputationGraph net = start.net();
        int workers = c.getInt("train.workers");
        int batch = c.getInt("train.batch-per-worker");
        int avgFreq = c.getInt("train.averaging-frequency");
        // seq_id ranges repeat across chunks: the chunk breaks ties, so the order is the same on every run
        JavaRDD<MultiDataSet> batches = SequenceBatches.of(sequences.orderBy("seq_id", "src").repartition(workers), batch).persist(StorageLevel.MEMORY_AND_DISK());
        JavaPairRDD<MultiDataSet, Long> indexed = batches.zipWithIndex().persist(StorageLevel.MEMORY_AND_DISK());
        long nBatches = indexed.count();
        long perRound = (long) workers * avgFreq;
        long rounds = (nBatches + perRound - 1) / perRound;
        int maxRounds = c.getInt("train.max-rounds-per-chunk");
        if (maxRounds > 0) {
            rounds = Math.min(rounds, maxRounds);
        }
        ISchedule lr = optimizer(c).learningRate();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(run.spark().sparkContext());
        RDDTrainingApproach approach = ParameterAveraging.approach(c.getEnum("train.rdd-approach", "auto", "export", "direct"),
                jsc.master(), FileSystem.get(jsc.hadoopConfiguration()));
        if (approach == RDDTrainingApproach.Direct) {
            run.console().printf(Locale.ROOT, "train %s: minibatches go to the workers directly (train.rdd-approach=%s, master %s, default file system %s)%n",
                    chunk, c.getString("train.rdd-approach"), jsc.master(), FileSystem.getDefaultUri(jsc.hadoopConfiguration()));
        }
        if (OpenMpWaitPolicy.driverTrains(jsc.master())) {
            OpenMpWaitPolicy.advice(System.getenv(OpenMpWaitPolicy.ENV)).ifPresent(w -> run.console().printf("train %s: WARNING %s%n", chunk, w));
        }
        // DL4J's exported minibatches go to this run's own scratch directory (removed with its staging)
        ParameterAveraging pa = new ParameterAveraging(jsc, workers, batch, avgFreq, run.scratch("dl4j-export").toString(), c.getLong("train.seed"), approach);
        List<Row> metrics = new ArrayList<>();
        long tokensSeen = start.tokensSeen();
        run.phase("train");
        for (long r = 0; r < rounds; r++) {
            final long round = r;
            JavaRDD<MultiDataSet> part = indexed.filter(x -> x._2() / perRound == round).keys();
            long tokens = part.map(m -> m.getFeatures(0).length()).reduce(Long::sum);
            long s = System.nanoTime();
            ParameterAveraging.Result res = pa.fit(net, part);
            net = res.net();
            double sec = (System.nanoTime() - s) / 1e9;
            tokensSeen += tokens;
            long step = net.getIterationCount();
            double loss = res.score(); // mean cross-entropy per token (TokenCrossEntropy)
            metrics.add(RowFactory.create(step, chunk, (int) r, loss, lr.valueAt((int) step, 0), tokens, tokens / sec, tokensSeen,
                    (System.nanoTime() - t0) / 1e9));
            double eta = (rounds - r - 1) * (System.nanoTime() - t0) / 1e9 / (r + 1);
            run.console().printf(Locale.ROOT, "[train %s] round %d/%d | step %,d | loss %.4f | lr %.2e | %,.0f tokens/s | %,d tokens seen | ETA %.0f s%n",
                    chunk, r + 1, rounds, step, loss, lr.valueAt((int) step, 0), tokens / sec, tokensSeen, eta);
        }
        indexed.unpersist();
        batches.unpersist();

        run.phase("save");
        Path staged = run.staged("model");
        fs.mkdirs(staged);
        ModelFiles.save(fs, net, staged);
        ModelHeader header = new ModelHeader(net.getIterationCount(), tokensSeen, p.group(), p.latest() == null ? null : p.latest().chunk(),
                c.getLong("train.seed"), replay.count(), replay.chunks(), p.tokenizerVersion(), p.seqLen(), vocab, net.numParams());
        HadoopFiles.writeString(fs, new Path(staged, ModelHeader.FILE_NAME), header.toJson());
        run.spark().createDataFrame(metrics, DatasetSchemas.TRAIN_METRICS).coalesce(1).write().parquet(run.staged("metrics").toString());
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("trained", 1);
        counts.put("chunks", p.group());
        counts.put("batches", nBatches);
        counts.put("replayed_sequences", replay.count());
        counts.put("rounds", rounds);
        counts.put("step", net.getIterationCount());
        counts.put("tokens_seen", tokensSeen);
        counts.put("final_loss", metrics.isEmpty() ? null : metrics.get(metrics.size() - 1).getDouble(3));
        return new Computed(counts, new Lineage(p.seq(), p.tokenizerVersion(), p.seqLen()), String.format(Locale.ROOT,
                "%d rounds, step %,d, %,d tokens seen, loss %s -> %s", rounds, net.getIterationCount(), tokensSeen, counts.get("final_loss"),
                ckpts.chunkDir(chunk)));
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

    private record Start(ComputationGraph net, long tokensSeen) {
    }

    /** The run's latest checkpoint (weights and Adam state) when there is one, else a new model. */
    private static Start start(StageRun<Plan> run, RunCheckpoints ckpts, Plan p, int vocab) throws IOException {
        PipelineConfig c = run.config();
        String chunk = run.chunk();
        if (p.latest() == null) {
            ComputationGraph net = Gpt2Model.create(new Gpt2Model.Spec(vocab, p.seqLen(), c.getInt("train.model.d-model"), c.getInt("train.model.heads"),
                    c.getInt("train.model.layers")), optimizer(c), c.getLong("train.seed"));
            run.console().printf(Locale.ROOT, "train %s: new model, %,d parameters (vocab %d, context %d)%n", chunk, net.numParams(), vocab, p.seqLen());
            return new Start(net, 0);
        }
        String from = p.latest().chunk();
        ComputationGraph net = ModelFiles.load(run.fs(), ckpts.modelFile(from));
        Gpt2Layer l = gptLayer(net);
        if (l.getVocabSize() != vocab || l.getContextLength() != p.seqLen()) {
            throw new ConfigError("train: checkpoint " + from + " has vocab " + l.getVocabSize() + ", context " + l.getContextLength()
                    + " but mix " + chunk + " has vocab " + vocab + ", seq_len " + p.seqLen() + " (start a new train.run)");
        }
        if (!Gpt2Model.hasTokenLoss(net)) {
            // lmforge before TokenCrossEntropy trained with RnnLossLayer ([b, V, T] logits): its graph cannot continue here
            throw new ConfigError("train: checkpoint " + from + " of run '" + ckpts.run()
                    + "' was written by an earlier lmforge (RnnLossLayer); eval and export-hf still read it, but to train on, start a new train.run");
        }
        ModelHeader state = ckpts.header(from);
        run.console().printf(Locale.ROOT, "train %s: continuing run '%s' from chunk %s (step %,d, %,d tokens seen)%n",
                chunk, ckpts.run(), from, state.step(), state.tokensSeen());
        return new Start(net, state.tokensSeen());
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

    static Gpt2Model.Optimizer optimizer(PipelineConfig c) {
        double peak = c.getDouble("train.optimizer.learning-rate");
        int warmup = c.getInt("train.optimizer.warmup-steps");
        boolean cosine = c.getEnum("train.optimizer.schedule", "cosine", "constant").equals("cosine");
        ISchedule s = new WarmupCosineSchedule(peak, warmup, cosine ? c.getInt("train.optimizer.total-steps") : 0, c.getDouble("train.optimizer.min-lr-ratio"));
        return new Gpt2Model.Optimizer(s, c.getDouble("train.optimizer.beta1"), c.getDouble("train.optimizer.beta2"),
                c.getDouble("train.optimizer.epsilon"), c.getDouble("train.optimizer.weight-decay"), c.getDouble("train.optimizer.clip-norm"));
    }

    static Gpt2Layer gptLayer(ComputationGraph net) {
        return (Gpt2Layer) ((LayerVertex) net.getConfiguration().getVertices().get("gpt")).getLayerConf().getLayer();
    }
}
