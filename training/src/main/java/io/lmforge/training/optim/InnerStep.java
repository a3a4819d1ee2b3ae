package io.lmforge.training.optim;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * How a worker takes one optimiser step on one minibatch, and what state that optimiser carries (so
 * averaging rounds can average it, keep it per worker, or reset it, and checkpoints can resume it).
 */
public interface InnerStep {
    /** Trains on one minibatch; returns its loss (mean cross-entropy per token). */
    double fit(ComputationGraph net, MultiDataSet batch);

    /** The optimiser's state as one flat array (empty when it has none). */
    float[] state(ComputationGraph net);

    void setState(ComputationGraph net, float[] state);

    /** The parameters to evaluate and export (schedule-free: the average x, not the training point y). */
    INDArray evalParams(ComputationGraph net);

    /**
     * Makes the parameters the point training continues from, given the state last set: nothing for
     * AdamW; for schedule-free y = beta1 x + (1 - beta1) z (a checkpoint holds x; averaged z and x give y).
     */
    default void restoreTrainingParams(ComputationGraph net) {
    }
}
