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
    public record Settings(List<Integer> ks, List<Integer> seeds, int limit, String templateLanguage, String demoLanguage) {
    }

    /** One scored example: its prompt, candidates, log-likelihoods and metrics. */
    public record Scored(FewShotExample example, double[] lls, int[] tokens, ChoiceScores scores) {
    }

    /** Aggregate over one (task, language, k): mean over seeds; stderr = sample stderr of the per-example mean, averaged over seeds. */
    public record Result(String task, String lang, int k, int n, List<Integer> seeds, double acc, double accStderr, double accNorm,
                         double accNormStderr, double accBytes, double accBytesStderr, List<Double> accPerSeed) {
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
                        for (int i = 0; i < n; i++) {
                            examples.add(prompts.build(lang, docs, i, pool.docs(), pool.isEvalSplit(), k, seed));
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

    public List<Scored> score(Map<Long, double[]> byRequest) {
        List<Scored> out = new ArrayList<>(examples.size());
        for (int e = 0; e < examples.size(); e++) {
            FewShotExample x = examples.get(e);
            double[] lls = new double[x.contexts().size()];
            int[] tokens = new int[lls.length];
            for (int c = 0; c < lls.length; c++) {
                double[] r = byRequest.get(e * 16L + c);
                if (r == null) {
                    throw new IllegalStateException("no score came back for request " + (e * 16L + c) + " (" + x.key() + ")");
                }
                lls[c] = r[0];
                tokens[c] = (int) r[1];
            }
            out.add(new Scored(x, lls, tokens, ChoiceScores.of(lls, x.normTexts(), x.gold())));
        }
        return out;
    }

    public static List<Result> aggregate(List<Scored> scored) {
        Map<String, Map<Integer, List<ChoiceScores>>> groups = new LinkedHashMap<>(); // task|lang|k -> seed -> scores
        for (Scored s : scored) {
            FewShotExample x = s.example();
            groups.computeIfAbsent(x.task() + "|" + x.lang() + "|" + x.k(), g -> new LinkedHashMap<>())
                    .computeIfAbsent(x.seed(), g -> new ArrayList<>()).add(s.scores());
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
            out.add(new Result(key[0], key[1], Integer.parseInt(key[2]), n, List.copyOf(g.getValue().keySet()), acc[0] / s, acc[1] / s,
                    norm[0] / s, norm[1] / s, bytes[0] / s, bytes[1] / s, perSeed));
        }
        return out;
    }

    /** Mean and lm-evaluation-harness's mean_stderr (sample standard deviation / sqrt(n)). */
    static double[] meanStderr(double[] v) {
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
