package io.lmforge.training.pbt;

import io.lmforge.core.config.PipelineConfig;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * train.pbt.*: the population, when members are ready (every ready-rounds rounds and at the end of
 * each chunk), how the worst copy the best (exploit) and how copies change their hyperparameters
 * (explore), what is searched, and how many held-out documents score a member.
 */
public record PbtSettings(int population, int readyRounds, Exploit exploit, double fraction, Explore explore, double[] factors,
                          double resampleProbability, int heldoutDocs, List<Hyperparameter> searched) implements Serializable {

    /** truncation: the paper's truncation selection; none: members never copy each other (random search, the paper's baseline). */
    public enum Exploit { TRUNCATION, NONE }

    /** perturb: multiply by one of the factors; resample: with a probability, draw again from the prior. */
    public enum Explore { PERTURB, RESAMPLE }

    public static PbtSettings from(PipelineConfig c) {
        List<Hyperparameter> searched = new ArrayList<>();
        for (String name : List.of(Hyperparameter.LEARNING_RATE, Hyperparameter.WEIGHT_DECAY)) {
            List<Double> range = c.raw().getDoubleList("train.pbt.hyperparameters." + name);
            if (range.isEmpty()) {
                continue; // not searched: every member uses train.optimizer's value (the shape of a range is checked when the config loads)
            }
            searched.add(new Hyperparameter(name, range.get(0), range.get(1)));
        }
        double[] factors = c.raw().getDoubleList("train.pbt.factors").stream().mapToDouble(Double::doubleValue).toArray();
        return new PbtSettings(c.getInt("train.pbt.population"), c.getInt("train.pbt.ready-rounds"),
                Exploit.valueOf(c.getEnum("train.pbt.exploit").toUpperCase(Locale.ROOT)), c.getDouble("train.pbt.fraction"),
                Explore.valueOf(c.getEnum("train.pbt.explore").toUpperCase(Locale.ROOT)), factors,
                c.getDouble("train.pbt.resample-probability"), c.getInt("train.pbt.heldout-docs"), List.copyOf(searched));
    }

    /**
     * How many members are replaced (the bottom) and how many they copy from (the top) at a ready point:
     * fraction x population rounded, at least 1, at most half the population (0 for a population of 1).
     */
    public int cutoff() {
        return Math.min(population / 2, Math.max(1, (int) Math.round(fraction * population)));
    }
}
