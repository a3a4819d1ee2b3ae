package io.lmforge.eval.task;

/**
 * lm-evaluation-harness's choice of demonstrations (eval.fewshot.sampler = harness): one generator per
 * task, language and seed ({@code random.Random(fewshot_random_seed)}, reset by the evaluator for every
 * task), drawing {@code rnd.sample(pool, k)} for the evaluation documents in document order, so a
 * document's demonstrations depend on the draws for the documents before it. Where the harness passes the
 * example for exclusion (its fewshot_split equals its test_split: on XStoryCloze both are unset) it draws
 * k + 1 and keeps the first k that are not the example. Where it does not, and the pool is the evaluation
 * split itself (XWinograd has no other split), an example can be its own demonstration: the harness does
 * that, so this does too. Computed on the driver; the prompts carry the result to the executors.
 */
public final class HarnessFewShotSampler {
    private HarnessFewShotSampler() {
    }

    /**
     * Demonstration indices (into a pool of {@code poolSize}) for documents 0..docs-1.
     *
     * @param excludesExample whether the harness passes the example for exclusion (the task's harness-excludes-example)
     * @param poolIsEvalSplit whether the pool is the evaluation split (then index d is document d)
     */
    public static int[][] draws(int poolSize, int docs, int k, long seed, boolean excludesExample, boolean poolIsEvalSplit) {
        int[][] out = new int[docs][];
        if (k == 0) {
            for (int d = 0; d < docs; d++) {
                out[d] = new int[0];
            }
            return out;
        }
        PythonRandom rnd = new PythonRandom(seed);
        for (int d = 0; d < docs; d++) {
            if (!excludesExample) {
                out[d] = rnd.sample(poolSize, k);
                continue;
            }
            int[] drawn = rnd.sample(poolSize, k + 1);
            int[] kept = new int[k];
            int m = 0;
            for (int i : drawn) {
                if (m < k && !(poolIsEvalSplit && i == d)) {
                    kept[m++] = i;
                }
            }
            out[d] = kept;
        }
        return out;
    }
}
