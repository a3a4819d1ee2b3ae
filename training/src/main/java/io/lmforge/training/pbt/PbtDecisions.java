package io.lmforge.training.pbt;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Exploit and explore at a ready point, as Jaderberg et al. 2017 (arXiv 1711.09846, section 3 and
 * 4.1) define them, for a population that is ready all at once (a synchronous generation):
 * <ul>
 *   <li><b>truncation selection</b>: rank the members by score (held-out bits per byte, lower is
 *   better; a member whose score is not a number ranks last); each member in the bottom
 *   {@link PbtSettings#cutoff()} copies the weights, optimiser state and hyperparameters of a member
 *   drawn uniformly from the top {@link PbtSettings#cutoff()};</li>
 *   <li>explore, only for a member that copied: <b>perturb</b> multiplies each searched
 *   hyperparameter by a factor drawn uniformly from train.pbt.factors (0.8 or 1.2 in the paper);
 *   <b>resample</b> draws each one again from its prior with probability train.pbt.resample-probability.</li>
 * </ul>
 * Ties rank by member number. All draws come from the given generator, in member order: the same
 * seed gives the same decisions.
 */
public final class PbtDecisions {
    /** What member {@code member} continues from after the ready point: its own weights or {@code parent}'s, with {@code hyper}. */
    public record Decision(int member, int parent, Map<String, Double> hyper) {
        public boolean exploited() {
            return parent != member;
        }
    }

    private PbtDecisions() {
    }

    public static List<Decision> decide(double[] scores, List<Map<String, Double>> hypers, PbtSettings s, SplittableRandom rng) {
        int n = scores.length;
        List<Decision> out = new ArrayList<>(n);
        for (int m = 0; m < n; m++) {
            out.add(new Decision(m, m, hypers.get(m)));
        }
        int k = s.cutoff();
        if (s.exploit() == PbtSettings.Exploit.NONE || k == 0) {
            return out;
        }
        int[] ranked = ranking(scores);
        int[] top = java.util.Arrays.copyOfRange(ranked, 0, k);
        int[] bottom = java.util.Arrays.copyOfRange(ranked, n - k, n);
        java.util.Arrays.sort(bottom); // draws in member order, whatever the ranking
        for (int m : bottom) {
            int parent = top[rng.nextInt(k)];
            out.set(m, new Decision(m, parent, explore(hypers.get(parent), s, rng)));
        }
        return out;
    }

    /** Member numbers from best to worst. */
    public static int[] ranking(double[] scores) {
        return IntStream.range(0, scores.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(m -> Double.isNaN(scores[m]) ? Double.POSITIVE_INFINITY : scores[m])
                        .thenComparingInt(m -> m))
                .mapToInt(Integer::intValue).toArray();
    }

    static Map<String, Double> explore(Map<String, Double> from, PbtSettings s, SplittableRandom rng) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Hyperparameter h : s.searched()) {
            double v = from.get(h.name());
            out.put(h.name(), switch (s.explore()) {
                case PERTURB -> v * s.factors()[rng.nextInt(s.factors().length)];
                case RESAMPLE -> rng.nextDouble() < s.resampleProbability() ? h.sample(rng) : v;
            });
        }
        return out;
    }

    /** First hyperparameters of every member: independent draws from the priors. */
    public static List<Map<String, Double>> initial(PbtSettings s, SplittableRandom rng) {
        List<Map<String, Double>> out = new ArrayList<>();
        for (int m = 0; m < s.population(); m++) {
            Map<String, Double> h = new LinkedHashMap<>();
            for (Hyperparameter p : s.searched()) {
                h.put(p.name(), p.sample(rng));
            }
            out.add(h);
        }
        return out;
    }
}
