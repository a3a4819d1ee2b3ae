package io.lmforge.training.model;

import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Linear warm-up to the peak learning rate, then cosine decay to {@code minRatio} x peak at
 * {@code totalSteps} (constant afterwards). {@code totalSteps <= warmup} gives a constant rate
 * after warm-up. Steps are DL4J iterations, which the averaging rounds carry from round to round,
 * counted from {@code offset} (a schedule that restarts with each chunk starts at the chunk's first step).
 */
public final class WarmupCosineSchedule implements ISchedule {
    private static final long serialVersionUID = 1L;
    private final double peak;
    private final int warmupSteps;
    private final int totalSteps;
    private final double minRatio;
    private final int offset;

    public WarmupCosineSchedule(double peak, int warmupSteps, int totalSteps, double minRatio) {
        this(peak, warmupSteps, totalSteps, minRatio, 0);
    }

    public WarmupCosineSchedule(@JsonProperty("peak") double peak, @JsonProperty("warmupSteps") int warmupSteps,
                                @JsonProperty("totalSteps") int totalSteps, @JsonProperty("minRatio") double minRatio,
                                @JsonProperty("offset") int offset) {
        this.peak = peak;
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
        this.minRatio = minRatio;
        this.offset = offset;
    }

    @JsonProperty("peak") public double getPeak() { return peak; }
    @JsonProperty("warmupSteps") public int getWarmupSteps() { return warmupSteps; }
    @JsonProperty("totalSteps") public int getTotalSteps() { return totalSteps; }
    @JsonProperty("minRatio") public double getMinRatio() { return minRatio; }
    @JsonProperty("offset") public int getOffset() { return offset; }

    @Override
    public double valueAt(int step, int epoch) {
        int iteration = Math.max(0, step - offset);
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
        return new WarmupCosineSchedule(peak, warmupSteps, totalSteps, minRatio, offset);
    }
}
