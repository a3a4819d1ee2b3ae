package io.lmforge.training.rounds;

import java.io.Serializable;

/**
 * What a worker hands back after its inner steps of a round: its parameters and optimiser state, the
 * summed loss of its minibatches, and how much it trained. Results add up (for a tree aggregation);
 * {@code workers} counts how many were added.
 */
record WorkerResult(int worker, float[] params, float[] state, double lossSum, int batches, int maxBatches, long tokens, int workers)
        implements Serializable {

    WorkerResult plus(WorkerResult o) {
        if (o == null || o.workers == 0) {
            return this;
        }
        if (workers == 0) {
            return o;
        }
        return new WorkerResult(-1, add(params, o.params), add(state, o.state), lossSum + o.lossSum, batches + o.batches,
                Math.max(maxBatches, o.maxBatches), tokens + o.tokens, workers + o.workers);
    }

    static WorkerResult empty() {
        return new WorkerResult(-1, new float[0], new float[0], 0, 0, 0, 0, 0);
    }

    private static float[] add(float[] a, float[] b) {
        float[] out = a.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += b[i];
        }
        return out;
    }
}
