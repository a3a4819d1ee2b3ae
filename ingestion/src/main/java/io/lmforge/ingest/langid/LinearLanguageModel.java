package io.lmforge.ingest.langid;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * The trained language identifier in a form executors can use without Spark: per-class (language
 * and script, see {@link ScriptedLabel}) weights over hashed character n-grams (Naive Bayes log-likelihoods or logistic-regression
 * coefficients, read from the saved MLlib PipelineModel), the script profile, and a calibration
 * temperature. Scoring averages the weights over the text's n-grams (so short and long texts are
 * on one scale) and turns them into probabilities with a softmax at the fitted temperature: a
 * score of 0.9 means right about 9 times in 10 on held-out data, whatever the length.
 */
public final class LinearLanguageModel implements LanguageDetector, Serializable {
    private static final long serialVersionUID = 1L;
    private final String[] labels;
    // per script, [feature][label of that script] flattened: scoring reads one contiguous run of floats per
    // n-gram and only for the labels the script allows (no index indirection in the inner loop)
    private final Map<String, float[]> weightsOfScript = new HashMap<>();
    private final double[] bias;       // per label, added after averaging
    private final int numFeatures;
    private final int maxN;
    private final int maxChars;
    private final Map<String, int[]> labelsOfScript;
    private double temperature;

    public LinearLanguageModel(String[] labels, float[][] weights, double[] bias, int numFeatures, int maxN, int maxChars,
                               Map<String, int[]> labelsOfScript, double temperature) {
        this.labels = labels;
        labelsOfScript.forEach((script, allowed) -> {
            float[] table = new float[numFeatures * allowed.length];
            for (int k = 0; k < allowed.length; k++) {
                for (int f = 0; f < numFeatures; f++) {
                    table[f * allowed.length + k] = weights[allowed[k]][f];
                }
            }
            weightsOfScript.put(script, table);
        });
        this.bias = bias;
        this.numFeatures = numFeatures;
        this.maxN = maxN;
        this.maxChars = maxChars;
        this.labelsOfScript = new HashMap<>(labelsOfScript);
        this.temperature = temperature;
    }

    public String[] labels() {
        return labels;
    }

    public Map<String, int[]> labelsOfScript() {
        return labelsOfScript;
    }

    public double temperature() {
        return temperature;
    }

    public void setTemperature(double t) {
        this.temperature = t;
    }

    /**
     * Averaged per-label scores over the labels of the script (others are NaN); null when the text has no
     * letters. Each label's sum runs over the n-grams in text order, so the result does not depend on how
     * the weights are laid out.
     */
    double[] averagedScores(String text, String script) {
        int[] allowed = labelsOfScript.get(script);
        int[] idx = CharNgrams.hashedIndices(text, maxN, maxChars, numFeatures);
        if (idx.length == 0) {
            return null;
        }
        float[] table = weightsOfScript.get(script);
        int m = allowed.length;
        double[] acc = new double[m];
        int i = 0;
        // four n-grams at a time: four rows' loads in flight together, each label's sum still in n-gram order
        for (; i + 4 <= idx.length; i += 4) {
            int b0 = idx[i] * m;
            int b1 = idx[i + 1] * m;
            int b2 = idx[i + 2] * m;
            int b3 = idx[i + 3] * m;
            for (int k = 0; k < m; k++) {
                acc[k] = acc[k] + table[b0 + k] + table[b1 + k] + table[b2 + k] + table[b3 + k];
            }
        }
        for (; i < idx.length; i++) {
            int base = idx[i] * m;
            for (int k = 0; k < m; k++) {
                acc[k] += table[base + k];
            }
        }
        double[] z = new double[labels.length];
        java.util.Arrays.fill(z, Double.NaN);
        for (int k = 0; k < m; k++) {
            z[allowed[k]] = acc[k] / idx.length + bias[allowed[k]];
        }
        return z;
    }

    /** Probabilities over the allowed labels at temperature t. */
    static double[] softmax(double[] z, int[] allowed, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c : allowed) {
            max = Math.max(max, z[c] * t);
        }
        double sum = 0;
        double[] p = new double[z.length];
        for (int c : allowed) {
            p[c] = Math.exp(z[c] * t - max);
            sum += p[c];
        }
        for (int c : allowed) {
            p[c] /= sum;
        }
        return p;
    }

    /** Labels allowed for the text's script, or null when the script never occurred in training. */
    int[] allowed(String script) {
        return labelsOfScript.get(script);
    }

    @Override
    public Detection detect(String text) {
        String script = ScriptDetector.dominant(text);
        int[] allowed = allowed(script);
        if (allowed == null) {
            return new Detection("und", 0.0, script, false);
        }
        if (allowed.length == 1) {
            return new Detection(ScriptedLabel.language(labels[allowed[0]]), 1.0, script, true);
        }
        double[] z = averagedScores(text, script);
        if (z == null) {
            return new Detection("und", 0.0, script, true);
        }
        double[] p = softmax(z, allowed, temperature);
        int best = allowed[0];
        for (int c : allowed) {
            if (p[c] > p[best]) {
                best = c;
            }
        }
        return new Detection(ScriptedLabel.language(labels[best]), p[best], script, true);
    }
}
