package io.lmforge.training.rounds;

import java.io.Serializable;

/**
 * What the driver does with a round's averaged parameters. {@code none}: take the average (plain
 * parameter averaging). {@code nesterov}: DiLoCo's outer step (Douillard et al. 2023, arXiv
 * 2311.08105): the outer gradient g = start - average is fed to SGD with Nesterov momentum, as
 * torch.optim.SGD(nesterov=True, dampening=0) computes it: b = mu*b + g (b = g at the first step);
 * next = start - lr * (g + mu*b). The paper's setting is lr 0.7, mu 0.9.
 */
public record OuterOptimizer(Kind kind, double learningRate, double momentum) implements Serializable {
    public enum Kind { NONE, NESTEROV }

    public static OuterOptimizer none() {
        return new OuterOptimizer(Kind.NONE, 1.0, 0.0);
    }

    /**
     * The next round's starting parameters; updates {@code buffer} (the momentum, all zeros before the
     * first outer step, which makes b = g then) in place.
     */
    public float[] step(float[] start, float[] average, float[] buffer) {
        if (kind == Kind.NONE) {
            return average;
        }
        float[] next = new float[start.length];
        for (int i = 0; i < start.length; i++) {
            double g = (double) start[i] - average[i];
            double b = momentum * buffer[i] + g;
            buffer[i] = (float) b;
            next[i] = (float) (start[i] - learningRate * (g + momentum * b));
        }
        return next;
    }
}
