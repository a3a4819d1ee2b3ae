package io.lmforge.training.optim;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Schedule-free AdamW (Defazio et al. 2024, "The Road Less Scheduled", arXiv 2405.15682), as the
 * authors' reference implementation (schedulefree/adamw_schedulefree_reference.py) defines a step:
 * <pre>
 *   lr_k   = lr * min(1, (k+1)/warmup) * sqrt(1 - beta2^(k+1))     (bias correction folded into lr)
 *   lr_max = max(lr_max, lr_k);  w_k = (k+1)^r * lr_max^weight_lr_power;  c = w_k / sum_{i<=k} w_i
 *   z     -= lr_k * decay * y                                        (decoupled weight decay at y)
 *   v      = beta2 v + (1 - beta2) g^2
 *   z     -= lr_k * g / (sqrt(v) + eps)
 *   x      = (1 - c) x + c z
 *   y      = beta1 x + (1 - beta1) z                                 (the parameters the model trains with)
 * </pre>
 * Gradients are taken at y (the model's parameters); x is the average to evaluate and export. DL4J's
 * updaters never see the parameters, which the decay at y needs, so this optimiser works on the
 * flattened parameter and gradient views itself (see {@link ScheduleFreeStep}). State: z, x, v and the
 * step count k; lr_max and the weight sum are functions of k (lr_k never decreases, so lr_max = lr_k),
 * replayed in the same order on restore, so a checkpoint resumes the same trajectory bit for bit.
 */
public final class ScheduleFreeAdamW {
    private final Hyper h;
    private INDArray z;
    private INDArray x;
    private INDArray v;
    private long k;
    private double lrMax = -1;
    private double weightSum;

    /**
     * lr, betas, eps, decoupled weight decay, linear warm-up steps, polynomial weight power r, weight_lr_power,
     * and where Adam's second-moment bias correction goes: {@code paper} folds sqrt(1 - beta2^(k+1)) into the
     * learning rate (the paper, the reference implementation, schedulefree's AdamWScheduleFreePaper);
     * {@code denominator} divides v by it instead and leaves the rate (and so the averaging weights) without
     * it, as schedulefree's AdamWScheduleFree does since its version 1.3.
     */
    public record Hyper(double lr, double beta1, double beta2, double eps, double weightDecay, int warmupSteps, double r,
                        double weightLrPower, boolean biasCorrectionInDenominator) implements java.io.Serializable {
        public Hyper(double lr, double beta1, double beta2, double eps, double weightDecay, int warmupSteps, double r, double weightLrPower) {
            this(lr, beta1, beta2, eps, weightDecay, warmupSteps, r, weightLrPower, false);
        }
    }

    public ScheduleFreeAdamW(Hyper h) {
        this.h = h;
    }

    /** The learning rate of step k: warm-up and Adam's second-moment bias correction folded in. */
    double lrAt(long step) {
        double sched = step < h.warmupSteps() ? (step + 1.0) / h.warmupSteps() : 1.0;
        return h.biasCorrectionInDenominator() ? h.lr() * sched : h.lr() * sched * Math.sqrt(1 - Math.pow(h.beta2(), step + 1));
    }

    /** Advances k, lr_max and the weight sum by one step; returns c, the weight of the new z in the average x. */
    private double advanceScalars() {
        double lr = lrAt(k);
        lrMax = Math.max(lr, lrMax);
        double weight = Math.pow(k + 1, h.r()) * Math.pow(lrMax, h.weightLrPower());
        weightSum += weight;
        k++;
        return weightSum == 0 ? 0 : weight / weightSum;
    }

    /** One step: updates z, x, v from the gradient at y and writes the new y into {@code params} (in place). */
    public void step(INDArray params, INDArray grad) {
        step(params, grad, null);
    }

    /**
     * As {@link #step(INDArray, INDArray)}, with weight decay only where {@code decayMask} is 1 (the
     * parameter groups of HF/nanoGPT practice: matrices and embeddings decay, biases and LayerNorm
     * gains do not); null decays every parameter, as the reference's single group.
     */
    public void step(INDArray params, INDArray grad, INDArray decayMask) {
        if (z == null) { // z = x = y at the first step, as the reference initialises its state
            z = params.dup().reshape(params.length());
            x = z.dup();
            v = Nd4j.zeros(params.dataType(), params.length());
        }
        double lr = lrAt(k);
        double biasCorrection2 = 1 - Math.pow(h.beta2(), k + 1);
        double c = advanceScalars();
        INDArray g = grad.reshape(grad.length());
        INDArray y = params.reshape(params.length());
        if (h.weightDecay() != 0) {
            INDArray decay = y.mul(lr * h.weightDecay());
            z.subi(decayMask == null ? decay : decay.muli(decayMask.reshape(decay.length())));
        }
        v.muli(h.beta2()).addi(g.mul(g).muli(1 - h.beta2()));
        INDArray denom = (h.biasCorrectionInDenominator() ? Transforms.sqrt(v.div(biasCorrection2), false) : Transforms.sqrt(v, true)).addi(h.eps());
        z.subi(g.div(denom).muli(lr));
        x.muli(1 - c).addi(z.mul(c));
        y.assign(x.mul(h.beta1()).addi(z.mul(1 - h.beta1())));
    }

    /** The averaged parameters x (what eval and export use); the parameters themselves before the first step. */
    public INDArray evalParams(INDArray params) {
        return x == null ? params.dup() : x.dup();
    }

    /** Writes y = beta1 x + (1 - beta1) z into {@code params} (unchanged before the first step), as {@link #step} computes it. */
    public void trainingParams(INDArray params) {
        if (z != null) {
            params.reshape(params.length()).assign(x.mul(h.beta1()).addi(z.mul(1 - h.beta1())));
        }
    }

    public long steps() {
        return k;
    }

    /** z, x, v (each the length of the parameters), then k as two exactly representable floats (k / 2^20, k mod 2^20). */
    public float[] state(long numParams) {
        int n = Math.toIntExact(numParams);
        float[] s = new float[3 * n + 2];
        if (z != null) {
            System.arraycopy(z.castTo(DataType.FLOAT).data().asFloat(), 0, s, 0, n);
            System.arraycopy(x.castTo(DataType.FLOAT).data().asFloat(), 0, s, n, n);
            System.arraycopy(v.castTo(DataType.FLOAT).data().asFloat(), 0, s, 2 * n, n);
        }
        s[3 * n] = k >>> 20;
        s[3 * n + 1] = k & 0xFFFFF;
        return s;
    }

    /** Restores {@link #state}; a state of k = 0 leaves z, x, v to be taken from the parameters at the first step. */
    public void setState(float[] s, long numParams) {
        int n = Math.toIntExact(numParams);
        if (s.length != 3 * n + 2) {
            throw new IllegalArgumentException("schedule-free state has " + s.length + " values, expected " + (3 * n + 2));
        }
        long steps = ((long) s[3 * n] << 20) + (long) s[3 * n + 1];
        k = 0;
        lrMax = -1;
        weightSum = 0;
        for (long i = 0; i < steps; i++) {
            advanceScalars(); // the same sums in the same order as the run that saved it
        }
        if (steps == 0) {
            z = x = v = null;
            return;
        }
        z = Nd4j.createFromArray(java.util.Arrays.copyOfRange(s, 0, n));
        x = Nd4j.createFromArray(java.util.Arrays.copyOfRange(s, n, 2 * n));
        v = Nd4j.createFromArray(java.util.Arrays.copyOfRange(s, 2 * n, 3 * n));
    }
}
