package io.lmforge.eval.stage;

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
import io.lmforge.core.progress.ProgressReporter;
import io.lmforge.core.stage.Stage;
import io.lmforge.core.stage.StageContext;
import io.lmforge.core.stage.StageResult;
import io.lmforge.eval.score.ScoreRequest;
import io.lmforge.eval.score.SparkScoring;
import io.lmforge.eval.task.FewShotEvaluation;
import io.lmforge.eval.task.LoadedTask;
import io.lmforge.training.stage.Checkpoints;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.time.Instant;
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
public final class EvalStage implements Stage {
    public static final String NAME = "eval";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String summary() {
        return "bits-per-byte per language on held-out text and few-shot XCOPA / XStoryCloze / XWinograd for the model as of a chunk";
    }

    @Override
    public String help() {
        return """
                reads   models/<train.run>/chunk=ID (or the latest trained chunk before it), tokenizer/<its version>/,
                        mix/chunk=ID/heldout (eval.bpb.heldout = all-seen: every chunk's up to ID; chunk:C: chunk C's),
                        conf/tasks/<task>.conf + data
                writes  eval/<run>/chunk=ID/results.json   bpb per language; per task x language x k: acc, acc_norm, acc_bytes, stderr, n, seeds
                        eval/<run>/chunk=ID/samples.jsonl  per example: prompt, candidates, log-likelihoods, prediction, gold
                        eval/<run>/anytime/chunk=ID/       chunk, seq, model_chunk, step, tokens_seen, metric, task, lang, k, value, n
                config  eval.tasks, eval.tasks-dir, eval.languages, eval.fewshot.{k,seeds}, eval.limit, eval.template-language,
                        eval.demo-language, eval.bpb.{heldout,max-docs-per-language}, eval.batch-size, eval.partitions""";
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
        String run = c.getString("train.run");
        Checkpoints ckpts = new Checkpoints(fs, layout, run);
        long seq = Datasets.arrival(fs, layout, chunk);
        Checkpoints.Entry model = null;
        for (Checkpoints.Entry e : ckpts.entries()) {
            if (e.trained() && (e.chunk().equals(chunk) || e.seq() < seq)) {
                model = e;
            }
        }
        if (model == null) {
            throw new ConfigError("eval " + chunk + ": run '" + run + "' has no trained checkpoint up to this chunk under " + ckpts.runDir()
                    + " (run train --chunk " + chunk + " first)");
        }
        Path modelDir = ckpts.chunkDir(model.chunk());
        JsonNode state = JSON.readTree(StageCommit.readString(fs, new Path(modelDir, "training_state.json")));
        String tokenizerVersion = state.get("tokenizer_version").asText();
        List<LoadedTask> tasks = new ArrayList<>();
        StringBuilder taskText = new StringBuilder();
        for (String t : c.getStringList("eval.tasks")) {
            LoadedTask lt = LoadedTask.load(c.getString("eval.tasks-dir"), t, c.getStringList("eval.languages"));
            tasks.add(lt);
            taskText.append(lt.spec().sourceText());
        }
        List<Path> heldoutDirs = heldoutDirs(fs, layout, chunk, seq, c.getString("eval.bpb.heldout"), tokenizerVersion);
        String configHash = c.hashOf("eval");
        StringBuilder inputsKey = new StringBuilder(model.manifest().fingerprint());
        for (Path h : heldoutDirs) {
            inputsKey.append('|').append(StageCommit.readManifest(fs, h.getParent()).fingerprint());
        }
        String fingerprint = StableId.hash(NAME + "|" + chunk + "|" + BuildInfo.version() + "|" + configHash + "|" + inputsKey + "|" + StableId.hash(taskText.toString()));
        Path out = layout.dataset("eval/" + run + "/chunk=" + chunk);
        Manifest previous = StageCommit.readManifest(fs, out);
        if (!ctx.force() && previous != null && fingerprint.equals(previous.fingerprint())) {
            return StageResult.skipped(NAME, chunk, "up to date: " + out + " evaluated the same model, data and config; --force re-evaluates");
        }
        long t0 = System.nanoTime();
        ctx.console().printf(Locale.ROOT, "eval %s: model of chunk %s (step %,d, %,d tokens seen, tokenizer %s)%n", chunk, model.chunk(),
                state.get("step").asLong(), state.get("tokens_seen").asLong(), tokenizerVersion);

        Path tokDir = layout.dataset("tokenizer/" + tokenizerVersion);
        String tokenizerJson = StageCommit.readString(fs, new Path(tokDir, "tokenizer.json"));
        int eos = eosId(fs, tokDir, tokenizerJson);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(ctx.spark().sparkContext());
        int partitions = c.getInt("eval.partitions") > 0 ? c.getInt("eval.partitions") : jsc.defaultParallelism();
        SparkScoring scoring = new SparkScoring(jsc, ckpts.modelBytes(model.chunk()), tokenizerJson, eos, c.getInt("eval.batch-size"));
        StageCommit commit = StageCommit.begin(layout, ctx.spark().sparkContext().hadoopConfiguration(), NAME, chunk);
        try {
            Path staged = commit.stage(out);
            fs.mkdirs(staged);
            // bits per byte
            long tb = System.nanoTime();
            Map<String, double[]> bpb = bitsPerByte(ctx, scoring, heldoutDirs, c.getInt("eval.bpb.max-docs-per-language"), partitions);
            double bpbSeconds = (System.nanoTime() - tb) / 1e9;
            long bpbTokens = bpb.values().stream().mapToLong(v -> (long) v[3]).sum();
            ctx.console().printf(Locale.ROOT, "eval %s: bits per byte on %,d held-out tokens in %.1f s (%,.0f tokens/s)%n", chunk, bpbTokens, bpbSeconds,
                    bpbTokens / Math.max(bpbSeconds, 1e-9));
            // few-shot
            FewShotEvaluation.Settings settings = new FewShotEvaluation.Settings(ints(c, "eval.fewshot.k"), ints(c, "eval.fewshot.seeds"),
                    c.getInt("eval.limit"), c.getString("eval.template-language"), c.getString("eval.demo-language"));
            FewShotEvaluation fewShot = new FewShotEvaluation(tasks, settings);
            List<ScoreRequest> requests = fewShot.requests();
            long tf = System.nanoTime();
            Map<Long, double[]> lls;
            try (ProgressReporter ignored = ProgressReporter.start(ctx.console(), "eval " + chunk, c.getInt("pipeline.progress-interval-s"),
                    ctx.spark().sparkContext(), () -> String.format(Locale.ROOT, "%,d examples, %,d requests", fewShot.examples().size(), requests.size()))) {
                lls = requests.isEmpty() ? Map.of() : scoring.logLikelihoods(jsc, requests, Math.max(partitions, requests.size() / 4000));
            }
            double fsSeconds = (System.nanoTime() - tf) / 1e9;
            List<FewShotEvaluation.Scored> scored = fewShot.score(lls);
            List<FewShotEvaluation.Result> results = FewShotEvaluation.aggregate(scored);
            ctx.console().printf(Locale.ROOT, "eval %s: %,d examples (%,d requests) scored in %.1f s (%,.1f examples/s)%n", chunk, scored.size(),
                    requests.size(), fsSeconds, scored.size() / Math.max(fsSeconds, 1e-9));
            scoring.release();

            EvalOutputs outputs = new EvalOutputs(run, chunk, seq, model.chunk(), state, tokenizerVersion, c, fewShot, bpb, results);
            StageCommit.writeString(fs, new Path(staged, "results.json"), outputs.resultsJson(bpbSeconds, fsSeconds));
            StageCommit.writeString(fs, new Path(staged, "samples.jsonl"), outputs.samplesJsonl(scored));
            Path anytime = layout.dataset("eval/" + run + "/anytime/chunk=" + chunk);
            ctx.spark().createDataFrame(outputs.anytimeRows(), EvalOutputs.anytimeSchema()).coalesce(1).write()
                    .parquet(commit.stage(anytime).toString());
            ctx.console().print(outputs.consoleTable());
            Map<String, Object> counts = new LinkedHashMap<>();
            counts.put("seq", seq);
            counts.put("model_chunk", model.chunk());
            counts.put("step", state.get("step").asLong());
            counts.put("tokens_seen", state.get("tokens_seen").asLong());
            counts.put("bpb_docs", bpb.values().stream().mapToLong(v -> (long) v[2]).sum());
            counts.put("bpb_tokens", bpbTokens);
            counts.put("examples", scored.size());
            counts.put("requests", requests.size());
            double seconds = (System.nanoTime() - t0) / 1e9;
            List<Map<String, Object>> inputs = new ArrayList<>();
            inputs.add(Map.of("path", modelDir.toString(), "fingerprint", model.manifest().fingerprint()));
            for (Path h : heldoutDirs) {
                inputs.add(Map.of("path", h.toString()));
            }
            Map<String, Double> timings = new LinkedHashMap<>();
            timings.put("bpb", Math.round(bpbSeconds * 1000) / 1000.0);
            timings.put("fewshot", Math.round(fsSeconds * 1000) / 1000.0);
            timings.put("total", Math.round(seconds * 1000) / 1000.0);
            commit.publish(new Manifest(NAME, chunk, BuildInfo.version(), configHash, fingerprint, inputs, List.of(out.toString(), anytime.toString()),
                    counts, timings, Instant.now().minusMillis((long) (seconds * 1000)).toString(), Instant.now().toString()));
            return StageResult.committed(NAME, chunk, String.format(Locale.ROOT, "model of chunk %s: %d languages bpb, %,d few-shot examples -> %s",
                    model.chunk(), bpb.size(), scored.size(), out));
        } catch (Exception | Error e) {
            commit.abort();
            throw e;
        }
    }

