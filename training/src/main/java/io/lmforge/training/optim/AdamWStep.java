package io.lmforge.training.optim;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * AdamW through DL4J's own updater (Adam + decoupled WeightDecay + L2 clipping, configured in the
 * graph by {@link io.lmforge.training.model.Gpt2Model}); its state is the updater's state view (m, v).
 */
public final class AdamWStep implements InnerStep {
    @Override
    public double fit(ComputationGraph net, MultiDataSet batch) {
        net.fit(batch);
        return net.score();
    }

    @Override
    public float[] state(ComputationGraph net) {
        INDArray s = net.getUpdater().getStateViewArray();
        return s == null ? new float[0] : s.castTo(DataType.FLOAT).data().asFloat();
    }

    @Override
    public void setState(ComputationGraph net, float[] state) {
        INDArray s = net.getUpdater().getStateViewArray();
        if (s == null || state.length == 0) {
            return;
        }
        if (s.length() != state.length) {
            throw new IllegalArgumentException("AdamW state has " + state.length + " values, the model's updater " + s.length());
        }
        s.assign(Nd4j.createFromArray(state).reshape(s.shape()));
    }

    @Override
    public INDArray evalParams(ComputationGraph net) {
        return net.params().dup();
    }
}
