package io.lmforge.eval.stage;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.lmforge.core.dataset.ModelHeader;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmforge.core.BuildInfo;
import io.lmforge.core.config.PipelineConfig;
import io.lmforge.eval.task.FewShotEvaluation;
import io.lmforge.eval.task.FewShotExample;
import io.lmforge.eval.task.LoadedTask;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an eval run writes: results.json in a layout close to lm-evaluation-harness's (results
 * keyed "task_lang" with "acc,none" / "acc_stderr,none" ..., plus n-shot, n-samples, configs,
 * config), samples.jsonl, the anytime rows and the console summary.
 */
final class EvalOutputs {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double LN2 = Math.log(2);
    private final String run;
    private final String chunk;
    private final long seq;
    private final String modelChunk;
    private final ModelHeader state;
    private final String tokenizerVersion;
    private final PipelineConfig config;
    private final FewShotEvaluation fewShot;
    private final Map<String, double[]> bpb;
    private final Map<String, double[]> baselines; // lang -> {uniform bits, unigram bits}
    private final List<FewShotEvaluation.Result> results;

    EvalOutputs(String run, String chunk, long seq, String modelChunk, ModelHeader state, String tokenizerVersion, PipelineConfig config,
                FewShotEvaluation fewShot, Map<String, double[]> bpb, Map<String, double[]> baselines,
                List<FewShotEvaluation.Result> results) {
        this.run = run;
        this.chunk = chunk;
        this.seq = seq;
        this.modelChunk = modelChunk;
        this.state = state;
        this.tokenizerVersion = tokenizerVersion;
        this.config = config;
        this.fewShot = fewShot;
        this.bpb = bpb;
        this.baselines = baselines;
        this.results = results;
    }

    static String resultKey(FewShotEvaluation.Result r) {
        return r.task() + "_" + r.lang() + "|" + r.k() + "-shot";
    }

