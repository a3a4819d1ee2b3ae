package io.lmforge.training.rounds;

import java.util.Arrays;

/**
 * The optimiser state a run carries from round to round and from chunk to chunk (it is saved with
 * each checkpoint): the inner optimiser's state (one array shared by all workers, or one per worker)
 * and the outer optimiser's momentum.
 */
public final class RoundState {
    private float[][] inner;
    private final float[] outerMomentum;

    public RoundState(float[][] inner, float[] outerMomentum) {
        this.inner = inner;
        this.outerMomentum = outerMomentum;
    }

    /** A new run: the given inner state for everyone, no momentum. */
    public static RoundState fresh(float[] innerState, int numParams) {
        return new RoundState(new float[][]{innerState}, new float[numParams]);
    }

    public float[][] inner() {
        return inner;
    }

    public float[] outerMomentum() {
        return outerMomentum;
    }

    /** The state shared by all workers (the mean of the per-worker ones where they are kept apart). */
    public float[] sharedInner() {
        if (inner.length == 1) {
            return inner[0];
        }
        float[] mean = new float[inner[0].length];
        for (float[] s : inner) {
            for (int i = 0; i < mean.length; i++) {
                mean[i] += s[i];
            }
        }
        for (int i = 0; i < mean.length; i++) {
            mean[i] /= inner.length;
        }
        return mean;
    }

    void setInner(float[][] states) {
        inner = states;
    }

    /** Per-worker states for {@code workers} workers: kept when the count matches, else all start from the shared one. */
    float[][] innerFor(int workers, boolean perWorker) {
        if (!perWorker) {
            return new float[][]{sharedInner()};
        }
        if (inner.length == workers) {
            return inner;
        }
        float[][] out = new float[workers][];
        Arrays.fill(out, sharedInner());
        return out;
    }
}
