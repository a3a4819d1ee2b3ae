package io.lmforge.training.model;

import io.lmforge.training.optim.AdamWStep;
import io.lmforge.training.optim.OptimizerSpec;
import io.lmforge.training.rounds.RoundState;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train.grow: appended blocks leave the function unchanged and the optimiser state follows the parameters. */
class ModelGrowthTest {
    private static final OptimizerSpec ADAMW = new OptimizerSpec(OptimizerSpec.Kind.ADAMW, 1e-2, 0, OptimizerSpec.Schedule.CONSTANT, 0, 0.1,
            0.9, 0.95, 1e-8, 0.1, 1.0, 0, 0, false);

    private static MultiDataSet batch(int vocab, int t, long seed) {
        Random r = new Random(seed);
        INDArray x = Nd4j.create(DataType.FLOAT, 4, 1, t);
        INDArray y = Nd4j.create(DataType.FLOAT, 4, t);
        for (int b = 0; b < 4; b++) {
            for (int i = 0; i < t; i++) {
                x.putScalar(new int[]{b, 0, i}, r.nextInt(vocab));
                y.putScalar(new int[]{b, i}, r.nextInt(vocab));
            }
        }
        return new MultiDataSet(x, y);
    }

    @Test
    void aGrownModelComputesTheSameLogitsAndCarriesItsAdamStateByName() {
        for (Architecture arch : new Architecture[]{Architecture.GPT2, new Architecture(true, true), new Architecture(false, false, new Moe(3, 2, 2, 1.0, 0.01))}) {
            Gpt2Model.Spec spec = new Gpt2Model.Spec(40, 8, 16, 2, 2, arch);
            ComputationGraph net = Gpt2Model.create(spec, ADAMW, 3);
            MultiDataSet data = batch(40, 8, 1);
            for (int i = 0; i < 3; i++) {
                net.fit(data); // a trained model with a non-zero Adam state
            }
            AdamWStep step = new AdamWStep();
            float[] momentum = new float[(int) net.numParams()];
            for (int i = 0; i < momentum.length; i++) {
                momentum[i] = i;
            }
            RoundState state = new RoundState(new float[][]{step.state(net)}, momentum);
            ModelGrowth.Grown grown = ModelGrowth.deepen(net, state, 2, ADAMW, 3);
            ComputationGraph g = grown.net();
            assertEquals(4, Gpt2Model.layerOf(g).getNumLayers());
            assertEquals(arch, Gpt2Model.layerOf(g).architecture());
            INDArray before = vocabColumns(net.outputSingle(data.getFeatures(0)), 40);
            INDArray after = vocabColumns(g.outputSingle(data.getFeatures(0)), 40);
            assertEquals(0.0, before.sub(after).amaxNumber().doubleValue(), 0.0, arch.label() + ": identical logits at the moment of growth");
            assertEquals(net.getConfiguration().getIterationCount(), g.getConfiguration().getIterationCount());

            ParamLayout oldLayout = new ParamLayout(net);
            ParamLayout newLayout = new ParamLayout(g);
            float[] movedMomentum = grown.state().outerMomentum();
            float[] movedAdam = grown.state().inner()[0];
            step.setState(g, movedAdam);
            Map<String, INDArray> oldM = adamFirstMoment(net);
            Map<String, INDArray> newM = adamFirstMoment(g);
            for (Map.Entry<String, ParamLayout.Slot> e : newLayout.slots().entrySet()) {
                ParamLayout.Slot was = oldLayout.slots().get(e.getKey());
                float first = movedMomentum[(int) e.getValue().offset()];
                if (was == null) {
                    assertEquals(0f, first, e.getKey() + ": a new parameter has no momentum");
                    assertEquals(0.0, newM.get(e.getKey()).amaxNumber().doubleValue(), 0.0, e.getKey() + ": a new parameter starts with m = 0");
                } else {
                    assertEquals((float) was.offset(), first, e.getKey() + ": momentum moved with its parameter");
                    assertEquals(oldM.get(e.getKey()), newM.get(e.getKey()), e.getKey() + ": Adam's m moved with its parameter");
                }
            }
            double loss = step.fit(g, data);
            assertTrue(Double.isFinite(loss), "the grown model trains: loss " + loss);
            assertTrue(grownBlockMoved(g, spec.layers()), arch.label() + ": the new blocks' zero parameters receive gradient");
        }
    }

    /** After a step, the zero-initialised parameters of the first new block are no longer all zero. */
    private static boolean grownBlockMoved(ComputationGraph g, int firstNew) {
        Gpt2Params p = new Gpt2Params(firstNew);
        Architecture arch = Gpt2Model.layerOf(g).architecture();
        for (String name : ModelGrowth.identityParams(p, arch, firstNew)) {
            if (g.getLayer("gpt").paramTable().get(name).amaxNumber().doubleValue() > 0) {
                return true;
            }
        }
        return false;
    }

    /** The logits: an MoE model's output also has its routing columns, which growth changes (a new MoE block adds its own). */
    private static INDArray vocabColumns(INDArray out, int vocab) {
        return out.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, vocab));
    }

    /** Adam's first moment per parameter name, read through DL4J's updater blocks (the state view's own layout). */
    private static Map<String, INDArray> adamFirstMoment(ComputationGraph net) {
        Map<String, INDArray> m = new java.util.HashMap<>();
        for (org.deeplearning4j.nn.updater.UpdaterBlock b : net.getUpdater().getUpdaterBlocks()) {
            INDArray view = b.getUpdaterView(); // [m | v] of this block's parameters
            long blockLen = view.length() / 2;
            long cursor = 0;
            for (org.deeplearning4j.nn.updater.UpdaterBlock.ParamState p : b.getLayersAndVariablesInBlock()) {
                long len = p.getParamView().length();
                m.put(p.getParamName(), view.reshape(-1).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(cursor, cursor + len)).dup());
                cursor += len;
            }
            assertEquals(blockLen, cursor);
        }
        return m;
    }

    @Test
    void movingStateToAModelOfTheSameShapeChangesNothing() {
        ComputationGraph a = Gpt2Model.create(new Gpt2Model.Spec(30, 6, 8, 2, 2), ADAMW, 1);
        ComputationGraph b = Gpt2Model.create(new Gpt2Model.Spec(30, 6, 8, 2, 2), ADAMW, 2);
        a.fit(batch(30, 6, 2));
        float[] s = new AdamWStep().state(a);
        assertArrayEquals(s, ParamLayout.moveUpdaterState(a, s, b));
        float[] two = new float[(int) (2 * a.numParams())];
        for (int i = 0; i < two.length; i++) {
            two[i] = i;
        }
        assertArrayEquals(two, new ParamLayout(a).moveSections(two, new ParamLayout(b)));
    }
}
