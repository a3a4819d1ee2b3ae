package io.lmforge.training.optim;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * A schedule-free AdamW step on a ComputationGraph built without an updater: gradient at the
 * current parameters (y), divided by the minibatch size and clipped to an L2 norm exactly as DL4J's
 * updater does for AdamW (so both see the same gradient), then {@link ScheduleFreeAdamW#step}.
 */
public final class ScheduleFreeStep implements InnerStep {
    private final ScheduleFreeAdamW sf;
    private final double clipNorm;
    private INDArray decayMask;

    public ScheduleFreeStep(ScheduleFreeAdamW.Hyper hyper, double clipNorm) {
        this.sf = new ScheduleFreeAdamW(hyper);
        this.clipNorm = clipNorm;
    }

    @Override
    public double fit(ComputationGraph net, MultiDataSet batch) {
        net.setInputs(batch.getFeatures());
        net.setLabels(batch.getLabels());
        if (net.getGradientsViewArray() == null) {
            net.initGradientsView();
        }
        net.computeGradientAndScore();
        INDArray grad = net.getGradientsViewArray();
        grad.divi(batch.getFeatures(0).size(0)); // DL4J's minibatch division (isMiniBatch): the loss's gradient is per example
        if (clipNorm > 0) {
            double norm = grad.norm2Number().doubleValue();
            if (norm > clipNorm) {
                grad.muli(clipNorm / norm);
            }
        }
        sf.step(net.params(), grad, decayMask(net));
        net.getConfiguration().setIterationCount(net.getConfiguration().getIterationCount() + 1);
        return net.score();
    }

    /**
     * 1 for the parameters DL4J's AdamW decays (weight parameters: matrices and embeddings), 0 for bias
     * parameters (biases and LayerNorm gains, which Gpt2Layer registers as biases): the same groups
     * for both optimisers. Made by writing the groups into the parameter views once.
     */
    INDArray decayMask(ComputationGraph net) {
        if (decayMask == null) {
            INDArray saved = net.params().dup();
            for (java.util.Map.Entry<String, INDArray> e : net.paramTable().entrySet()) { // keys: <layer>_<param>
                int cut = e.getKey().lastIndexOf('_');
                org.deeplearning4j.nn.conf.layers.Layer layer = net.getLayer(e.getKey().substring(0, cut)).conf().getLayer();
                e.getValue().assign(layer.initializer().isBiasParam(layer, e.getKey().substring(cut + 1)) ? 0 : 1);
            }
            decayMask = net.params().dup().reshape(net.params().length());
            net.params().assign(saved);
        }
        return decayMask;
    }

    @Override
    public float[] state(ComputationGraph net) {
        return sf.state(net.numParams());
    }

    @Override
    public void setState(ComputationGraph net, float[] state) {
        sf.setState(state, net.numParams());
    }

    @Override
    public INDArray evalParams(ComputationGraph net) {
        return sf.evalParams(net.params());
    }

    @Override
    public void restoreTrainingParams(ComputationGraph net) {
        sf.trainingParams(net.params());
    }
}
