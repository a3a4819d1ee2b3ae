package io.lmforge.training.optim;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Five steps on a 4-vector against values computed independently from the paper's algorithm in
 * float64 numpy: python/schedulefree_reference.py (lr 0.1, betas 0.9/0.999, eps 1e-8, decay 0.01,
 * warm-up 2, r 0, weight_lr_power 2; regenerate with `python3 python/schedulefree_reference.py`).
 */
class ScheduleFreeAdamWTest {
    static final float[] Y0 = {0.5f, -1.0f, 2.0f, 0.0f};
    static final float[][] GRADS = {{0.1f, -0.2f, 0.3f, 0.05f}, {0.05f, 0.1f, -0.4f, 0.02f}, {-0.3f, 0.2f, 0.1f, -0.01f},
            {0.2f, 0.0f, 0.05f, 0.3f}, {0.01f, -0.05f, 0.2f, -0.2f}};
    static final double[][] Y = {
            {0.4499922524192326, -0.9499842676685156, 1.9499684299279705, -0.04999968377423397},
            {0.393047577438701, -1.006872692091406, 2.051701120149745, -0.09727393838962548},
            {0.48905792335440895, -1.081369110481717, 2.0372277195195525, -0.08084376461232823},
            {0.4631214908497429, -1.101756297637625, 2.024027116660479, -0.17268504826130343},
            {0.4535814492997145, -1.0958324512540725, 1.9849853189768187, -0.1549931752506569}};
    static final double[][] X = {
            {0.4499922524192326, -0.9499842676685156, 1.9499684299279705, -0.04999968377423397},
            {0.39375094545970557, -1.0061700188648386, 2.050444540478033, -0.09669001726048278},
            {0.4824051617305979, -1.0761199499070637, 2.0381503000189416, -0.08194988867404518},
            {0.4653602830631839, -1.098779973470154, 2.025666787505687, -0.1621508937414317},
            {0.4554217653246976, -1.0962929698824166, 1.9913413606662527, -0.15611149174152578}};
    static final ScheduleFreeAdamW.Hyper HYPER = new ScheduleFreeAdamW.Hyper(0.1, 0.9, 0.999, 1e-8, 0.01, 2, 0.0, 2.0);

    @Test
    void stepsMatchTheIndependentReference() {
        ScheduleFreeAdamW sf = new ScheduleFreeAdamW(HYPER);
        INDArray y = Nd4j.createFromArray(Y0.clone());
        for (int k = 0; k < GRADS.length; k++) {
            sf.step(y, Nd4j.createFromArray(GRADS[k]));
            assertClose(Y[k], y.toDoubleVector(), "y after step " + (k + 1));
            assertClose(X[k], sf.evalParams(y).toDoubleVector(), "x after step " + (k + 1));
        }
        assertEquals(5, sf.steps());
    }

    @Test
    void aRestoredStateContinuesBitForBit() {
        ScheduleFreeAdamW straight = new ScheduleFreeAdamW(HYPER);
        INDArray y1 = Nd4j.createFromArray(Y0.clone());
        ScheduleFreeAdamW first = new ScheduleFreeAdamW(HYPER);
        INDArray y2 = Nd4j.createFromArray(Y0.clone());
        for (int k = 0; k < GRADS.length; k++) {
            straight.step(y1, Nd4j.createFromArray(GRADS[k]));
        }
        for (int k = 0; k < 2; k++) {
            first.step(y2, Nd4j.createFromArray(GRADS[k]));
        }
        // what a checkpoint keeps: x as the model, the state beside it; y is rebuilt from z and x
        float[] saved = first.state(4);
        INDArray model = first.evalParams(y2);
        ScheduleFreeAdamW resumed = new ScheduleFreeAdamW(HYPER);
        resumed.setState(saved, 4);
        INDArray y3 = model.dup();
        resumed.trainingParams(y3);
        assertArrayEquals(y2.toFloatVector(), y3.toFloatVector(), "y rebuilt from the saved z and x");
        for (int k = 2; k < GRADS.length; k++) {
            resumed.step(y3, Nd4j.createFromArray(GRADS[k]));
        }
        assertArrayEquals(y1.toFloatVector(), y3.toFloatVector());
        assertArrayEquals(straight.evalParams(y1).toFloatVector(), resumed.evalParams(y3).toFloatVector());
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 2e-6 * Math.max(1, Math.abs(expected[i])), what + " [" + i + "]");
        }
    }
}
