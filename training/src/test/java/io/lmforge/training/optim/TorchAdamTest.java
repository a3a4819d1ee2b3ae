package io.lmforge.training.optim;

import io.lmforge.training.model.Gpt2Model;
import io.lmforge.training.model.Gpt2Params;
import io.lmforge.training.model.WarmupCosineSchedule;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.FixedSchedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TorchAdamTest {
    static final double[] P0 = {0.5, -1.0, 2.0, 1e-3};
    static final double[][] GRADS = {{0.1, -2e-8, 3.0, 1e-9}, {-0.2, 5e-8, 1.0, -1e-9}, {0.05, 1e-7, -4.0, 0.0}};
    /**
     * The parameters after each step of torch.optim.Adam(lr=0.01, betas=(0.9, 0.95), eps=1e-8) in float64 on
     * P0 with GRADS, recorded once from torch 2.x (p.grad = g; opt.step(), printed per step). Gradients near
     * ε (the second and fourth values) are where PyTorch's ε placement and ND4J's differ.
     */
    static final double[][] TORCH = {
            {0.4900000009999999, -0.9933333333333333, 1.9900000000333333, 9.090909090909104e-05},
            {0.4936337402767031, -0.9968108972486229, 1.9812003836212808, 0.0001387559808612442},
            {0.4950059716381975, -1.0029978198218925, 1.982034294264755, 0.00016948957725727024}};

    static double[][] run(Adam config) {
        INDArray state = Nd4j.zeros(DataType.DOUBLE, 1, 2L * P0.length);
        GradientUpdater<?> u = config.instantiate(state, true);
        INDArray p = Nd4j.createFromArray(P0.clone());
        double[][] out = new double[GRADS.length][];
        for (int i = 0; i < GRADS.length; i++) {
            INDArray update = Nd4j.createFromArray(GRADS[i].clone());
            u.applyUpdater(update, i, 0);
            p.subi(update);
            out[i] = p.toDoubleVector();
        }
        return out;
    }

    @Test
    void stepsAsTorchOptimAdam() {
        double[][] ours = run(new TorchAdam(new FixedSchedule(0.01), 0.9, 0.95, 1e-8));
        for (int i = 0; i < TORCH.length; i++) {
            assertArrayEquals(TORCH[i], ours[i], 1e-12, "step " + i);
        }
    }

    @Test
    void nd4jAdamPlacesEpsilonElsewhere() { // why TorchAdam exists: the same data, ND4J's Adam, a different answer
        double[][] nd4j = run(new Adam(new FixedSchedule(0.01)) {{
            setBeta1(0.9);
            setBeta2(0.95);
            setEpsilon(1e-8);
        }});
        assertTrue(Math.abs(nd4j[0][1] - TORCH[0][1]) > 1e-3, "ND4J's Adam: " + nd4j[0][1]);
        assertEquals(TORCH[0][0], nd4j[0][0], 1e-7); // large gradients: the two nearly agree
    }

    @Test
    void survivesTheConfigurationJsonOfACheckpoint() {
        ComputationGraphConfiguration conf = Gpt2Model.configuration(new Gpt2Model.Spec(32, 8, 16, 2, 1),
                new Gpt2Model.Optimizer(new WarmupCosineSchedule(3e-3, 10, 100, 0.1), 0.9, 0.95, 1e-8, 0.1, 1.0), 1, DataType.FLOAT);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        org.deeplearning4j.nn.conf.layers.Layer layer = ((LayerVertex) back.getVertices().get("gpt")).getLayerConf().getLayer();
        TorchAdam adam = assertInstanceOf(TorchAdam.class, layer.getUpdaterByParam(Gpt2Params.WTE));
        assertEquals(0.95, adam.getBeta2());
        assertEquals(1e-8, adam.getEpsilon());
        assertEquals(new WarmupCosineSchedule(3e-3, 10, 100, 0.1).valueAt(50, 0), adam.getLearningRate(50, 0), 1e-15);
    }
}
