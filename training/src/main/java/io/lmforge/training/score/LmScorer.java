package io.lmforge.training.score;

import io.lmforge.training.model.Gpt2Layer;
import io.lmforge.training.model.Gpt2Model;
import io.lmforge.training.model.Gpt2Params;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Log-likelihoods of token windows under a trained model: batched forward passes of fixed length
 * (inputs right-padded: the causal mask keeps padding out of earlier positions), logits of the
 * GPT layer, log-softmax over the vocabulary, summed (in double) at the scored positions.
 */
public final class LmScorer {
    /**
     * Scoring runs on inference copies of the model (log-softmax in the graph), one per context length:
     * the model's own and shorter ones for short windows (few-shot prompts) - same weights, less
     * compute per pass.
     */
    private static final int[] SHORT_CONTEXTS = {32, 64};
    private final ComputationGraph net;
    private final Gpt2Layer layer;
    private final int contextLength;
    private final int vocab;
    private final int batchSize;
    private final Map<Integer, ComputationGraph> byContext = new TreeMap<>();

    public LmScorer(ComputationGraph net, int batchSize) {
        this.layer = Gpt2Model.layerOf(net);
        this.net = net;
        this.contextLength = layer.getContextLength();
        this.vocab = layer.getVocabSize();
        this.batchSize = batchSize;
    }

    /** A model from model.zip bytes (as broadcast to executors), without its updater state. */
    public static LmScorer fromBytes(byte[] modelZip, int batchSize) throws IOException {
        io.lmforge.training.model.ModelZipCheck.check(modelZip, "model.zip"); // on the executor too: whatever was broadcast
        return new LmScorer(ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(modelZip), false), batchSize);
    }

    public int contextLength() {
        return contextLength;
    }

    /**
     * Sum of log p(target) over each window's scored positions, natural log. Windows are grouped by
     * the shortest context (32, 64 or the model's) that holds them: positions only see earlier
     * positions, so a window scores the same in any context at least as long as itself.
     */
    public double[] logLikelihoods(List<TokenWindow> windows) {
        Map<Integer, List<Integer>> groups = new TreeMap<>();
        for (int i = 0; i < windows.size(); i++) {
            groups.computeIfAbsent(contextFor(windows.get(i).input().length), c -> new ArrayList<>()).add(i);
        }
        double[] out = new double[windows.size()];
        for (Map.Entry<Integer, List<Integer>> g : groups.entrySet()) {
            List<TokenWindow> ws = new ArrayList<>(g.getValue().size());
            g.getValue().forEach(i -> ws.add(windows.get(i)));
            double[] ll = logLikelihoods(ws, g.getKey());
            for (int k = 0; k < ll.length; k++) {
                out[g.getValue().get(k)] = ll[k];
            }
        }
        return out;
    }

    private int contextFor(int length) {
        if (length > contextLength) {
            throw new IllegalArgumentException("window of " + length + " tokens for a model of context " + contextLength);
        }
        for (int c : SHORT_CONTEXTS) {
            if (length <= c && c < contextLength) {
                return c;
            }
        }
        return contextLength;
    }

    private ComputationGraph netFor(int context) {
        return byContext.computeIfAbsent(context, c -> {
            ComputationGraph shorter = Gpt2Model.forInference(Gpt2Model.Spec.of(layer, c));
            Map<String, INDArray> from = net.paramTable();
            for (Map.Entry<String, INDArray> p : shorter.paramTable().entrySet()) {
                INDArray src = from.get(p.getKey());
                p.getValue().assign(p.getKey().endsWith(Gpt2Params.WPE) ? src.get(NDArrayIndex.interval(0, c), NDArrayIndex.all()) : src);
            }
            return shorter;
        });
    }

    private double[] logLikelihoods(List<TokenWindow> windows, int context) {
        ComputationGraph model = netFor(context);
        double[] out = new double[windows.size()];
        for (int s = 0; s < windows.size(); s += batchSize) {
            List<TokenWindow> batch = windows.subList(s, Math.min(windows.size(), s + batchSize));
            INDArray logProbs = logProbabilities(model, context, batch); // [b, T, V]
            for (int i = 0; i < batch.size(); i++) {
                TokenWindow w = batch.get(i);
                double ll = 0;
                for (int j = 0; j < w.targets().length; j++) {
                    int target = w.targets()[j];
                    if (target < 0 || target >= vocab) {
                        throw new IllegalArgumentException("token id " + target + " outside the model's vocabulary of " + vocab);
                    }
                    ll += logProbs.getFloat(i, w.from() + j, target);
                }
                out[s + i] = ll;
            }
        }
        return out;
    }

    /**
     * Log-probabilities of a batch, [batch, T, vocab]: the GPT layer's logits through ND4J's
     * log-softmax over the vocabulary (the last axis: the op's dimension argument was not honoured on [b, V, T]) (native, float32 - as the harness computes it in the model's dtype).
     */
    private static INDArray logProbabilities(ComputationGraph model, int context, List<TokenWindow> batch) {
        float[] ids = new float[batch.size() * context];
        for (int i = 0; i < batch.size(); i++) {
            int[] in = batch.get(i).input();
            for (int j = 0; j < in.length; j++) {
                ids[i * context + j] = in[j];
            }
        }
        INDArray input = Nd4j.create(ids, new long[]{batch.size(), 1, context}, DataType.FLOAT);
        return model.outputSingle(false, input);
    }
}
