package io.lmforge.training.stage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmforge.core.BuildInfo;
import io.lmforge.core.config.ConfigError;
import io.lmforge.core.config.PipelineConfig;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.StageCommit;
import io.lmforge.core.ids.StableId;
import io.lmforge.core.stage.Stage;
import io.lmforge.core.stage.StageContext;
import io.lmforge.core.stage.StageResult;
import io.lmforge.training.data.SequenceBatches;
import io.lmforge.training.model.Gpt2Layer;
import io.lmforge.training.model.Gpt2Model;
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
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.schedule.ISchedule;
import org.deeplearning4j.spark.api.RDDTrainingApproach;

import java.io.IOException;
import java.time.Instant;
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
public final class TrainStage implements Stage {
    public static final String NAME = "train";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String summary() {
        return "train the GPT-2-style model on a chunk's packed sequences (DL4J, Spark parameter averaging), continuing the run";
    }

    @Override
    public String help() {
        return """
                reads   mix/chunk=ID/train (and mix of deferred chunks under wait-k), tokenizer/<version>/tokenizer.json,
                        models/<run>/chunk=<latest>/model.zip to continue from
                writes  models/<run>/chunk=ID/        model.zip (with Adam state), training_state.json, _MANIFEST.json
                        models/<run>/metrics/chunk=ID/  step, chunk, round, loss, lr, tokens, tokens_per_s, tokens_seen, elapsed_s
                config  train.run, train.model.{layers,d-model,heads}, train.workers, train.batch-per-worker,
                        train.averaging-frequency, train.rdd-approach, train.max-rounds-per-chunk, train.optimizer.*, train.schedule, train.wait-k,
                        train.replay.fraction, train.seed""";
    }

    @Override
    public boolean needsChunk() {
        return true;
    }

    @Override
    public StageResult run(StageContext ctx) throws Exception {
        String chunk = ctx.requireChunk(NAME);
        PipelineConfig c = ctx.config();
        DatasetLayout layout = ctx.layout();
        FileSystem fs = layout.fs(ctx.spark().sparkContext().hadoopConfiguration());
        Checkpoints ckpts = new Checkpoints(fs, layout, c.getString("train.run"));
        Path mixDir = layout.chunkDir("mix", chunk);
        Manifest mix = Datasets.requireCommitted(ctx.spark(), mixDir, "mix chunk " + chunk + " (run mix --chunk " + chunk + " first)");
        long seq = Datasets.arrival(fs, layout, chunk);
        List<Checkpoints.Entry> entries = new ArrayList<>(ckpts.entries());
        entries.removeIf(e -> e.chunk().equals(chunk) || e.seq() >= seq); // only the history before this chunk matters
        String configHash = c.hashOf("train");
        String fingerprint = StableId.hash(NAME + "|" + chunk + "|" + BuildInfo.version() + "|" + configHash + "|" + mix.fingerprint() + "|"
                + entries.stream().map(e -> e.chunk() + "=" + e.manifest().fingerprint()).reduce("", String::concat));
        Path out = ckpts.chunkDir(chunk);
        Manifest previous = StageCommit.readManifest(fs, out);
        if (!ctx.force() && previous != null && fingerprint.equals(previous.fingerprint())) {
            return StageResult.skipped(NAME, chunk, "up to date: " + out + " was trained from the same data, history and config; --force retrains");
        }
        Checkpoints.Entry latest = null;
        List<String> group = new ArrayList<>();
        for (Checkpoints.Entry e : entries) {
            if (e.seq() < seq && e.trained()) {
                latest = e;
                group.clear();
            } else if (e.seq() < seq) {
                group.add(e.chunk()); // deferred by wait-k, not yet trained on
            }
        }
        group.add(chunk);
        String schedule = c.getEnum("train.schedule", "every-chunk", "wait-k");
        int k = schedule.equals("wait-k") ? c.getInt("train.wait-k") : 1;
        StageCommit commit = StageCommit.begin(layout, ctx.spark().sparkContext().hadoopConfiguration(), NAME, chunk);
        Path staged = commit.stage(out);
        try {
            fs.mkdirs(staged);
            if (group.size() < k) {
                Map<String, Object> counts = new LinkedHashMap<>();
                counts.put("trained", 0);
                counts.put("seq", seq);
                counts.put("reason", String.format(Locale.ROOT, "wait-k: %d of %d chunks gathered (%s)", group.size(), k, group));
                commit.publish(manifest(chunk, configHash, fingerprint, List.of(Map.of("path", mixDir.toString())), out, counts, 0));
                return StageResult.committed(NAME, chunk, "deferred: " + counts.get("reason"));
            }
            return train(ctx, c, fs, layout, ckpts, latest, group, chunk, seq, configHash, fingerprint, commit, staged, out);
        } catch (Exception | Error e) {
            commit.abort();
            throw e;
        }
    }

