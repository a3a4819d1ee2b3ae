package io.lmforge.training.pbt;

import io.lmforge.core.config.ConfigError;
import io.lmforge.training.optim.OptimizerSpec;

import java.io.Serializable;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One hyperparameter a population searches (a key of train.pbt.hyperparameters) with its prior: the
 * range [lo, hi] members' first values are drawn from (and resample draws from again). The learning
 * rate is drawn log-uniformly (its scale is what matters), the others uniformly.
 */
public record Hyperparameter(String name, double lo, double hi) implements Serializable {
    public static final String LEARNING_RATE = "learning-rate";
    public static final String WEIGHT_DECAY = "weight-decay";

    public Hyperparameter {
        if (!(lo <= hi) || lo < 0 || (name.equals(LEARNING_RATE) && lo <= 0)) {
            throw new ConfigError(String.format(Locale.ROOT, "train.pbt.hyperparameters.%s = [%s, %s]: need 0 %s lo <= hi", name, lo, hi,
                    name.equals(LEARNING_RATE) ? "<" : "<="));
        }
    }

    public boolean logScale() {
        return name.equals(LEARNING_RATE);
    }

    /** A draw from the prior. */
    public double sample(SplittableRandom rng) {
        double u = rng.nextDouble();
        return logScale() ? Math.exp(Math.log(lo) + u * (Math.log(hi) - Math.log(lo))) : lo + u * (hi - lo);
    }

    /** The optimiser with this hyperparameter set to {@code value}. */
    public OptimizerSpec applyTo(OptimizerSpec o, double value) {
        return switch (name) {
            case LEARNING_RATE -> new OptimizerSpec(o.kind(), value, o.warmupSteps(), o.lrSchedule(), o.totalSteps(), o.minLrRatio(), o.beta1(),
                    o.beta2(), o.epsilon(), o.weightDecay(), o.clipNorm(), o.sfR(), o.sfWeightLrPower(), o.sfBiasCorrectionInDenominator());
            case WEIGHT_DECAY -> new OptimizerSpec(o.kind(), o.learningRate(), o.warmupSteps(), o.lrSchedule(), o.totalSteps(), o.minLrRatio(),
                    o.beta1(), o.beta2(), o.epsilon(), value, o.clipNorm(), o.sfR(), o.sfWeightLrPower(), o.sfBiasCorrectionInDenominator());
            default -> throw new ConfigError("train.pbt.hyperparameters." + name + ": not a hyperparameter PBT can search (learning-rate, weight-decay)");
        };
    }
}
