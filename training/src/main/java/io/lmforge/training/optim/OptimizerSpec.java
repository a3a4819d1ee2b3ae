package io.lmforge.training.optim;

import io.lmforge.core.config.ConfigError;
import io.lmforge.core.config.PipelineConfig;
import io.lmforge.training.model.WarmupCosineSchedule;
import org.nd4j.linalg.schedule.ISchedule;

import java.io.Serializable;

/**
 * train.optimizer.*: which inner optimiser a worker runs and its hyperparameters.
 * {@code adamw}: AdamW (PyTorch's step, {@link TorchAdam}) with linear warm-up then cosine (or constant) learning rate, in DL4J's updater.
 * {@code schedule-free-adamw}: {@link ScheduleFreeAdamW} with linear warm-up and no schedule (the run's
 * length never needs to be known: what anytime training over arriving chunks wants).
 */
public record OptimizerSpec(Kind kind, double learningRate, int warmupSteps, Schedule lrSchedule, int totalSteps, double minLrRatio,
                            double beta1, double beta2, double epsilon, double weightDecay, double clipNorm,
                            double sfR, double sfWeightLrPower, boolean sfBiasCorrectionInDenominator) implements Serializable {

    public enum Kind { ADAMW, SCHEDULE_FREE_ADAMW }

    /** AdamW's learning rate: warm-up then cosine to total-steps, constant, or warm-up + cosine restarted with every chunk. */
    public enum Schedule { COSINE, CONSTANT, COSINE_PER_CHUNK }

    public static OptimizerSpec from(PipelineConfig c) {
        Kind kind = switch (c.getEnum("train.optimizer.kind")) {
            case "adamw" -> Kind.ADAMW;
            default -> Kind.SCHEDULE_FREE_ADAMW;
        };
        OptimizerSpec s = new OptimizerSpec(kind, c.getDouble("train.optimizer.learning-rate"), c.getInt("train.optimizer.warmup-steps"),
                Schedule.valueOf(c.getEnum("train.optimizer.schedule").toUpperCase(java.util.Locale.ROOT)
                        .replace('-', '_')), c.getInt("train.optimizer.total-steps"),
                c.getDouble("train.optimizer.min-lr-ratio"), c.getDouble("train.optimizer.beta1"), c.getDouble("train.optimizer.beta2"),
                c.getDouble("train.optimizer.epsilon"), c.getDouble("train.optimizer.weight-decay"), c.getDouble("train.optimizer.clip-norm"),
                c.getDouble("train.optimizer.schedule-free.r"), c.getDouble("train.optimizer.schedule-free.weight-lr-power"),
                c.getEnum("train.optimizer.schedule-free.bias-correction").equals("denominator"));
        if (s.learningRate <= 0 || s.beta1 < 0 || s.beta1 >= 1 || s.beta2 < 0 || s.beta2 >= 1 || s.warmupSteps < 0) {
            throw new ConfigError("train.optimizer: learning-rate must be > 0, beta1 and beta2 in [0, 1), warmup-steps >= 0; got " + s);
        }
        return s;
    }

    /** The same optimiser at another peak learning rate (schedule, warm-up and everything else unchanged). */
    public OptimizerSpec withLearningRate(double lr) {
        return new OptimizerSpec(kind, lr, warmupSteps, lrSchedule, totalSteps, minLrRatio, beta1, beta2, epsilon, weightDecay, clipNorm,
                sfR, sfWeightLrPower, sfBiasCorrectionInDenominator);
    }

    /**
     * The inner optimiser of {@code workers} averaged replicas under train.averaging.inner-lr-scaling: {@code sqrt-workers}
     * multiplies the learning rate by sqrt(workers) (each worker's Adam step on a 1/K share of the global batch is about
     * 1/sqrt(K) of the global batch's step where gradient noise dominates its second moment); {@code none} leaves it.
     */
    public OptimizerSpec forWorkers(String scaling, int workers) {
        return switch (scaling) {
            case "none" -> this;
            case "sqrt-workers" -> withLearningRate(learningRate * Math.sqrt(workers));
            // a configured value was checked against ConfigEnums already: anything else is a caller's mistake
            default -> throw new IllegalArgumentException("inner-lr-scaling: none or sqrt-workers, not '" + scaling + "'");
        };
    }

    /** AdamW's learning rate by step for a new model (DL4J schedule); schedule-free has warm-up only, inside its step. */
    public ISchedule schedule() {
        return scheduleForChunk(0, totalSteps);
    }

    /**
     * AdamW's learning rate for a chunk that starts at step {@code start} and takes {@code steps}
     * steps: cosine-per-chunk warms up and decays within the chunk; the others ignore the chunk.
     */
    public ISchedule scheduleForChunk(long start, long steps) {
        return switch (lrSchedule) {
            case COSINE -> new WarmupCosineSchedule(learningRate, warmupSteps, totalSteps, minLrRatio);
            case CONSTANT -> new WarmupCosineSchedule(learningRate, warmupSteps, 0, minLrRatio);
            case COSINE_PER_CHUNK -> new WarmupCosineSchedule(learningRate, warmupSteps, (int) Math.max(steps, warmupSteps + 1), minLrRatio,
                    (int) start);
        };
    }

    public ScheduleFreeAdamW.Hyper scheduleFree() {
        return new ScheduleFreeAdamW.Hyper(learningRate, beta1, beta2, epsilon, weightDecay, warmupSteps, sfR, sfWeightLrPower,
                sfBiasCorrectionInDenominator);
    }

    /** A fresh step for one worker's copy of the model. */
    public InnerStep newStep() {
        return kind == Kind.ADAMW ? new AdamWStep() : new ScheduleFreeStep(scheduleFree(), clipNorm);
    }

    /** The learning rate at a step of a chunk's schedule, as logged in the metrics. */
    public double learningRateAt(ISchedule chunkSchedule, long step) {
        return kind == Kind.ADAMW ? chunkSchedule.valueAt((int) step, 0) : new ScheduleFreeAdamW(scheduleFree()).lrAt(step);
    }
}