    private StageResult train(StageContext ctx, PipelineConfig c, FileSystem fs, DatasetLayout layout, Checkpoints ckpts,
                              Checkpoints.Entry latest, List<String> group, String chunk, long seq, String configHash, String fingerprint,
                              StageCommit commit, Path staged, Path out) throws Exception {
        long t0 = System.nanoTime();
        Dataset<Row> sequences = null;
        String tokenizerVersion = null;
        int seqLen = -1;
        List<Map<String, Object>> inputs = new ArrayList<>();
        for (String g : group) {
            Path dir = layout.chunkDir("mix", g);
            Manifest m = Datasets.requireCommitted(ctx.spark(), dir, "mix chunk " + g);
            String v = String.valueOf(((Map<?, ?>) m.counts()).get("tokenizer_version"));
            int len = (int) m.count("seq_len");
            if (tokenizerVersion != null && (!tokenizerVersion.equals(v) || seqLen != len)) {
                throw new ConfigError("train: mix chunks " + group + " differ in tokenizer version or seq_len");
            }
            tokenizerVersion = v;
            seqLen = len;
            inputs.add(Map.of("path", dir.toString(), "fingerprint", m.fingerprint(), "tokenizer_version", v));
            Dataset<Row> d = ctx.spark().read().parquet(new Path(dir, "train").toString()).withColumn("src", lit(g));
            sequences = sequences == null ? d : sequences.unionByName(d);
        }
        List<Checkpoints.Entry> history = new ArrayList<>(ckpts.entries());
        history.removeIf(e -> e.seq() >= seq);
        Replay replay = replay(ctx, c, layout, history, group, sequences, tokenizerVersion, seqLen);
        if (replay.sequences() != null) {
            sequences = sequences.unionByName(replay.sequences());
        }
        int vocab = vocabSize(fs, layout, tokenizerVersion);
        long step0 = 0;
        long tokensSeen0 = 0;
        ComputationGraph net;
        if (latest != null) {
            net = ckpts.load(latest.chunk());
            Gpt2Layer l = gptLayer(net);
            if (l.getVocabSize() != vocab || l.getContextLength() != seqLen) {
                throw new ConfigError("train: checkpoint " + latest.chunk() + " has vocab " + l.getVocabSize() + ", context " + l.getContextLength()
                        + " but mix " + chunk + " has vocab " + vocab + ", seq_len " + seqLen + " (start a new train.run)");
            }
            if (!Gpt2Model.hasTokenLoss(net)) {
                // lmforge before TokenCrossEntropy trained with RnnLossLayer ([b, V, T] logits): its graph cannot continue here
                throw new ConfigError("train: checkpoint " + latest.chunk() + " of run '" + c.getString("train.run")
                        + "' was written by an earlier lmforge (RnnLossLayer); eval and export-hf still read it, "
                        + "but to train on, start a new train.run");
            }
            JsonNode state = JSON.readTree(read(fs, new Path(ckpts.chunkDir(latest.chunk()), "training_state.json")));
            step0 = state.get("step").asLong();
            tokensSeen0 = state.get("tokens_seen").asLong();
            ctx.console().printf(Locale.ROOT, "train %s: continuing run '%s' from chunk %s (step %,d, %,d tokens seen)%n",
                    chunk, c.getString("train.run"), latest.chunk(), step0, tokensSeen0);
        } else {
            net = Gpt2Model.create(new Gpt2Model.Spec(vocab, seqLen, c.getInt("train.model.d-model"), c.getInt("train.model.heads"),
                    c.getInt("train.model.layers")), optimizer(c), c.getLong("train.seed"));
            ctx.console().printf(Locale.ROOT, "train %s: new model, %,d parameters (vocab %d, context %d)%n", chunk, net.numParams(), vocab, seqLen);
        }
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
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(ctx.spark().sparkContext());
        RDDTrainingApproach approach = ParameterAveraging.approach(c.getEnum("train.rdd-approach", "auto", "export", "direct"),
                jsc.master(), FileSystem.get(jsc.hadoopConfiguration()));
        if (approach == RDDTrainingApproach.Direct) {
            ctx.console().printf(Locale.ROOT, "train %s: minibatches go to the workers directly (train.rdd-approach=%s, master %s, default file system %s)%n",
                    chunk, c.getString("train.rdd-approach"), jsc.master(), FileSystem.getDefaultUri(jsc.hadoopConfiguration()));
        }
        if (OpenMpWaitPolicy.driverTrains(jsc.master())) {
            OpenMpWaitPolicy.advice(System.getenv(OpenMpWaitPolicy.ENV)).ifPresent(w -> ctx.console().printf("train %s: WARNING %s%n", chunk, w));
        }
        ParameterAveraging pa = new ParameterAveraging(jsc, workers, batch, avgFreq,
                new Path(layout.staging(), "dl4j-export-" + chunk).toString(), c.getLong("train.seed"), approach);
        List<Row> metrics = new ArrayList<>();
        long tokensSeen = tokensSeen0;
        for (long r = 0; r < rounds; r++) {
            final long round = r;
            JavaRDD<MultiDataSet> part = indexed.filter(p -> p._2() / perRound == round).keys();
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
            ctx.console().printf(Locale.ROOT, "[train %s] round %d/%d | step %,d | loss %.4f | lr %.2e | %,.0f tokens/s | %,d tokens seen | ETA %.0f s%n",
                    chunk, r + 1, rounds, step, loss, lr.valueAt((int) step, 0), tokens / sec, tokensSeen, eta);
        }
        indexed.unpersist();
        batches.unpersist();

        Checkpoints.save(fs, net, staged);
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("step", net.getIterationCount());
        state.put("tokens_seen", tokensSeen);
        state.put("chunks", group);
        state.put("continued_from", latest == null ? null : latest.chunk());
        state.put("seed", c.getLong("train.seed"));
        state.put("replayed_sequences", replay.count());
        state.put("replayed_from", replay.chunks());
        state.put("tokenizer_version", tokenizerVersion);
        state.put("seq_len", seqLen);
        state.put("vocab_size", vocab);
        state.put("parameters", net.numParams());
        write(fs, new Path(staged, "training_state.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(state));
        Path metricsOut = ckpts.runDir().suffix("/metrics/chunk=" + chunk);
        Path stagedMetrics = commit.stage(metricsOut);
        ctx.spark().createDataFrame(metrics, metricsSchema()).coalesce(1).write().parquet(stagedMetrics.toString());
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("trained", 1);
        counts.put("seq", seq);
        counts.put("chunks", group);
        counts.put("batches", nBatches);
        counts.put("replayed_sequences", replay.count());
        counts.put("rounds", rounds);
        counts.put("step", net.getIterationCount());
        counts.put("tokens_seen", tokensSeen);
        counts.put("final_loss", metrics.isEmpty() ? null : metrics.get(metrics.size() - 1).getDouble(3));
        double seconds = (System.nanoTime() - t0) / 1e9;
        commit.publish(manifest(chunk, configHash, fingerprint, inputs, out, counts, seconds));
        return StageResult.committed(NAME, chunk, String.format(Locale.ROOT, "%d rounds, step %,d, %,d tokens seen, loss %s -> %s",
                rounds, net.getIterationCount(), tokensSeen, counts.get("final_loss"), out));
    }

    private record Replay(Dataset<Row> sequences, long count, List<String> chunks) {
    }

    /**
     * train.replay.fraction x (sequences of this round) sequences drawn, with train.seed, from the
     * mix/train of the run's earlier chunks (those trained before this group).
     */
    private static Replay replay(StageContext ctx, PipelineConfig c, DatasetLayout layout, List<Checkpoints.Entry> history, List<String> group,
                                 Dataset<Row> current, String tokenizerVersion, int seqLen) {
        double fraction = c.getDouble("train.replay.fraction");
        if (fraction < 0) {
            throw new ConfigError("train.replay.fraction must be >= 0, got " + fraction);
        }
        List<String> earlier = new ArrayList<>();
        for (Checkpoints.Entry e : history) {
            if (!group.contains(e.chunk())) {
                earlier.add(e.chunk());
            }
        }
        if (fraction == 0 || earlier.isEmpty()) {
            return new Replay(null, 0, List.of());
        }
        Dataset<Row> pool = null;
        for (String e : earlier) {
            Path dir = layout.chunkDir("mix", e);
            Manifest m = Datasets.requireCommitted(ctx.spark(), dir, "mix chunk " + e + " (replayed)");
            if (!tokenizerVersion.equals(String.valueOf(((Map<?, ?>) m.counts()).get("tokenizer_version"))) || m.count("seq_len") != seqLen) {
                throw new ConfigError("train.replay: mix chunk " + e + " differs in tokenizer version or seq_len from " + group);
            }
            Dataset<Row> d = ctx.spark().read().parquet(new Path(dir, "train").toString()).withColumn("src", lit(e));
            pool = pool == null ? d : pool.unionByName(d);
        }
        long wanted = Math.round(fraction * current.count());
        // a seeded hash order of (chunk, seq_id): the same draw on every run and partitioning
        Dataset<Row> drawn = pool.orderBy(xxhash64(lit(c.getLong("train.seed")), col("src"), col("seq_id")), col("src"), col("seq_id")).limit((int) Math.min(wanted, Integer.MAX_VALUE));
        return new Replay(drawn, drawn.count(), earlier);
    }

    static StructType metricsSchema() {
        return new StructType().add("step", DataTypes.LongType).add("chunk", DataTypes.StringType).add("round", DataTypes.IntegerType)
                .add("loss", DataTypes.DoubleType).add("lr", DataTypes.DoubleType).add("tokens", DataTypes.LongType)
                .add("tokens_per_s", DataTypes.DoubleType).add("tokens_seen", DataTypes.LongType).add("elapsed_s", DataTypes.DoubleType);
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

    private Manifest manifest(String chunk, String configHash, String fingerprint, List<Map<String, Object>> inputs, Path out,
                              Map<String, Object> counts, double seconds) {
        return new Manifest(NAME, chunk, BuildInfo.version(), configHash, fingerprint, inputs, List.of(out.toString()), counts,
                Map.of("total", Math.round(seconds * 1000) / 1000.0), Instant.now().minusMillis((long) (seconds * 1000)).toString(), Instant.now().toString());
    }

    /** Vocabulary size of a tokenizer.json: highest id + 1. */
    static int vocabSize(FileSystem fs, DatasetLayout layout, String version) throws IOException {
        JsonNode root = JSON.readTree(read(fs, new Path(layout.dataset("tokenizer/" + version), "tokenizer.json")));
        int max = -1;
        for (JsonNode id : root.path("model").path("vocab")) {
            max = Math.max(max, id.asInt());
        }
        for (JsonNode a : root.path("added_tokens")) {
            max = Math.max(max, a.path("id").asInt());
        }
        return max + 1;
    }

    static String read(FileSystem fs, Path p) throws IOException {
        return StageCommit.readString(fs, p);
    }

    static void write(FileSystem fs, Path p, String s) throws IOException {
        StageCommit.writeString(fs, p, s);
    }
}