    String resultsJson(double bpbSeconds, double fewShotSeconds) throws JsonProcessingException {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> res = new LinkedHashMap<>();
        Map<String, Object> nShot = new LinkedHashMap<>();
        Map<String, Object> nSamples = new LinkedHashMap<>();
        for (FewShotEvaluation.Result r : results) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("alias", r.task() + "_" + r.lang());
            m.put("acc,none", nanToNull(r.acc()));
            m.put("acc_stderr,none", nanToNull(r.accStderr()));
            m.put("acc_norm,none", nanToNull(r.accNorm()));
            m.put("acc_norm_stderr,none", nanToNull(r.accNormStderr()));
            m.put("acc_bytes,none", nanToNull(r.accBytes()));
            m.put("acc_bytes_stderr,none", nanToNull(r.accBytesStderr()));
            m.put("acc_per_seed", r.accPerSeed().stream().map(EvalOutputs::nanToNull).toList());
            m.put("acc_seed_std", nanToNull(r.accSeedStd()));
            m.put("seeds", r.seeds());
            m.put("sample_len", r.n());
            m.put("skipped_overlong", r.skipped());
            if (r.allSkipped()) {
                m.put("note", "every item skipped: a candidate longer than the model's context (eval.overlong)");
            }
            res.put(resultKey(r), m);
            nShot.put(resultKey(r), r.k());
            nSamples.put(resultKey(r), Map.of("original", fewShot.tasks().stream().filter(t -> t.spec().name().equals(r.task()))
                    .mapToInt(t -> t.evalDocs().get(r.lang()).size()).sum(), "effective", r.n()));
        }
        root.put("results", res);
        root.put("groups", groups());
        Map<String, Object> bpbOut = new TreeMap<>();
        for (Map.Entry<String, double[]> e : bpb.entrySet()) {
            double[] v = e.getValue();
            Map<String, Object> l = new LinkedHashMap<>(Map.of("bits_per_byte", v[0] / v[1] / LN2, "byte_perplexity", Math.exp(v[0] / v[1]),
                    "token_perplexity", Math.exp(v[0] / v[3]), "bytes", (long) v[1], "tokens", (long) v[3], "docs", (long) v[2]));
            double[] b = baselines.get(e.getKey());
            if (b != null) {
                l.put("uniform_bits_per_byte", b[0] / v[1]);
                l.put("unigram_bits_per_byte", b[1] / v[1]);
            }
            bpbOut.put(e.getKey(), l);
        }
        root.put("bits_per_byte", bpbOut);
        root.put("n-shot", nShot);
        root.put("n-samples", nSamples);
        Map<String, Object> configs = new LinkedHashMap<>();
        for (LoadedTask t : fewShot.tasks()) {
            configs.put(t.spec().name(), t.spec().sourceText());
        }
        root.put("configs", configs);
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("model", "lmforge-gpt2");
        cfg.put("run", run);
        cfg.put("chunk", chunk);
        cfg.put("model_chunk", modelChunk);
        cfg.put("step", state.step());
        cfg.put("tokens_seen", state.tokensSeen());
        cfg.put("parameters", state.parameters());
        cfg.put("tokenizer_version", tokenizerVersion);
        cfg.put("limit", fewShot.settings().limit() == 0 ? null : fewShot.settings().limit());
        cfg.put("fewshot_seeds", fewShot.settings().seeds());
        cfg.put("template_language", fewShot.settings().templateLanguage().isEmpty() ? "native" : fewShot.settings().templateLanguage());
        cfg.put("demo_language", fewShot.settings().demoLanguage().isEmpty() ? "same" : fewShot.settings().demoLanguage());
        cfg.put("eval_config", JSON.readTree(config.renderJson("eval")));
        root.put("config", cfg);
        root.put("lmforge_version", BuildInfo.codeVersion());
        root.put("date", Instant.now().toString());
        root.put("evaluation_time_seconds", Map.of("bits_per_byte", bpbSeconds, "fewshot", fewShotSeconds));
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    /** Per task and k: the mean accuracy over languages weighted by examples (the harness's weight_by_size). */
    private Map<String, Object> groups() {
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (FewShotEvaluation.Result r : results) {
            double[] s = sums.computeIfAbsent(r.task() + "|" + r.k() + "-shot", k -> new double[4]);
            if (r.allSkipped()) {
                continue;
            }
            s[0] += r.acc() * r.n();
            s[1] += r.accNorm() * r.n();
            s[2] += r.accBytes() * r.n();
            s[3] += r.n();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        sums.forEach((k, s) -> {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("acc,none", s[3] == 0 ? null : s[0] / s[3]);
            g.put("acc_norm,none", s[3] == 0 ? null : s[1] / s[3]);
            g.put("acc_bytes,none", s[3] == 0 ? null : s[2] / s[3]);
            g.put("sample_len", (long) s[3]);
            out.put(k, g);
        });
        return out;
    }

    String samplesJsonl(List<FewShotEvaluation.Scored> scored) throws JsonProcessingException {
        StringBuilder sb = new StringBuilder();
        for (FewShotEvaluation.Scored s : scored) {
            FewShotExample x = s.example();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("task", x.task() + "_" + x.lang());
            m.put("k", x.k());
            m.put("seed", x.seed());
            m.put("doc_id", x.docIndex());
            m.put("contexts", x.contexts());
            m.put("continuations", x.continuations());
            m.put("loglikelihoods", s.isSkipped() ? null : s.lls());
            m.put("continuation_tokens", s.tokens());
            m.put("gold", x.gold());
            if (s.isSkipped()) {
                m.put("skipped", s.skipped());
                sb.append(JSON.writeValueAsString(m)).append('\n');
                continue;
            }
            m.put("pred", s.scores().pred());
            m.put("pred_norm", s.scores().predNorm());
            m.put("pred_bytes", s.scores().predBytes());
            m.put("acc", s.scores().acc());
            m.put("acc_norm", s.scores().accNorm());
            m.put("acc_bytes", s.scores().accBytes());
            sb.append(JSON.writeValueAsString(m)).append('\n');
        }
        return sb.toString();
    }

    List<Row> anytimeRows() {
        List<Row> rows = new ArrayList<>();
        long step = state.step();
        long tokens = state.tokensSeen();
        for (Map.Entry<String, double[]> e : bpb.entrySet()) {
            double[] v = e.getValue();
            rows.add(RowFactory.create(chunk, seq, modelChunk, step, tokens, "bpb", "heldout", e.getKey(), null, v[0] / v[1] / LN2, (long) v[1]));
            double[] b = baselines.get(e.getKey());
            if (b != null) { // where the model stands: uniform over the vocabulary, and token frequencies
                rows.add(RowFactory.create(chunk, seq, modelChunk, step, tokens, "bpb_uniform", "heldout", e.getKey(), null, b[0] / v[1], (long) v[1]));
                rows.add(RowFactory.create(chunk, seq, modelChunk, step, tokens, "bpb_unigram", "heldout", e.getKey(), null, b[1] / v[1], (long) v[1]));
            }
        }
        for (FewShotEvaluation.Result r : results) {
            if (r.allSkipped()) {
                continue; // no metric to plot
            }
            rows.add(RowFactory.create(chunk, seq, modelChunk, step, tokens, "acc", r.task(), r.lang(), r.k(), r.acc(), (long) r.n()));
            rows.add(RowFactory.create(chunk, seq, modelChunk, step, tokens, "acc_norm", r.task(), r.lang(), r.k(), r.accNorm(), (long) r.n()));
            rows.add(RowFactory.create(chunk, seq, modelChunk, step, tokens, "acc_bytes", r.task(), r.lang(), r.k(), r.accBytes(), (long) r.n()));
        }
        return rows;
    }

    String consoleTable() {
        StringBuilder sb = new StringBuilder();
        if (!bpb.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%n%-8s %10s %10s %10s %10s %8s%n", "lang", "bits/byte", "uniform", "unigram", "tokens", "docs"));
            for (Map.Entry<String, double[]> e : bpb.entrySet()) {
                double[] v = e.getValue();
                double[] b = baselines.getOrDefault(e.getKey(), new double[]{Double.NaN, Double.NaN});
                sb.append(String.format(Locale.ROOT, "%-8s %10.3f %10.3f %10.3f %,10d %,8d%n", e.getKey(), v[0] / v[1] / LN2, b[0] / v[1], b[1] / v[1],
                        (long) v[3], (long) v[2]));
            }
        }
        if (!results.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%n%-22s %6s %6s %9s %8s %9s %9s %8s%n", "task", "k", "n", "acc", "± seeds", "acc_norm", "acc_bytes",
                    "skipped"));
            for (FewShotEvaluation.Result r : results) {
                if (r.allSkipped()) {
                    sb.append(String.format(Locale.ROOT, "%-22s %6d %6d %-38s %8d%n", r.task() + "_" + r.lang(), r.k(), 0,
                            "  every item skipped (overlong)", r.skipped()));
                    continue;
                }
                String std = Double.isNaN(r.accSeedStd()) ? "" : String.format(Locale.ROOT, "%.3f", r.accSeedStd());
                sb.append(String.format(Locale.ROOT, "%-22s %6d %6d %9.3f %8s %9.3f %9.3f %8d%n", r.task() + "_" + r.lang(), r.k(), r.n(), r.acc(), std,
                        r.accNorm(), r.accBytes(), r.skipped()));
            }
        }
        return sb.toString();
    }

    private static Double nanToNull(Double v) {
        return Double.isNaN(v) ? null : v;
    }
}
