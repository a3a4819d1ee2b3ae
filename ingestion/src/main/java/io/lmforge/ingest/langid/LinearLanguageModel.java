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
    // [feature][label], flattened: an n-gram's weights for every label sit in one or two cache lines
    private final float[] weightsByFeature;
    private final double[] bias;       // per label, added after averaging
    private final int numFeatures;
    private final int maxN;
    private final int maxChars;
    private final Map<String, int[]> labelsOfScript;
    private double temperature;

    public LinearLanguageModel(String[] labels, float[][] weights, double[] bias, int numFeatures, int maxN, int maxChars,
                               Map<String, int[]> labelsOfScript, double temperature) {
        this.labels = labels;
        this.weightsByFeature = new float[numFeatures * labels.length];
        for (int c = 0; c < labels.length; c++) {
            for (int f = 0; f < numFeatures; f++) {
                weightsByFeature[f * labels.length + c] = weights[c][f];
            }
        }
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

    /** Averaged per-label scores over the allowed labels (others are NaN); null when the text has no letters. */
    double[] averagedScores(String text, int[] allowed) {
        int[] idx = CharNgrams.hashedIndices(text, maxN, maxChars, numFeatures);
        if (idx.length == 0) {
            return null;
        }
        double[] z = new double[labels.length];
        java.util.Arrays.fill(z, Double.NaN);
        for (int c : allowed) {
            z[c] = 0;
        }
        int nLabels = labels.length;
        for (int f : idx) {
            int base = f * nLabels;
            for (int c : allowed) {
                z[c] += weightsByFeature[base + c];
            }
        }
        for (int c : allowed) {
            z[c] = z[c] / idx.length + bias[c];
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
        double[] z = averagedScores(text, allowed);
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