    /** lang -> {nll nats, bytes, docs, tokens}. */
    private Map<String, double[]> bitsPerByte(StageContext ctx, SparkScoring scoring, List<Path> dirs, int maxDocs, int partitions) {
        Map<String, double[]> out = new java.util.TreeMap<>();
        if (dirs.isEmpty()) {
            return out;
        }
        Dataset<Row> docs = null;
        for (Path d : dirs) {
            Dataset<Row> x = ctx.spark().read().parquet(d.toString()).select("doc_id", "lang", "n_bytes", "tokens");
            docs = docs == null ? x : docs.unionByName(x);
        }
        if (maxDocs > 0) { // a fixed subset: the lowest doc ids of each language
            docs = docs.withColumn("_r", row_number().over(org.apache.spark.sql.expressions.Window.partitionBy("lang").orderBy("doc_id")))
                    .where(col("_r").leq(maxDocs)).drop("_r");
        }
        for (Row r : scoring.documentNll(ctx.spark(), docs, partitions).groupBy("lang")
                .agg(sum("nll"), sum("n_bytes"), count("*"), sum("n_tokens")).collectAsList()) {
            out.put(r.getString(0), new double[]{r.getDouble(1), r.getLong(2), r.getLong(3), r.getLong(4)});
        }
        return out;
    }

