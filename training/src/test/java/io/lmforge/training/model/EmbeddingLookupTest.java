package io.lmforge.training.model;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The embedding lookup's rows and its table gradient (a sum over repeated ids), computed by hand. */
class EmbeddingLookupTest {

    @Test
    void rowsAreTheTableRowsAndTheTableGradientSumsEveryRepeatOfAnId() {
        int vocab = 7, d = 16, n = 4096;
        Random r = new Random(3);
        int[] idArray = new int[n];
        for (int i = 0; i < n; i++) {
            idArray[i] = i % 3 == 0 ? 5 : r.nextInt(3); // ids 0, 1, 2 and 5 repeated hundreds of times; 3, 4, 6 never
        }
        INDArray table = Nd4j.rand(DataType.DOUBLE, vocab, d);
        INDArray upstream = Nd4j.rand(DataType.DOUBLE, n, d).subi(0.5);

        EmbeddingLookup.register();
        SameDiff sd = SameDiff.create();
        SDVariable wte = sd.var("wte", table.dup());
        SDVariable ids = sd.constant("ids", Nd4j.createFromArray(idArray));
        SDVariable rows = new EmbeddingLookup(sd, wte, ids).outputVariable();
        // loss = sum(rows * upstream): its gradient at the rows is exactly `upstream`
        rows.mul(sd.constant(upstream)).sum().markAsLoss();

        INDArray out = sd.outputSingle(Map.of(), rows.name());
        Map<String, INDArray> grads = sd.calculateGradients(Map.of(), "wte");

        double[][] expected = new double[vocab][d];
        for (int i = 0; i < n; i++) {
            assertEquals(table.getRow(idArray[i]), out.getRow(i), "row " + i);
            for (int k = 0; k < d; k++) {
                expected[idArray[i]][k] += upstream.getDouble(i, k);
            }
        }
        INDArray g = grads.get("wte");
        for (int v = 0; v < vocab; v++) {
            for (int k = 0; k < d; k++) {
                assertEquals(expected[v][k], g.getDouble(v, k), 1e-9, "gradient of table[" + v + "][" + k + "]");
            }
        }
    }
}
