package io.lmforge.training.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.Arrays;
import java.util.Map;

/**
 * Adam as torch.optim.Adam / AdamW compute it (Kingma & Ba, Algorithm 1 with ε outside the
 * bias-corrected root): {@code update = lr / (1 - β1^t) · m / (√v / √(1 - β2^t) + ε)}. ND4J's Adam
 * folds the second-moment correction into the rate instead ({@code lr·√(1 - β2^t)/(1 - β1^t) · m /
 * (√v + ε)}), which is PyTorch's update with ε enlarged by 1/√(1 - β2^t): 4.5× at the first step for
 * β2 = 0.95. The float64 parity run (bin/bench train parity --dtype float64) measured that difference
 * (2.6e-7 relative loss after one step, 3e-6 after ten, against 1e-10 with PyTorch's ε placement).
 * Same state layout as ND4J's Adam (m, then v, over the block's parameters), so checkpoints written
 * with either read with either. Decoupled weight decay stays DL4J's {@code WeightDecay(applyLR)},
 * applied after this update: {@code p - lr·wd·p - update}, which is AdamW's {@code p·(1 - lr·wd) - update}.
 */
public class TorchAdam extends Adam {

    /** For Jackson (the configuration JSON a checkpoint stores): every value set through its setters. */
    public TorchAdam() {
        super();
    }

    public TorchAdam(ISchedule learningRate, double beta1, double beta2, double epsilon) {
        super(learningRate);
        setBeta1(beta1);
        setBeta2(beta2);
        setEpsilon(epsilon);
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        Updater u = new Updater(this);
        INDArray flat = viewArray.reshape(viewArray.length());
        long[] gradientShape = Arrays.copyOf(flat.shape(), flat.shape().length);
        gradientShape[0] /= 2;
        u.setStateViewArray(flat, gradientShape, flat.ordering(), initializeViewArray);
        return u;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        Updater u = new Updater(this);
        u.setState(updaterState, initializeStateArrays);
        return u;
    }

    @Override
    public TorchAdam clone() {
        TorchAdam c = new TorchAdam();
        c.setLrAndSchedule(getLearningRate(), getLearningRateSchedule());
        c.setBeta1(getBeta1());
        c.setBeta2(getBeta2());
        c.setEpsilon(getEpsilon());
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TorchAdam && super.equals(o);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + 1;
    }

    /** ND4J's AdamUpdater (state handling, view layout) with PyTorch's step. */
    static final class Updater extends AdamUpdater {
        Updater(TorchAdam config) {
            super(config);
        }

        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            INDArray m = getM();
            INDArray v = getV();
            if (m == null || v == null) {
                throw new IllegalStateException("Updater has not been initialized with view state");
            }
            Adam c = getConfig();
            double b1 = c.getBeta1();
            double b2 = c.getBeta2();
            int t = iteration + 1;
            INDArray g = gradient.reshape(v.shape()); // a view: the update is written back into the gradient
            m.muli(b1).addi(g.mul(1 - b1));
            v.muli(b2).addi(g.mul(g).muli(1 - b2));
            INDArray denominator = Transforms.sqrt(v, true).divi(Math.sqrt(1 - Math.pow(b2, t))).addi(c.getEpsilon());
            g.assign(m).divi(denominator).muli(c.getLearningRate(iteration, epoch) / (1 - Math.pow(b1, t)));
        }
    }
}
