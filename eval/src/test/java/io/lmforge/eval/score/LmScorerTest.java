package io.lmforge.eval.score;

import io.lmforge.training.score.TokenWindow;
import io.lmforge.training.score.LmScorer;
import io.lmforge.training.model.Gpt2Model;
import io.lmforge.training.model.WarmupCosineSchedule;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LmScorerTest {
    private static final int T = 16;
    private static final int V = 50;

    private static ComputationGraph model() {
        ComputationGraph net = Gpt2Model.create(new Gpt2Model.Spec(V, T, 16, 2, 1),
                new Gpt2Model.Optimizer(new WarmupCosineSchedule(1e-3, 1, 0, 0.1), 0.9, 0.95, 1e-8, 0, 1), 3);
        // larger weights than the N(0, 0.02) init, so the distributions are far from uniform
        net.params().muli(8);
        return net;
    }

    @Test
    void logLikelihoodsMatchTheTrainingNetworksOwnLogitsAndIgnorePadding() {
        ComputationGraph net = model();
        LmScorer scorer = new LmScorer(net, 3);
        Random r = new Random(5);
        int[] full = new int[T];
        for (int i = 0; i < T; i++) {
            full[i] = r.nextInt(V);
        }
        // reference: the training graph's own logits (one row per position), log-softmaxed here
        INDArray logits = net.outputSingle(Nd4j.create(toFloat(full), new long[]{1, 1, T}, DataType.FLOAT)); // [T, V]
        double expected = 0;
        for (int p = 3; p < T - 1; p++) {
            expected += logProbability(logits, p, full[p + 1]);
        }
        int[] targets = new int[T - 4];
        System.arraycopy(full, 4, targets, 0, targets.length);
        TokenWindow whole = new TokenWindow(full, 3, targets); // positions 3 .. T-2 predict tokens 4 .. T-1
        double[] got = scorer.logLikelihoods(List.of(whole));
        assertEquals(expected, got[0], 1e-3);

        // a shorter window (right-padded inside the batch) scores its positions exactly as in the full one
        int[] prefix = java.util.Arrays.copyOf(full, 8);
        TokenWindow shorter = new TokenWindow(prefix, 3, java.util.Arrays.copyOfRange(full, 4, 8));
        double shortExpected = 0;
        for (int p = 3; p < 7; p++) {
            shortExpected += logProbability(logits, p, full[p + 1]);
        }
        double[] batch = scorer.logLikelihoods(List.of(shorter, whole, shorter, whole));
        assertEquals(shortExpected, batch[0], 1e-3);
        assertEquals(got[0], batch[1], 1e-4);
        assertEquals(batch[0], batch[2], 1e-4);
        assertEquals(batch[1], batch[3], 1e-4, "the second batch (size 1) scores like the first");
    }

    @Test
    void shortWindowsScoredByShorterCopiesOfTheModelGiveTheFullModelsLogLikelihoods() {
        shorterCopiesScoreLikeTheModel(io.lmforge.training.model.Architecture.GPT2);
    }

    @Test
    void aNormFormerModelIsScoredLikewise() {
        shorterCopiesScoreLikeTheModel(new io.lmforge.training.model.Architecture(true, true));
    }

    @Test
    void aMixtureOfExpertsModelIsScoredLikewise() {
        // capacity factor 1.5 with 3 experts, top-2: C = T, so training-time routing drops nothing and its logits are the scorer's
        shorterCopiesScoreLikeTheModel(new io.lmforge.training.model.Architecture(false, false, new io.lmforge.training.model.Moe(3, 2, 1, 1.5, 0.01)));
    }

    private static void shorterCopiesScoreLikeTheModel(io.lmforge.training.model.Architecture arch) {
        int t = 80;
        ComputationGraph net = Gpt2Model.create(new Gpt2Model.Spec(V, t, 16, 2, 2, arch),
                new Gpt2Model.Optimizer(new WarmupCosineSchedule(1e-3, 1, 0, 0.1), 0.9, 0.95, 1e-8, 0, 1), 4);
        net.params().muli(8);
        Random r = new Random(9);
        List<TokenWindow> windows = new java.util.ArrayList<>();
        double[] expected = new double[5];
        int[] lengths = {5, 32, 33, 64, 80};
        for (int w = 0; w < lengths.length; w++) {
            int n = lengths[w];
            int[] in = new int[n];
            int[] padded = new int[t];
            for (int i = 0; i < n; i++) {
                in[i] = r.nextInt(V);
                padded[i] = in[i];
            }
            int[] targets = new int[n - 1];
            System.arraycopy(in, 1, targets, 0, n - 1);
            windows.add(new TokenWindow(in, 0, targets)); // positions 0..n-2 predict tokens 1..n-1
            INDArray logits = net.outputSingle(Nd4j.create(toFloat(padded), new long[]{1, 1, t}, DataType.FLOAT)) // [t, V (+ MoE columns)]
                    .get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, V));
            for (int p = 0; p < n - 1; p++) {
                expected[w] += logProbability(logits, p, in[p + 1]);
            }
        }
        double[] got = new LmScorer(net, 2).logLikelihoods(windows); // lengths 5, 32 -> context 32; 33, 64 -> 64; 80 -> the model
        for (int w = 0; w < lengths.length; w++) {
            assertEquals(expected[w], got[w], 2e-3, arch.label() + ": window of " + lengths[w]);
        }
    }

    /** log softmax(logits[row])[target], in double. */
    private static double logProbability(INDArray logitRows, int row, int target) {
        double[] z = logitRows.getRow(row).toDoubleVector();
        double max = java.util.Arrays.stream(z).max().orElseThrow();
        double sum = java.util.Arrays.stream(z).map(v -> Math.exp(v - max)).sum();
        return z[target] - max - Math.log(sum);
    }

    private static float[] toFloat(int[] ids) {
        float[] f = new float[ids.length];
        for (int i = 0; i < ids.length; i++) {
            f[i] = ids[i];
        }
        return f;
    }
}
