package io.lmforge.eval.task;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Our harness sampler against lm-evaluation-harness's own: the demonstration indices of the first six
 * documents, recorded once from lm_eval 0.4.13's ContextSampler (lm_eval/api/samplers.py) with
 * {@code python python/harness_fewshot_indices.py} (a pool of index documents, seeded and called as the
 * harness's evaluator and ConfigurableTask.fewshot_context do). Pools: XCOPA's validation split (100),
 * XStoryCloze's train split (360, the example passed for exclusion, so k + 1 draws), XWinograd's test split
 * (fr 83: Python's pool-swap branch at k = 8; en 2,325).
 */
class HarnessFewShotSamplerTest {
    @Test
    void drawsTheHarnessesDemonstrations() {
        check(100, 4, 1234, false, false, new int[][]{{99, 56, 14, 0}, {11, 74, 4, 85}, {88, 10, 12, 98}, {45, 30, 2, 3}, {2, 44, 82, 79}, {61, 78, 59, 19}}); // xcopa
        check(100, 1, 0, false, false, new int[][]{{49}, {97}, {53}, {5}, {33}, {65}}); // xcopa
        check(360, 1, 1234, true, false, new int[][]{{225}, {3}, {298}, {343}, {42}, {181}}); // xstorycloze
        check(360, 8, 0, true, false, new int[][]{{197, 215, 20, 132, 261, 248, 207, 155}, {183, 298, 111, 258, 71, 144, 48, 316}, {272, 308, 75, 158, 50, 37, 350, 169}, {286, 51, 181, 222, 161, 312, 327, 104}, {244, 226, 266, 133, 31, 280, 7, 47}, {342, 320, 0, 313, 252, 170, 124, 166}}); // xstorycloze
        check(83, 8, 1234, false, true, new int[][]{{56, 14, 0, 11, 74, 4, 10, 12}, {45, 30, 2, 3, 80, 44, 61, 59}, {19, 11, 23, 14, 1, 64, 62, 31}, {8, 69, 59, 82, 76, 11, 65, 74}, {5, 34, 71, 8, 38, 61, 45, 81}, {31, 25, 58, 67, 2, 65, 9, 0}}); // xwinograd_fr
        check(2325, 4, 1234, false, true, new int[][]{{1805, 478, 30, 371}, {143, 343, 403, 1452}, {969, 71, 126, 64}, {1417, 1983, 1898, 608}, {373, 749, 468, 59}, {2060, 1993, 1023, 264}}); // xwinograd_en
    }

    private static void check(int pool, int k, long seed, boolean excludes, boolean poolIsEvalSplit, int[][] expected) {
        int[][] got = HarnessFewShotSampler.draws(pool, expected.length, k, seed, excludes, poolIsEvalSplit);
        for (int d = 0; d < expected.length; d++) {
            assertArrayEquals(expected[d], got[d], "pool " + pool + ", k " + k + ", seed " + seed + ", document " + d);
        }
    }
}
