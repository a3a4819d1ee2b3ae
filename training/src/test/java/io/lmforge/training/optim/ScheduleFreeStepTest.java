package io.lmforge.training.optim;

import io.lmforge.training.data.SequenceBatches;
import io.lmforge.training.model.Gpt2Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Schedule-free AdamW on the real model: it learns, x differs from y, and decay follows AdamW's parameter groups. */
class ScheduleFreeStepTest {

    @Test
    void trainsTheModelAndDecaysOnlyMatricesAndEmbeddings() {
        OptimizerSpec opt = new OptimizerSpec(OptimizerSpec.Kind.SCHEDULE_FREE_ADAMW, 1e-2, 3, OptimizerSpec.Schedule.CONSTANT, 0, 0, 0.9, 0.95,
                1e-8, 0.1, 1.0, 0, 2, false);
        ComputationGraph net = Gpt2Model.create(new Gpt2Model.Spec(64, 8, 16, 2, 1), opt, 5);
        Random r = new Random(3);
        List<int[]> rows = new ArrayList<>();
        for (int b = 0; b < 8; b++) {
            int[] s = new int[9];
            for (int k = 0; k < s.length; k++) {
                s[k] = (b * 7 + k * 3) % 13 + r.nextInt(2); // a learnable pattern
            }
            rows.add(s);
        }
        MultiDataSet batch = SequenceBatches.toBatch(rows);
        ScheduleFreeStep step = new ScheduleFreeStep(opt.scheduleFree(), opt.clipNorm());
        double first = step.fit(net, batch);
        double last = first;
        for (int i = 0; i < 30; i++) {
            last = step.fit(net, batch);
        }
        assertTrue(last < first - 0.5, "loss " + first + " -> " + last);
        INDArray x = step.evalParams(net);
        assertTrue(x.sub(net.params().reshape(x.shape())).norm2Number().doubleValue() > 1e-4, "x (evaluated) is not y (trained)");

        long biasParams = 0;
        for (Map.Entry<String, INDArray> e : net.paramTable().entrySet()) {
            String name = e.getKey().substring(e.getKey().lastIndexOf('_') + 1);
            if (name.endsWith("b") && !name.equals("wte") && !name.equals("wpe") || name.endsWith("g")) {
                biasParams += e.getValue().length(); // biases and LayerNorm gains (and shifts)
            }
        }
        assertEquals(biasParams, net.numParams() - step.decayMask(net).sumNumber().longValue(),
                "decay everywhere but biases and LayerNorm parameters");
    }
}
