package io.lmforge.eval.task;

import io.lmforge.eval.score.ScoreRequest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every (task, language, k, seed, example) of an eval run, the score requests they need, and
 * their metrics once the log-likelihoods are back. k = 0 runs once (seed 0): there is nothing to
 * sample.
 */
public final class FewShotEvaluation {
    /** What an item with a candidate longer than the model's context is (eval.overlong): never scored truncated. */
    public enum Overlong {
        /** left out of the metrics, counted as skipped per task, language and k */
        SKIP,
        /** the eval stops with an error naming the item */
        FAIL;

        /** A value PipelineConfig#getEnum checked against ConfigEnums (when the config loaded): skip or fail. */
        public static Overlong of(String checked) {
            return valueOf(checked.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** How demonstrations are chosen (eval.fewshot.sampler). */
    public enum Sampler {
        /** lm-evaluation-harness's draws, document after document from one seeded generator ({@link HarnessFewShotSampler}) */
        HARNESS,
        /** a generator per example: a prompt independent of which other examples run */
        PER_EXAMPLE;

        /** A value PipelineConfig#getEnum checked against ConfigEnums (when the config loaded): harness or per-example. */
        public static Sampler of(String checked) {
            return valueOf(checked.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        }
    }

    public record Settings(List<Integer> ks, List<Integer> seeds, int limit, String templateLanguage, String demoLanguage, Overlong overlong,
                           Sampler sampler) {
        public Settings(List<Integer> ks, List<Integer> seeds, int limit, String templateLanguage, String demoLanguage) {
            this(ks, seeds, limit, templateLanguage, demoLanguage, Overlong.SKIP, Sampler.HARNESS);
        }
    }

    /**
     * One example: its prompt, candidates, log-likelihoods, continuation token counts and metrics; or,
     * when a candidate's continuation does not fit the model's context, skipped (scores null, the reason said).
     */
    public record Scored(FewShotExample example, double[] lls, int[] tokens, ChoiceScores scores, String skipped) {
        public boolean isSkipped() {
            return scores == null;
        }
    }

    /** Aggregate over one (task, language, k): mean over seeds; stderr = sample stderr of the per-example mean, averaged over seeds. */
    public record Result(String task, String lang, int k, int n, List<Integer> seeds, double acc, double accStderr, double accNorm,
                         double accNormStderr, double accBytes, double accBytesStderr, List<Double> accPerSeed, int skipped) {
        /** Standard deviation of acc over the seeds (sample, n - 1), as XGLM reports k-shot results; NaN with one seed. */
        public double accSeedStd() {
            List<Double> v = accPerSeed.stream().filter(a -> !Double.isNaN(a)).toList();
            if (v.size() < 2) {
                return Double.NaN;
            }
            double mean = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            return Math.sqrt(v.stream().mapToDouble(a -> (a - mean) * (a - mean)).sum() / (v.size() - 1));
        }

        /** Every item of this task, language and k was skipped: no metric. */
        public boolean allSkipped() {
            return n == 0;
        }
    }

    private final List<LoadedTask> tasks;
    private final Settings settings;
    private final List<FewShotExample> examples = new ArrayList<>();

    public FewShotEvaluation(List<LoadedTask> tasks, Settings settings) throws IOException {
        this.tasks = tasks;
        this.settings = settings;
        for (LoadedTask t : tasks) {
            FewShotPrompts prompts = new FewShotPrompts(t.spec(), settings.templateLanguage(), settings.demoLanguage());
            for (Map.Entry<String, List<Map<String, String>>> e : t.evalDocs().entrySet()) {
                String lang = e.getKey();
                List<Map<String, String>> docs = e.getValue();
                int n = settings.limit() > 0 ? Math.min(settings.limit(), docs.size()) : docs.size();
                LoadedTask.Pool pool = t.demoPool(lang, settings.demoLanguage());
                for (int k : settings.ks()) {
                    for (int seed : k == 0 ? List.of(0) : settings.seeds()) {
                        int[][] harness = settings.sampler() == Sampler.HARNESS
                                ? HarnessFewShotSampler.draws(pool.docs().size(), n, k, seed, t.spec().harnessExcludesExample(), pool.isEvalSplit()) : null;
                        for (int i = 0; i < n; i++) {
                            examples.add(harness == null ? prompts.build(lang, docs, i, pool.docs(), pool.isEvalSplit(), k, seed)
                                    : prompts.build(lang, docs, i, pool.docs(), harness[i], k, seed));
                        }
                    }
                }
            }
        }
    }

    public List<FewShotExample> examples() {
        return examples;
    }

    /** Request id = example index * 16 + candidate index. */
    public List<ScoreRequest> requests() {
        List<ScoreRequest> out = new ArrayList<>();
        for (int e = 0; e < examples.size(); e++) {
            FewShotExample x = examples.get(e);
            if (x.contexts().size() > 16) {
                throw new IllegalArgumentException("task " + x.task() + ": more than 16 candidates");
            }
            for (int c = 0; c < x.contexts().size(); c++) {
                out.add(new ScoreRequest(e * 16L + c, x.contexts().get(c), x.continuations().get(c)));
            }
        }
        return out;
    }

    /**
     * The examples' metrics from {request id: log-likelihood, tokens scored, continuation tokens}
     * (SparkScoring#logLikelihoods); an example with a candidate that did not fit {@code contextLength}
     * is skipped or fails the run, as eval.overlong says.
     */
    public List<Scored> score(Map<Long, double[]> byRequest, int contextLength) {
        List<Scored> out = new ArrayList<>(examples.size());
        for (int e = 0; e < examples.size(); e++) {
            FewShotExample x = examples.get(e);
            double[] lls = new double[x.contexts().size()];
            int[] tokens = new int[lls.length];
            int longest = -1; // the longest candidate that did not fit
            for (int c = 0; c < lls.length; c++) {
                double[] r = byRequest.get(e * 16L + c);
                if (r == null) {
                    throw new IllegalStateException("no score came back for request " + (e * 16L + c) + " (" + x.key() + ")");
                }
                lls[c] = r[0];
                tokens[c] = (int) r[2];
                if (Double.isNaN(r[0]) && (longest < 0 || tokens[c] > tokens[longest])) {
                    longest = c;
                }
            }
            String skipped = longest < 0 ? null
                    : "candidate " + longest + ": continuation of " + tokens[longest] + " tokens, the model's context is " + contextLength;
            if (skipped != null && settings.overlong() == Overlong.FAIL) {
                throw new IllegalArgumentException(x.key() + " doc " + x.docIndex() + " (k=" + x.k() + ", seed " + x.seed() + "): " + skipped
                        + "; it cannot be scored whole (eval.overlong = fail; skip counts such items instead)");
            }
            out.add(new Scored(x, lls, tokens, skipped == null ? ChoiceScores.of(lls, x.normTexts(), x.gold()) : null, skipped));
        }
        return out;
    }

    public static List<Result> aggregate(List<Scored> scored) {
        Map<String, Map<Integer, List<ChoiceScores>>> groups = new LinkedHashMap<>(); // task|lang|k -> seed -> scores
        Map<String, Map<Integer, Integer>> skipped = new LinkedHashMap<>(); // task|lang|k -> seed -> items skipped
        for (Scored s : scored) {
            FewShotExample x = s.example();
            String key = x.task() + "|" + x.lang() + "|" + x.k();
            List<ChoiceScores> seedScores = groups.computeIfAbsent(key, g -> new LinkedHashMap<>()).computeIfAbsent(x.seed(), g -> new ArrayList<>());
            if (s.isSkipped()) {
                skipped.computeIfAbsent(key, g -> new LinkedHashMap<>()).merge(x.seed(), 1, Integer::sum);
            } else {
                seedScores.add(s.scores());
            }
        }
        List<Result> out = new ArrayList<>();
        for (Map.Entry<String, Map<Integer, List<ChoiceScores>>> g : groups.entrySet()) {
            String[] key = g.getKey().split("\\|");
            double[] acc = new double[2];
            double[] norm = new double[2];
            double[] bytes = new double[2];
            List<Double> perSeed = new ArrayList<>();
            int n = 0;
            for (List<ChoiceScores> seedScores : g.getValue().values()) {
                double[] a = meanStderr(seedScores.stream().mapToDouble(ChoiceScores::acc).toArray());
                double[] b = meanStderr(seedScores.stream().mapToDouble(ChoiceScores::accNorm).toArray());
                double[] c = meanStderr(seedScores.stream().mapToDouble(ChoiceScores::accBytes).toArray());
                for (int i = 0; i < 2; i++) {
                    acc[i] += a[i];
                    norm[i] += b[i];
                    bytes[i] += c[i];
                }
                perSeed.add(a[0]);
                n = seedScores.size();
            }
            int s = g.getValue().size();
            int skips = skipped.getOrDefault(g.getKey(), Map.of()).values().stream().mapToInt(Integer::intValue).max().orElse(0);
            out.add(new Result(key[0], key[1], Integer.parseInt(key[2]), n, List.copyOf(g.getValue().keySet()), acc[0] / s, acc[1] / s,
                    norm[0] / s, norm[1] / s, bytes[0] / s, bytes[1] / s, perSeed, skips));
        }
        return out;
    }

    /** Mean and lm-evaluation-harness's mean_stderr (sample standard deviation / sqrt(n)). */
    static double[] meanStderr(double[] v) {
        if (v.length == 0) {
            return new double[]{Double.NaN, Double.NaN};
        }
        double mean = 0;
        for (double x : v) {
            mean += x;
        }
        mean /= v.length;
        if (v.length < 2) {
            return new double[]{mean, Double.NaN};
        }
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        return new double[]{mean, Math.sqrt(ss / (v.length - 1) / v.length)};
    }

    public List<LoadedTask> tasks() {
        return tasks;
    }

    public Settings settings() {
        return settings;
    }
}
