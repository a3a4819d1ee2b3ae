package io.lmforge.ingest.langid;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scorer's blocked, per-script layout must give exactly the plain sum over n-grams in text order. */
class LinearLanguageModelTest {
    @Test
    void averagedScoresAreTheTextOrderSumOfTheWeightsBitForBit() {
        String[] labels = {"en|Latn", "ru|Cyrl", "de|Latn", "uk|Cyrl", "fr|Latn"};
        int numFeatures = 1 << 10;
        Random rnd = new Random(7);
        float[][] w = new float[labels.length][numFeatures];
        for (float[] row : w) {
            for (int f = 0; f < numFeatures; f++) {
                row[f] = (float) (rnd.nextGaussian() * Math.exp(rnd.nextGaussian() * 3)); // wide exponents: order matters
            }
        }
        double[] bias = {0.1, -0.2, 0.3, 0.0, -0.05};
        Map<String, int[]> scripts = Map.of("Latn", new int[]{0, 2, 4}, "Cyrl", new int[]{1, 3});
        LinearLanguageModel model = new LinearLanguageModel(labels, w, bias, numFeatures, 4, 1000, scripts, 1.0);
        String[] texts = {"a", "ab", "abc", "The quick brown fox", "Der schnelle braune Fuchs springt über den faulen Hund.",
            "Привет, мир", "Съешь же ещё этих мягких французских булок да выпей чаю", "x".repeat(1500)};
        for (String t : texts) {
            String script = ScriptDetector.dominant(t);
            int[] allowed = scripts.get(script);
            int[] idx = CharNgrams.hashedIndices(t, 4, 1000, numFeatures);
            double[] z = model.averagedScores(t, script);
            for (int c : allowed) {
                double sum = 0;
                for (int f : idx) {
                    sum += w[c][f];
                }
                assertEquals(sum / idx.length + bias[c], z[c], 0.0, t + " label " + labels[c] + " (" + idx.length + " n-grams)");
            }
            for (int c = 0; c < labels.length; c++) {
                int label = c;
                if (java.util.Arrays.stream(allowed).noneMatch(a -> a == label)) {
                    assertTrue(Double.isNaN(z[c]), "labels of other scripts are not scored");
                }
            }
        }
    }
}
