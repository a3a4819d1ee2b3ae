package io.lmforge.eval.task;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * lm-evaluation-harness's multiple-choice metrics for one example: acc = argmax of the summed
 * log-likelihoods; acc_norm = argmax of log-likelihood per character of the candidate text (the
 * harness divides by characters, not bytes - its issue #3278); acc_bytes = per UTF-8 byte. Ties
 * go to the first candidate, as numpy's argmax does.
 */
public record ChoiceScores(int pred, int predNorm, int predBytes, int gold) {

    public static ChoiceScores of(double[] lls, List<String> normTexts, int gold) {
        double[] perChar = new double[lls.length];
        double[] perByte = new double[lls.length];
        for (int i = 0; i < lls.length; i++) {
            String s = normTexts.get(i);
            perChar[i] = lls[i] / s.codePointCount(0, s.length()); // Python's len() counts code points
            perByte[i] = lls[i] / s.getBytes(StandardCharsets.UTF_8).length;
        }
        return new ChoiceScores(argmax(lls), argmax(perChar), argmax(perByte), gold);
    }

    static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    public double acc() {
        return pred == gold ? 1 : 0;
    }

    public double accNorm() {
        return predNorm == gold ? 1 : 0;
    }

    public double accBytes() {
        return predBytes == gold ? 1 : 0;
    }
}
