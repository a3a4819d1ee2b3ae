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
    /** The same run with the bias correction in the denominator (schedulefree >= 1.3's AdamWScheduleFree): "denominator" in the script's output. */
    static final double[][] Y_DENOMINATOR = {
            {0.4497500049999995, -0.9495000024999999, 1.9490000016666666, -0.049999990000002006},
            {0.39751207808400524, -1.0005905476908283, 2.040167732098485, -0.09303529157758667},
            {0.47333552970550435, -1.0628097162251535, 2.031055289965413, -0.08136962591512223},
            {0.4561680739554374, -1.0819368969913878, 2.0208104168631036, -0.1521789904048745},
            {0.4507243269756411, -1.080316038345826, 1.9905370073914845, -0.1410070560861373}};
    static final double[][] X_DENOMINATOR = {
            {0.4497500049999995, -0.9495000024999999, 1.9490000016666666, -0.049999990000002006},
            {0.3987861738624441, -0.9993444368325155, 2.037944128917221, -0.09198565007569436},
            {0.4650522679451643, -1.0557580185148603, 2.0318207165156137, -0.08254918415518579},
            {0.45779986468824435, -1.0771285315569237, 2.022832716799279, -0.13938984231819698},
            {0.45245983622590225, -1.079534197057982, 1.9984585964915096, -0.14061038101098214}};

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
    void theBiasCorrectionInTheDenominatorMatchesTheReferenceToo() {
        ScheduleFreeAdamW sf = new ScheduleFreeAdamW(new ScheduleFreeAdamW.Hyper(0.1, 0.9, 0.999, 1e-8, 0.01, 2, 0.0, 2.0, true));
        INDArray y = Nd4j.createFromArray(Y0.clone());
        for (int k = 0; k < GRADS.length; k++) {
            sf.step(y, Nd4j.createFromArray(GRADS[k]));
            assertClose(Y_DENOMINATOR[k], y.toDoubleVector(), "y after step " + (k + 1));
            assertClose(X_DENOMINATOR[k], sf.evalParams(y).toDoubleVector(), "x after step " + (k + 1));
        }
    }

    @Test
    void weightDecayOnlyWhereTheMaskSays() {
        ScheduleFreeAdamW masked = new ScheduleFreeAdamW(new ScheduleFreeAdamW.Hyper(0.1, 0.9, 0.999, 1e-8, 0.5, 2, 0.0, 2.0));
        ScheduleFreeAdamW none = new ScheduleFreeAdamW(new ScheduleFreeAdamW.Hyper(0.1, 0.9, 0.999, 1e-8, 0.0, 2, 0.0, 2.0));
        ScheduleFreeAdamW all = new ScheduleFreeAdamW(new ScheduleFreeAdamW.Hyper(0.1, 0.9, 0.999, 1e-8, 0.5, 2, 0.0, 2.0));
        INDArray a = Nd4j.createFromArray(Y0.clone());
        INDArray b = Nd4j.createFromArray(Y0.clone());
        INDArray c = Nd4j.createFromArray(Y0.clone());
        INDArray mask = Nd4j.createFromArray(new float[]{1, 0, 1, 0});
        for (float[] g : GRADS) {
            masked.step(a, Nd4j.createFromArray(g), mask);
            none.step(b, Nd4j.createFromArray(g));
            all.step(c, Nd4j.createFromArray(g));
        }
        assertEquals(c.getDouble(0), a.getDouble(0), 1e-7, "decayed like the single group where the mask is 1");
        assertEquals(b.getDouble(1), a.getDouble(1), 1e-7, "not decayed where it is 0");
        assertEquals(c.getDouble(2), a.getDouble(2), 1e-7);
        assertEquals(b.getDouble(3), a.getDouble(3), 1e-7);
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
