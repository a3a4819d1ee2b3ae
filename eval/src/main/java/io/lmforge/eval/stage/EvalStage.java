package io.lmforge.eval.stage;

import io.lmforge.core.config.ConfigError;
import io.lmforge.core.config.PipelineConfig;
import io.lmforge.core.dataset.ChunkRegistry;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.DatasetSchemas;
import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.dataset.HadoopFiles;
import io.lmforge.core.dataset.Lineage;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.Manifests;
import io.lmforge.core.dataset.ModelHeader;
import io.lmforge.core.dataset.RunCheckpoints;
import io.lmforge.core.dataset.TokenizerHeader;
import io.lmforge.core.ids.StableId;
import io.lmforge.core.progress.ProgressReporter;
import io.lmforge.core.stage.Computed;
import io.lmforge.core.stage.DatasetStage;
import io.lmforge.core.stage.StageContext;
import io.lmforge.core.stage.StagePlan;
import io.lmforge.core.stage.StageRun;
import io.lmforge.core.stage.StageSpec;
import io.lmforge.eval.score.BaselineBpb;
import io.lmforge.eval.score.ScoreRequest;
import io.lmforge.eval.score.SparkScoring;
import io.lmforge.eval.task.FewShotEvaluation;
import io.lmforge.eval.task.LoadedTask;
import io.lmforge.training.model.ModelFiles;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;

/**
 * `eval --chunk ID`: the run's model as of chunk ID (its checkpoint, or under wait-k the latest one
 * before it) scored on executors: bits-per-byte per language on mix held-out documents, and the
 * few-shot tasks of eval.tasks. Commits eval/&lt;run&gt;/chunk=ID/ (results.json, samples.jsonl) and
 * the chunk's rows of the anytime table eval/&lt;run&gt;/anytime/chunk=ID/.
 */
public final class EvalStage extends DatasetStage<EvalStage.Plan> {
    public static final String NAME = "eval";
    private static final StageSpec SPEC = StageSpec.of(NAME,
                    "bits-per-byte per language on held-out text and few-shot XCOPA / XStoryCloze / XWinograd for the model as of a chunk")
            .perChunk()
            .reads("models/<train.run>/chunk=ID (or the latest trained chunk before it), tokenizer/<its version>/,",
                    "mix/chunk=ID/heldout (eval.bpb.heldout = all-seen: every chunk's up to ID; chunk:C: chunk C's),",
                    "conf/tasks/<task>.conf + data")
            .writes("eval/<run>/chunk=ID/results.json   bpb per language; per task x language x k: acc, acc_norm, acc_bytes, stderr, n, seeds",
                    "eval/<run>/chunk=ID/samples.jsonl  per example: prompt, candidates, log-likelihoods, prediction, gold",
                    "eval/<run>/anytime/chunk=ID/       chunk, seq, model_chunk, step, tokens_seen, metric, task, lang, k, value, n")
            .config("eval", "train.run")
            .build();

    /** @param modelChunk the chunk whose checkpoint is evaluated ("initial": the run's untrained model) */
    record Plan(long seq, String modelChunk, Path modelDir, ModelHeader header, List<LoadedTask> tasks, List<Path> heldoutDirs) {
    }

    @Override
    public org.apache.hadoop.fs.Path committedOutput(StageContext ctx, String chunk) {
        return ctx.layout().eval(ctx.config().getString("train.run"), chunk);
    }

