package io.lmforge.training.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train.model.moe: routing by hand, the model against an independent implementation, gradients. */
class MoeTest {
    /** 3 experts, top-2, every second block, capacity factor 0.5: C = ceil(0.5·2·5/3) = 2 slots for 10 choices of 5 tokens, so choices are dropped. */
    private static final Moe TIGHT = new Moe(3, 2, 2, 0.5, 0.01);

    private static Gpt2Model.Spec tiny(Architecture arch) {
        return new Gpt2Model.Spec(23, 5, 8, 2, 2, arch);
    }

    @Test
    void handBuiltGateLogitsRouteDropAndWeighAsGShard() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 4, 3);
        Gpt2Params p = new Gpt2Params(0);
        Map<String, SDVariable> w = Map.of(p.gateW(), sd.var("gate", Nd4j.eye(3).castTo(DataType.DOUBLE))); // gate logits = x
        MoeFeedForward.Routing r = new MoeFeedForward(sd, w, new Moe(3, 2, 1, 0.75, 0.01), 4, 3, false).route(x, p.gateW()); // C = 2
        double[][] logits = {{3, 2, 0}, {3, 0, 2}, {3, 1, 0}, {0, 3, 2}};
        INDArray in = Nd4j.createFromArray(logits).reshape(1, 4, 3);
        Map<String, INDArray> out = sd.output(Map.of("x", in), r.dispatch().name(), r.combine().name(), r.load().name(), r.dropped().name(),
                r.balanceLoss().name());
        // slots are expert·C + position. First choices fill experts first, in token order: e0 gets tokens 0, 1 (token 2 is
        // third: dropped), e1 token 3. Second choices come after all first choices of their expert: e1 already has one,
        // so token 0 takes its slot 1 and token 2 (position 2) is dropped; e2 takes tokens 1 and 3.
        int[][] slots = {{0, 3}, {1, 4}, {}, {2, 5}};
        int[][] experts = {{0, 1}, {0, 2}, {}, {1, 2}};
        INDArray dispatch = out.get(r.dispatch().name());
        INDArray combine = out.get(r.combine().name());
        assertArrayEquals(new long[]{1, 4, 6}, dispatch.shape());
        for (int t = 0; t < 4; t++) {
            double[] gates = softmax(logits[t]);
            double norm = t == 2 ? 1 : gates[experts[t][0]] + gates[experts[t][1]];
            for (int s = 0; s < 6; s++) {
                int j = List.of(box(slots[t])).indexOf(s);
                assertEquals(j >= 0 ? 1.0 : 0.0, dispatch.getDouble(0, t, s), "token " + t + " slot " + s);
                double expected = j >= 0 ? gates[experts[t][j]] / norm : 0;
                assertEquals(expected, combine.getDouble(0, t, s), 1e-12, "combine weight of token " + t + " slot " + s);
            }
        }
        assertArrayEquals(new double[]{0.75, 0.25, 0}, out.get(r.load().name()).toDoubleVector(), 1e-12, "first choices per expert");
        assertEquals(0.25, out.get(r.dropped().name()).getDouble(0), 1e-12, "2 of 8 choices dropped");
        double[] meanGate = new double[3];
        for (double[] l : logits) {
            double[] g = softmax(l);
            for (int e = 0; e < 3; e++) {
                meanGate[e] += g[e] / 4;
            }
        }
        double balance = 9 * (meanGate[0] * 0.75 + meanGate[1] * 0.25) / 3;
        assertEquals(balance, out.get(r.balanceLoss().name()).getDouble(0), 1e-12, "E² · mean_e(m_e · c_e)");
    }

    @Test
    void logitsAndBalanceLossMatchAnIndependentImplementation() {
        for (Architecture arch : List.of(new Architecture(false, false, TIGHT), new Architecture(true, false, new Moe(3, 1, 1, 1.0, 0.1)))) {
            Gpt2Model.Spec spec = tiny(arch);
            ComputationGraph net = NormFormerTest.randomDoubleModel(spec);
            int[][] ids = NormFormerTest.ids(3, spec, 5);
            INDArray out = net.outputSingle(NormFormerTest.input(ids, DataType.DOUBLE)); // [b·T, V + extra]
            int extra = MoeFeedForward.extraColumns(arch.moe(), spec.layers());
            assertEquals(spec.vocabSize() + extra, out.size(1));
            ReferenceGpt2 reference = new ReferenceGpt2(net.getLayer("gpt").paramTable(), spec);
            double worst = NormFormerTest.largestLogitDifference(reference, ids, out, spec);
            assertTrue(worst < 1e-9, arch.label() + ": largest logit difference from the reference " + worst);
            double[] extras = reference.extras();
            for (int c = 0; c < extra; c++) {
                assertEquals(extras[c], out.getDouble(out.size(0) - 1, spec.vocabSize() + c), 1e-9, arch.label() + ": extra column " + c);
            }
            assertTrue(arch.moe().topK() == 1 || extras[extras.length - 1] > 0, "the tight capacity drops choices: " + java.util.Arrays.toString(extras));
        }
    }

    @Test
    void analyticGradientsMatchFiniteDifferencesWithTheBalanceLoss() {
        // a large balance weight, so a wrong balance gradient shows
        List<String> failed = NormFormerTest.gradientFailuresOfARandomModel(tiny(new Architecture(true, true, new Moe(3, 2, 2, 0.5, 0.5))), 6);
        assertTrue(failed.isEmpty(), failed + " gradient check of a NormFormer MoE model (drops, balance loss)");
    }

    @Test
    void expertParametersReplaceTheFeedForwardOfEveryOtherBlock() {
        Gpt2Model.Spec dense = new Gpt2Model.Spec(100, 16, 16, 2, 4);
        Gpt2Model.Spec moe = new Gpt2Model.Spec(100, 16, 16, 2, 4, new Architecture(false, false, new Moe(4, 2, 2, 1.0, 0.01)));
        Map<String, INDArray> params = NormFormerTest.randomDoubleModel(moe).getLayer("gpt").paramTable();
        assertTrue(params.containsKey("h0fcw") && !params.containsKey("h1fcw") && params.containsKey("h1efcw") && params.containsKey("h3gatew"));
        long ffn = 16 * 64 + 64 + 64 * 16 + 16;
        assertEquals(NormFormerTest.parameters(dense) + 2 * (3 * ffn + 16 * 4), NormFormerTest.parameters(moe), "two MoE blocks: 3 more experts and a gate each");
    }

    private static double[] softmax(double[] z) {
        double max = java.util.Arrays.stream(z).max().orElseThrow();
        double sum = java.util.Arrays.stream(z).map(v -> Math.exp(v - max)).sum();
        return java.util.Arrays.stream(z).map(v -> Math.exp(v - max) / sum).toArray();
    }

    private static Integer[] box(int[] a) {
        return java.util.Arrays.stream(a).boxed().toArray(Integer[]::new);
    }
}
