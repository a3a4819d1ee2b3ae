package io.lmforge.training.pbt;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exploit (truncation selection) and explore (perturb, resample) on hand-built scores. */
class PbtDecisionsTest {
    private static final List<Hyperparameter> SEARCHED = List.of(new Hyperparameter("learning-rate", 1e-4, 1e-2),
            new Hyperparameter("weight-decay", 0.0, 0.2));

    private static PbtSettings settings(int population, double fraction, PbtSettings.Exploit exploit, PbtSettings.Explore explore, double p) {
        return new PbtSettings(population, 1, exploit, fraction, explore, new double[]{0.8, 1.2}, p, 8, SEARCHED);
    }

    private static List<Map<String, Double>> hypers(int n) {
        List<Map<String, Double>> out = new ArrayList<>();
        for (int m = 0; m < n; m++) {
            out.add(Map.of("learning-rate", 1e-3 * (m + 1), "weight-decay", 0.01 * (m + 1)));
        }
        return out;
    }

    @Test
    void theBottomCopiesTheTopAndPerturbsByTheFactorsDrawn() {
        double[] scores = {3.0, 2.0, Double.NaN, 4.0, 1.0}; // ranking 4, 1, 0, 3, 2 (NaN last)
        PbtSettings s = settings(5, 0.4, PbtSettings.Exploit.TRUNCATION, PbtSettings.Explore.PERTURB, 0);
        assertEquals(2, s.cutoff());
        assertArrayEquals(new int[]{4, 1, 0, 3, 2}, PbtDecisions.ranking(scores));
        List<PbtDecisions.Decision> d = PbtDecisions.decide(scores, hypers(5), s, new SplittableRandom(7));
        // the same draws by hand, in the documented order: member 2 then member 3; parent, then a factor per hyperparameter
        SplittableRandom r = new SplittableRandom(7);
        int[] top = {4, 1};
        double[] f = {0.8, 1.2};
        for (int m : new int[]{2, 3}) {
            int parent = top[r.nextInt(2)];
            double lr = hypers(5).get(parent).get("learning-rate") * f[r.nextInt(2)];
            double wd = hypers(5).get(parent).get("weight-decay") * f[r.nextInt(2)];
            assertEquals(parent, d.get(m).parent(), "member " + m);
            assertTrue(d.get(m).exploited());
            assertEquals(lr, d.get(m).hyper().get("learning-rate"), 0);
            assertEquals(wd, d.get(m).hyper().get("weight-decay"), 0);
        }
        for (int m : new int[]{0, 1, 4}) {
            assertFalse(d.get(m).exploited(), "member " + m + " is not in the bottom 2");
            assertEquals(hypers(5).get(m), d.get(m).hyper());
        }
    }

    @Test
    void perturbedValuesAreTheParentsTimesAFactorAndDecisionsRepeatWithTheSeed() {
        double[] scores = {0.5, 0.9, 0.7, 0.6, 1.0, 0.8, 0.4, 1.1, 0.3, 0.2};
        PbtSettings s = settings(10, 0.2, PbtSettings.Exploit.TRUNCATION, PbtSettings.Explore.PERTURB, 0);
        List<PbtDecisions.Decision> a = PbtDecisions.decide(scores, hypers(10), s, new SplittableRandom(3));
        assertEquals(a, PbtDecisions.decide(scores, hypers(10), s, new SplittableRandom(3)), "same seed, same decisions");
        long copied = a.stream().filter(PbtDecisions.Decision::exploited).count();
        assertEquals(2, copied, "20% of 10");
        for (PbtDecisions.Decision d : a) {
            if (d.exploited()) {
                assertTrue(d.member() == 7 || d.member() == 4, "the two worst: " + d);
                assertTrue(d.parent() == 9 || d.parent() == 8, "copied from the two best: " + d);
                double ratio = d.hyper().get("learning-rate") / hypers(10).get(d.parent()).get("learning-rate");
                assertTrue(Math.abs(ratio - 0.8) < 1e-12 || Math.abs(ratio - 1.2) < 1e-12, "factor " + ratio);
            }
        }
    }

    @Test
    void resampleDrawsFromThePriorWithItsProbabilityAndNoneIsRandomSearch() {
        double[] scores = {2.0, 1.0, 3.0, 4.0};
        PbtSettings always = settings(4, 0.25, PbtSettings.Exploit.TRUNCATION, PbtSettings.Explore.RESAMPLE, 1.0);
        PbtDecisions.Decision d = PbtDecisions.decide(scores, hypers(4), always, new SplittableRandom(1)).get(3);
        assertEquals(1, d.parent());
        double lr = d.hyper().get("learning-rate");
        double wd = d.hyper().get("weight-decay");
        assertTrue(lr >= 1e-4 && lr <= 1e-2 && wd >= 0 && wd <= 0.2, d.toString());
        assertFalse(lr == hypers(4).get(1).get("learning-rate"), "redrawn, not copied");
        PbtSettings never = settings(4, 0.25, PbtSettings.Exploit.TRUNCATION, PbtSettings.Explore.RESAMPLE, 0.0);
        assertEquals(hypers(4).get(1), PbtDecisions.decide(scores, hypers(4), never, new SplittableRandom(1)).get(3).hyper(),
                "probability 0: the parent's values as copied");
        PbtSettings none = settings(4, 0.25, PbtSettings.Exploit.NONE, PbtSettings.Explore.PERTURB, 0);
        assertTrue(PbtDecisions.decide(scores, hypers(4), none, new SplittableRandom(1)).stream().noneMatch(PbtDecisions.Decision::exploited));
        assertEquals(0, settings(1, 0.2, PbtSettings.Exploit.TRUNCATION, PbtSettings.Explore.PERTURB, 0).cutoff(), "a population of one never copies");
        assertEquals(1, settings(4, 0.2, PbtSettings.Exploit.TRUNCATION, PbtSettings.Explore.PERTURB, 0).cutoff());
    }

    @Test
    void firstHyperparametersComeFromThePriors() {
        PbtSettings s = settings(200, 0.2, PbtSettings.Exploit.TRUNCATION, PbtSettings.Explore.PERTURB, 0);
        List<Map<String, Double>> h = PbtDecisions.initial(s, new SplittableRandom(5));
        long belowGeometricMean = h.stream().filter(m -> m.get("learning-rate") < 1e-3).count();
        assertTrue(belowGeometricMean > 70 && belowGeometricMean < 130, "log-uniform: about half below 1e-3, got " + belowGeometricMean);
        assertTrue(h.stream().allMatch(m -> m.get("weight-decay") >= 0 && m.get("weight-decay") <= 0.2));
        assertEquals(h, PbtDecisions.initial(s, new SplittableRandom(5)));
    }
}