    /** A chunk that kept no document before any tokenizer existed has nothing to evaluate. */
    @Override
    public String passOver(StageContext ctx, FileSystem fs) throws java.io.IOException {
        return passOverChunkBeforeTokenizer(ctx, fs);
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
    public StagePlan<Plan> plan(StageContext ctx) throws Exception {
        String chunk = ctx.chunk();
        PipelineConfig c = ctx.config();
        DatasetLayout layout = ctx.layout();
        FileSystem fs = layout.fs(ctx.spark().sparkContext().hadoopConfiguration());
        RunCheckpoints ckpts = new RunCheckpoints(fs, layout, c.getString("train.run"));
        boolean initial = DatasetLayout.INITIAL.equals(chunk);
        long seq = initial ? 0 : new ChunkRegistry(fs, layout).arrival(chunk);
        StagePlan<Plan> plan = new StagePlan<>(fs);
        plan.fact("seq", seq);
        String modelChunk;
        Path modelDir;
        if (initial) { // the untrained model: the anytime curve's point at 0 tokens
            modelChunk = DatasetLayout.INITIAL;
            modelDir = layout.modelInitial(ckpts.run());
            plan.input("initial model", modelDir, "train the run's first chunk first: it keeps the untrained model");
        } else {
            RunCheckpoints.Entry model = ckpts.latestTrainedUpTo(chunk, seq);
            if (model == null) {
                throw new ConfigError("eval " + chunk + ": run '" + ckpts.run() + "' has no trained checkpoint up to this chunk under " + ckpts.runDir()
                        + " (run train --chunk " + chunk + " first)");
            }
            modelChunk = model.chunk();
            modelDir = ckpts.chunkDir(model.chunk());
            plan.input("model of chunk " + model.chunk(), modelDir, "train --chunk " + model.chunk());
        }
        ModelHeader header = ModelHeader.fromJson(HadoopFiles.readString(fs, new Path(modelDir, ModelHeader.FILE_NAME)));
        plan.input("tokenizer", layout.tokenizer(header.tokenizerVersion()), "the model's tokenizer");
        List<LoadedTask> tasks = new ArrayList<>();
        StringBuilder taskText = new StringBuilder();
        for (String t : c.getStringList("eval.tasks")) {
            LoadedTask lt = LoadedTask.load(c.getString("eval.tasks-dir"), t, c.getStringList("eval.languages"));
            tasks.add(lt);
            taskText.append(lt.spec().sourceText());
        }
        plan.fact("tasks", StableId.hash(taskText.toString()));
        List<Path> heldoutDirs = new ArrayList<>();
        for (String h : heldoutChunks(fs, layout, chunk, seq, c.getString("eval.bpb.heldout"))) {
            Manifest m = plan.input("heldout " + h, layout.mix(h), "run mix --chunk " + h + " first");
            if (!header.tokenizerVersion().equals(m.lineageOrNone().tokenizerVersion())) {
                throw new ConfigError("eval: mix chunk " + h + " was tokenized with " + m.lineageOrNone().tokenizerVersion()
                        + " but the model was trained with " + header.tokenizerVersion());
            }
            if (fs.exists(layout.mixHeldout(h))) {
                heldoutDirs.add(layout.mixHeldout(h));
            }
        }
        return plan.payload(new Plan(seq, modelChunk, modelDir, header, tasks, heldoutDirs))
                .output("eval", layout.eval(ckpts.run(), chunk))
                .output("anytime", layout.anytime(ckpts.run(), chunk));
    }

    @Override
    public Computed compute(StageRun<Plan> run) throws Exception {
        String chunk = run.chunk();
        PipelineConfig c = run.config();
        Plan p = run.payload();
        FileSystem fs = run.fs();
        String runName = c.getString("train.run");
        ModelHeader state = p.header();
        run.console().printf(Locale.ROOT, "eval %s: model of chunk %s (step %,d, %,d tokens seen, tokenizer %s)%n", chunk, p.modelChunk(),
                state.step(), state.tokensSeen(), state.tokenizerVersion());
        TokenizerHeader tok = TokenizerHeader.read(fs, run.layout(), state.tokenizerVersion());
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(run.spark().sparkContext());
        int partitions = c.getInt("eval.partitions") > 0 ? c.getInt("eval.partitions") : jsc.defaultParallelism();
        SparkScoring scoring = new SparkScoring(jsc, ModelFiles.bytes(fs, new Path(p.modelDir(), RunCheckpoints.MODEL_FILE)), tok.json(), tok.eosId(),
                c.getInt("eval.batch-size"));
        Path staged = run.staged("eval");
        fs.mkdirs(staged);
        run.phase("bpb");
        long tb = System.nanoTime();
        Dataset<Row> heldout = heldoutDocs(run, p.heldoutDirs(), c.getInt("eval.bpb.max-docs-per-language"));
        Map<String, double[]> bpb;
        Map<String, double[]> baselines;
        try (ProgressReporter ignored = run.progress(() -> "scoring held-out documents (bits per byte)")) {
            bpb = bitsPerByte(run, scoring, heldout, partitions);
            baselines = heldout == null ? Map.of() : BaselineBpb.of(run.spark(), heldout, trainOf(run, p.heldoutDirs()), tok.vocabSize());
        }
        double bpbSeconds = (System.nanoTime() - tb) / 1e9;
        long bpbTokens = bpb.values().stream().mapToLong(v -> (long) v[3]).sum();
        run.console().printf(Locale.ROOT, "eval %s: bits per byte on %,d held-out tokens in %.1f s (%,.0f tokens/s)%n", chunk, bpbTokens, bpbSeconds,
                bpbTokens / Math.max(bpbSeconds, 1e-9));
        run.phase("fewshot");
        FewShotEvaluation.Settings settings = new FewShotEvaluation.Settings(c.getIntList("eval.fewshot.k"), c.getIntList("eval.fewshot.seeds"),
                c.getInt("eval.limit"), c.getString("eval.template-language"), c.getString("eval.demo-language"),
                FewShotEvaluation.Overlong.of(c.getEnum("eval.overlong")), FewShotEvaluation.Sampler.of(c.getEnum("eval.fewshot.sampler")));
        FewShotEvaluation fewShot = new FewShotEvaluation(p.tasks(), settings);
        List<ScoreRequest> requests = fewShot.requests();
        long tf = System.nanoTime();
        Map<Long, double[]> lls;
        try (ProgressReporter ignored = run.progress(() -> String.format(Locale.ROOT, "%,d examples, %,d requests", fewShot.examples().size(), requests.size()))) {
            lls = requests.isEmpty() ? Map.of() : scoring.logLikelihoods(jsc, requests, Math.max(partitions, requests.size() / 4000));
        }
        double fsSeconds = (System.nanoTime() - tf) / 1e9;
        List<FewShotEvaluation.Scored> scored = fewShot.score(lls, state.seqLen());
        List<FewShotEvaluation.Result> results = FewShotEvaluation.aggregate(scored);
        long skipped = scored.stream().filter(FewShotEvaluation.Scored::isSkipped).count();
        run.console().printf(Locale.ROOT, "eval %s: %,d examples (%,d requests) scored in %.1f s (%,.1f examples/s)%s%n", chunk, scored.size(),
                requests.size(), fsSeconds, scored.size() / Math.max(fsSeconds, 1e-9), skipped == 0 ? ""
                        : String.format(Locale.ROOT, "; %,d skipped: a candidate longer than the model's context of %d tokens (eval.overlong)", skipped,
                        state.seqLen()));
        scoring.release();

        run.phase("write");
        EvalOutputs outputs = new EvalOutputs(runName, chunk, p.seq(), p.modelChunk(), state, state.tokenizerVersion(), c, fewShot, bpb, baselines, results);
        HadoopFiles.writeString(fs, new Path(staged, "results.json"), outputs.resultsJson(bpbSeconds, fsSeconds));
        HadoopFiles.writeString(fs, new Path(staged, "samples.jsonl"), outputs.samplesJsonl(scored));
        Datasets.writeChunkRows(run.spark(), outputs.anytimeRows(), DatasetSchemas.ANYTIME, run.staged("anytime"));
        EvalTracking.afterCommit(run, outputs.anytimeRows());
        run.console().print(outputs.consoleTable());
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("model_chunk", p.modelChunk());
        counts.put("step", state.step());
        counts.put("tokens_seen", state.tokensSeen());
        counts.put("bpb_docs", bpb.values().stream().mapToLong(v -> (long) v[2]).sum());
        counts.put("bpb_tokens", bpbTokens);
        counts.put("examples", scored.size());
        counts.put("requests", requests.size());
        return new Computed(counts, new Lineage(p.seq(), state.tokenizerVersion(), state.seqLen()), String.format(Locale.ROOT,
                "model of chunk %s: %d languages bpb, %,d few-shot examples -> %s", p.modelChunk(), bpb.size(), scored.size(), run.output("eval")));
    }

    /** The held-out documents scored for bits per byte (null when there are none). */
    private static Dataset<Row> heldoutDocs(StageRun<Plan> run, List<Path> dirs, int maxDocs) {
        if (dirs.isEmpty()) {
            return null;
        }
        Dataset<Row> docs = null;
        for (Path d : dirs) {
            if (!io.lmforge.core.dataset.Datasets.hasDataFiles(run.spark(), d)) {
                continue; // a chunk that held out no document (an empty chunk): nothing to score there
            }
            Dataset<Row> x = run.spark().read().parquet(d.toString()).select("doc_id", "lang", "n_bytes", "tokens");
            docs = docs == null ? x : docs.unionByName(x);
        }
        if (docs == null) {
            return null;
        }
        if (maxDocs > 0) { // a fixed subset: the lowest doc ids of each language
            docs = docs.withColumn("_r", row_number().over(org.apache.spark.sql.expressions.Window.partitionBy("lang").orderBy("doc_id")))
                    .where(col("_r").leq(maxDocs)).drop("_r");
        }
        return docs.withColumn("n_tokens", org.apache.spark.sql.functions.size(col("tokens")));
    }

    /**
     * The packed training sequences of the chunks the held-out documents come from (what the unigram
     * baseline counts); read with the dataset's schema, so a chunk that packed no sequence counts nothing.
     */
    private static Dataset<Row> trainOf(StageRun<Plan> run, List<Path> heldoutDirs) throws java.io.IOException {
        Dataset<Row> train = run.spark().createDataFrame(List.of(), DatasetSchemas.SEQUENCES).select("tokens");
        for (Path h : heldoutDirs) {
            Path dir = new Path(h.getParent(), "train");
            if (run.fs().exists(dir)) {
                train = train.unionByName(run.spark().read().schema(DatasetSchemas.SEQUENCES).parquet(dir.toString()).select("tokens"));
            }
        }
        return train;
    }

    /** lang -> {nll nats, bytes, docs, tokens}. */
    private Map<String, double[]> bitsPerByte(StageRun<Plan> run, SparkScoring scoring, Dataset<Row> docs, int partitions) {
        Map<String, double[]> out = new java.util.TreeMap<>();
        if (docs == null) {
            return out;
        }
        for (Row r : scoring.documentNll(run.spark(), docs.drop("n_tokens"), partitions).groupBy("lang")
                .agg(sum("nll"), sum("n_bytes"), count("*"), sum("n_tokens")).collectAsList()) {
            out.put(r.getString(0), new double[]{r.getDouble(1), r.getLong(2), r.getLong(3), r.getLong(4)});
        }
        return out;
    }

    /** The chunks whose held-out documents eval.bpb.heldout names: this chunk, a fixed one, or every chunk arrived so far. */
    private static List<String> heldoutChunks(FileSystem fs, DatasetLayout layout, String chunk, long seq, String which) throws java.io.IOException {
        ChunkRegistry registry = new ChunkRegistry(fs, layout);
        if (DatasetLayout.INITIAL.equals(chunk) && (which.equals("chunk") || which.equals("all-seen"))) {
            // nothing seen yet: the held-out documents of the first chunk with a mix (a first chunk that kept no
            // document before any tokenizer was passed over and has none)
            for (String c : registry.inArrivalOrder()) {
                if (Manifests.read(fs, layout.mix(c)) != null) {
                    return List.of(c);
                }
            }
            throw new ConfigError("eval initial: no chunk has a committed mix yet, so there are no held-out documents (run mix --chunk ID first)");
        }
        if (which.equals("chunk")) {
            return List.of(chunk);
        }
        if (which.startsWith("chunk:")) { // a fixed set: the same documents at every chunk of the anytime curve
            return List.of(DatasetLayout.checkChunkId(which.substring("chunk:".length())));
        }
        if (!which.equals("all-seen")) {
            throw new ConfigError("eval.bpb.heldout must be chunk, all-seen or chunk:<id>, got '" + which + "'");
        }
        List<String> out = new ArrayList<>();
        for (String c : registry.inArrivalOrder()) {
            if (registry.arrival(c) <= seq && Manifests.read(fs, layout.mix(c)) != null) {
                out.add(c);
            }
        }
        return out;
    }
}
