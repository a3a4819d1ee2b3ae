package io.lmforge.training.rounds;

import io.lmforge.training.optim.OptimizerSpec;

import java.io.Serializable;

/**
 * What every worker starts a round from, broadcast once per round: the model's configuration (DL4J
 * JSON), the parameters, the inner optimiser's state (one shared array, or one per worker), and the
 * step count (learning-rate schedules are by step).
 */
record RoundStart(String configJson, OptimizerSpec optimizer, float[] params, float[][] innerStates, int iteration, int round)
        implements Serializable {

    float[] stateFor(int worker) {
        return innerStates.length == 1 ? innerStates[0] : innerStates[worker];
    }
}
