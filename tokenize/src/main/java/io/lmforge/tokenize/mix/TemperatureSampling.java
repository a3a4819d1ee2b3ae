package io.lmforge.tokenize.mix;

import java.util.Map;
import java.util.TreeMap;

/**
 * XGLM's language balancing: sample language l with probability p_l = n_l^α / Σ_k n_k^α
 * (α = 1 keeps the natural distribution, α = 0 makes it uniform; XGLM uses 0.3). The total
 * budget stays Σ n_l, so language l is repeated r_l = p_l · Σ n / n_l times (below 1:
 * subsampled), capped at {@code maxRepeats} so a tiny language is not repeated into memorisation.
 * Used by the mix stage (tokens) and by tokenizer training (bytes), so both see the same balance.
 */
public final class TemperatureSampling {
    private TemperatureSampling() {
    }

    /** p_l for each language (sizes in any unit: tokens, bytes). Languages of size 0 get 0. */
    public static Map<String, Double> probabilities(Map<String, Long> sizes, double alpha) {
        if (alpha < 0 || alpha > 1 || Double.isNaN(alpha)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
        }
        double z = 0;
        for (long n : sizes.values()) {
            z += n > 0 ? Math.pow(n, alpha) : 0;
        }
        Map<String, Double> p = new TreeMap<>();
        for (Map.Entry<String, Long> e : sizes.entrySet()) {
            p.put(e.getKey(), e.getValue() > 0 && z > 0 ? Math.pow(e.getValue(), alpha) / z : 0.0);
        }
        return p;
    }

    /** r_l: how many times each language's data is used (fractional; < 1 subsamples), capped at maxRepeats. */
    public static Map<String, Double> repeats(Map<String, Long> sizes, double alpha, double maxRepeats) {
        if (maxRepeats <= 0) {
            throw new IllegalArgumentException("maxRepeats must be > 0, got " + maxRepeats);
        }
        long total = 0;
        for (long n : sizes.values()) {
            total += n;
        }
        Map<String, Double> p = probabilities(sizes, alpha);
        Map<String, Double> r = new TreeMap<>();
        for (Map.Entry<String, Long> e : sizes.entrySet()) {
            long n = e.getValue();
            r.put(e.getKey(), n > 0 ? Math.min(maxRepeats, p.get(e.getKey()) * total / n) : 0.0);
        }
        return r;
    }
}