    private static List<Path> heldoutDirs(FileSystem fs, DatasetLayout layout, String chunk, long seq, String which, String tokenizerVersion) throws java.io.IOException {
        List<String> chunks = new ArrayList<>();
        if (which.equals("chunk")) {
            chunks.add(chunk);
        } else if (which.startsWith("chunk:")) { // a fixed set: the same documents at every chunk of the anytime curve
            chunks.add(DatasetLayout.checkChunkId(which.substring("chunk:".length())));
        } else if (!which.equals("all-seen")) {
            throw new ConfigError("eval.bpb.heldout must be chunk, all-seen or chunk:<id>, got '" + which + "'");
        } else {
            for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(layout.dataset("mix"))) {
                String name = st.getPath().getName();
                if (name.startsWith("chunk=") && Datasets.arrival(fs, layout, name.substring(6)) <= seq) {
                    chunks.add(name.substring(6));
                }
            }
        }
        List<Path> out = new ArrayList<>();
        for (String ch : chunks) {
            Path dir = layout.chunkDir("mix", ch);
            Manifest m = StageCommit.readManifest(fs, dir);
            if (m == null) {
                throw new ConfigError("eval: mix chunk " + ch + " is not committed under " + dir + " (run mix --chunk " + ch + " first)");
            }
            Object v = ((Map<?, ?>) m.counts()).get("tokenizer_version");
            if (!tokenizerVersion.equals(String.valueOf(v))) {
                throw new ConfigError("eval: mix chunk " + ch + " was tokenized with " + v + " but the model was trained with " + tokenizerVersion);
            }
            if (fs.exists(new Path(dir, "heldout"))) {
                out.add(new Path(dir, "heldout"));
            }
        }
        return out;
    }

    private static int eosId(FileSystem fs, Path tokDir, String tokenizerJson) throws java.io.IOException {
        Path cfg = new Path(tokDir, "tokenizer_config.json");
        String eos = fs.exists(cfg) ? JSON.readTree(StageCommit.readString(fs, cfg)).path("eos_token").asText("<|endoftext|>") : "<|endoftext|>";
        for (JsonNode a : JSON.readTree(tokenizerJson).path("added_tokens")) {
            if (eos.equals(a.path("content").asText())) {
                return a.path("id").asInt();
            }
        }
        throw new ConfigError("tokenizer " + tokDir + " has no end-of-text token '" + eos + "' (needed as the prefix token)");
    }

    private static List<Integer> ints(PipelineConfig c, String path) {
        return c.raw().getIntList(path);
    }
}
