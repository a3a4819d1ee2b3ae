package io.lmforge.training.model;

import io.lmforge.training.data.SequenceBatches;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The LM loss on logit rows [b*T, V] against targets [b, T]: values by hand, and batches that split by sequence. */
class TokenCrossEntropyTest {
    private final TokenCrossEntropy loss = new TokenCrossEntropy();

    @Test
    void scoreIsTheMeanNegativeLogSoftmaxOfTheTargetsAndTheGradientSoftmaxMinusOneHotPerToken() {
        int b = 2, t = 3, v = 5;
        INDArray logits = Nd4j.rand(DataType.DOUBLE, b * t, v).muli(4).subi(2);
        INDArray labels = Nd4j.create(new double[]{4, 0, 2, 1, 1, 3}, new long[]{b, t}, DataType.DOUBLE);
        double total = 0;
        double[][] expectedGrad = new double[b * t][v];
        for (int row = 0; row < b * t; row++) {
            double[] z = logits.getRow(row).toDoubleVector();
            double max = java.util.Arrays.stream(z).max().orElseThrow();
            double sum = 0;
            for (double x : z) {
                sum += Math.exp(x - max);
            }
            int y = labels.getInt(row / t, row % t);
            total -= z[y] - max - Math.log(sum);
            for (int k = 0; k < v; k++) {
                expectedGrad[row][k] = (Math.exp(z[k] - max) / sum - (k == y ? 1 : 0)) / t;
            }
        }
        assertEquals(total / (b * t), loss.computeScore(labels, logits, new ActivationIdentity(), null, true), 1e-9);
        assertEquals(total, loss.computeScore(labels, logits, new ActivationIdentity(), null, false), 1e-9, "summed: DL4J divides by the rows");
        INDArray grad = loss.computeGradient(labels, logits, new ActivationIdentity(), null);
        for (int row = 0; row < b * t; row++) {
            assertArrayEquals(expectedGrad[row], grad.getRow(row).toDoubleVector(), 1e-9);
        }
        assertEquals(total / (b * t), loss.computeGradientAndScore(labels, logits, new ActivationIdentity(), null, true).getFirst(), 1e-9);
        assertEquals(total / (b * t), loss.computeScoreArray(labels, logits, new ActivationIdentity(), null).meanNumber().doubleValue(), 1e-9);
    }

    @Test
    void batchesSplitBySequenceKeepEachSequencesTargets() {
        // DL4J re-batches MultiDataSets per example (asList/merge): the targets must travel with their sequence
        MultiDataSet batch = SequenceBatches.toBatch(List.of(new int[]{5, 6, 7, 8}, new int[]{1, 2, 3, 4}));
        List<MultiDataSet> split = batch.asList();
        assertArrayEquals(new float[]{2, 3, 4}, split.get(1).getLabels(0).data().asFloat());
        assertArrayEquals(new float[]{1, 2, 3}, split.get(1).getFeatures(0).data().asFloat());
        assertArrayEquals(batch.getLabels(0).reshape(6).toFloatVector(), org.nd4j.linalg.dataset.MultiDataSet.merge(split).getLabels(0).reshape(6).toFloatVector());
    }

    @Test
    void refusesASecondSoftmaxAndMasks() {
        INDArray logits = Nd4j.rand(DataType.FLOAT, 4, 3);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 2, 2);
        assertThrows(IllegalArgumentException.class, () -> loss.computeScore(labels, logits, new ActivationSoftmax(), null, true));
        assertThrows(IllegalArgumentException.class, () -> loss.computeGradient(labels, logits, new ActivationIdentity(), Nd4j.ones(2, 2)));
        assertThrows(IllegalArgumentException.class, () -> loss.computeGradient(Nd4j.zeros(DataType.FLOAT, 2, 3), logits, new ActivationIdentity(), null));
    }
}
