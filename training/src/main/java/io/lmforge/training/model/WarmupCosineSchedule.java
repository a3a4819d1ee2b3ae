package io.lmforge.training.model;

import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Linear warm-up to the peak learning rate, then cosine decay to {@code minRatio} x peak at
 * {@code totalSteps} (constant afterwards). {@code totalSteps <= warmup} gives a constant rate
 * after warm-up. Steps are DL4J iterations, which the averaging rounds carry from round to round.
 */
public final class WarmupCosineSchedule implements ISchedule {
    private static final long serialVersionUID = 1L;
    private final double peak;
    private final int warmupSteps;
    private final int totalSteps;
    private final double minRatio;

    public WarmupCosineSchedule(@JsonProperty("peak") double peak, @JsonProperty("warmupSteps") int warmupSteps,
                                @JsonProperty("totalSteps") int totalSteps, @JsonProperty("minRatio") double minRatio) {
        this.peak = peak;
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
        this.minRatio = minRatio;
    }

    @JsonProperty("peak") public double getPeak() { return peak; }
    @JsonProperty("warmupSteps") public int getWarmupSteps() { return warmupSteps; }
    @JsonProperty("totalSteps") public int getTotalSteps() { return totalSteps; }
    @JsonProperty("minRatio") public double getMinRatio() { return minRatio; }

    @Override
    public double valueAt(int iteration, int epoch) {
        if (iteration < warmupSteps) {
            return peak * (iteration + 1) / warmupSteps;
        }
        if (totalSteps <= warmupSteps) {
            return peak;
        }
        double progress = Math.min(1.0, (double) (iteration - warmupSteps) / (totalSteps - warmupSteps));
        return peak * (minRatio + (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }

    @Override
    public ISchedule clone() {
        return new WarmupCosineSchedule(peak, warmupSteps, totalSteps, minRatio);
    }
}
