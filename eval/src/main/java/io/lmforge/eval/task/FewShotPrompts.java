package io.lmforge.eval.task;

import io.lmforge.core.ids.StableId;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Builds k-shot prompts the way lm-evaluation-harness does: k demonstrations (each its context,
 * the target delimiter and its gold answer, followed by the few-shot delimiter), then the example.
 * Demonstrations come from the demonstration split (or, when a task has none, from the evaluation
 * split). The per-example sampler draws them with a seed per (seed, task, language, example), never the
 * example itself, so an example's prompt does not depend on which other examples are evaluated or in
 * what order; the harness sampler ({@link HarnessFewShotSampler}) hands its indices to the second build.
 *
 * @param templateLanguage language whose words the templates use ("" = each example's own)
 * @param demoLanguage language the demonstrations are drawn from ("" = the example's own)
 */
public record FewShotPrompts(TaskSpec spec, String templateLanguage, String demoLanguage) {

    public FewShotExample build(String lang, List<Map<String, String>> docs, int docIndex, List<Map<String, String>> demoPool,
                                boolean poolIsEvalSplit, int k, int seed) {
        return build(lang, docs, docIndex, demoPool, demonstrations(lang, docIndex, demoPool.size(), poolIsEvalSplit, k, seed), k, seed);
    }

    /** The prompt with the demonstrations given (indices into demoPool, in order): the harness sampler's choice. */
    public FewShotExample build(String lang, List<Map<String, String>> docs, int docIndex, List<Map<String, String>> demoPool,
                                int[] demonstrations, int k, int seed) {
        Map<String, String> doc = docs.get(docIndex);
        Map<String, String> words = spec.wordsFor(templateLanguage.isEmpty() ? lang : templateLanguage);
        StringBuilder prefix = new StringBuilder();
        for (int d : demonstrations) {
            Map<String, String> demo = demoPool.get(d);
            Map<String, String> demoWords = templateLanguage.isEmpty() && !demoLanguage.isEmpty() ? spec.wordsFor(demoLanguage) : words;
            int g = spec.gold(demo);
            if (spec.mode().equals(TaskSpec.CHOICES)) {
                prefix.append(spec.context().render(demo, demoWords)).append(spec.targetDelimiter()).append(spec.choices().get(g).render(demo, demoWords));
            } else {
                prefix.append(spec.choices().get(g).render(demo, demoWords)).append(spec.targetDelimiter()).append(spec.target().render(demo, demoWords));
            }
            prefix.append(spec.fewshotDelimiter());
        }
        List<String> contexts = new ArrayList<>();
        List<String> continuations = new ArrayList<>();
        List<String> norm = new ArrayList<>();
        if (spec.mode().equals(TaskSpec.CHOICES)) {
            String ctx = prefix + spec.context().render(doc, words);
            for (Template c : spec.choices()) {
                String choice = c.render(doc, words);
                contexts.add(ctx);
                continuations.add(spec.targetDelimiter() + choice);
                norm.add(choice);
            }
        } else {
            String target = spec.targetDelimiter() + spec.target().render(doc, words);
            for (Template c : spec.choices()) {
                String choice = c.render(doc, words);
                contexts.add(prefix + choice);
                continuations.add(target);
                norm.add(choice);
            }
        }
        return new FewShotExample(spec.name(), lang, k, seed, docIndex, contexts, continuations, norm, spec.gold(doc));
    }

    /** k distinct demonstration indices into a pool of n; the example itself is excluded when the pool is its own split. */
    int[] demonstrations(String lang, int docIndex, int n, boolean poolIsEvalSplit, int k, int seed) {
        if (k == 0) {
            return new int[0];
        }
        int[] idx = new int[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (!(poolIsEvalSplit && i == docIndex)) {
                idx[m++] = i;
            }
        }
        if (k > m) {
            throw new IllegalArgumentException("task " + spec.name() + " " + lang + ": " + k + "-shot needs " + k + " demonstrations, the pool has " + m);
        }
        Random r = new Random(StableId.hash64(seed + "|" + spec.name() + "|" + lang + "|" + docIndex));
        int[] out = new int[k];
        for (int i = 0; i < k; i++) { // partial Fisher-Yates
            int j = i + r.nextInt(m - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
            out[i] = idx[i];
        }
        return out;
    }
}
