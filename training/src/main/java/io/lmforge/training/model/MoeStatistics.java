package io.lmforge.training.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * A Mixture-of-Experts model's routing on one minibatch, read from the training output's extra
 * columns (see MoeFeedForward): per MoE block its load-balancing loss (1 when balanced), each
 * expert's share of first choices, and the share of choices dropped over capacity.
 */
public record MoeStatistics(List<Block> blocks) {
    public record Block(int layer, double balanceLoss, double[] load, double dropped) {
    }

    /** The statistics of {@code net} on {@code features} ([b, 1, T] token ids); none for a dense model. */
    public static MoeStatistics probe(ComputationGraph net, INDArray features) {
        Gpt2Layer l = Gpt2Model.layerOf(net);
        Moe moe = l.architecture().moe();
        if (!moe.enabled()) {
            return new MoeStatistics(List.of());
        }
        INDArray out = net.outputSingle(features);
        long col = l.getVocabSize() + 1; // after the vocabulary and the weighted loss
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < l.getNumLayers(); i++) {
            if (!moe.isMoeBlock(i)) {
                continue;
            }
            double[] load = new double[moe.experts()];
            for (int e = 0; e < load.length; e++) {
                load[e] = out.getDouble(0, col + 1 + e);
            }
            blocks.add(new Block(i, out.getDouble(0, col), load, out.getDouble(0, col + 1 + load.length)));
            col += MoeFeedForward.statisticsPerBlock(moe);
        }
        return new MoeStatistics(blocks);
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    /** Σ over blocks of the (unweighted) balance loss. */
    public double balanceLoss() {
        return blocks.stream().mapToDouble(Block::balanceLoss).sum();
    }

    /** Every block's expert loads, block after block. */
    public List<Double> loads() {
        List<Double> out = new ArrayList<>();
        for (Block b : blocks) {
            for (double v : b.load()) {
                out.add(v);
            }
        }
        return out;
    }

    public double dropped() {
        return blocks.stream().mapToDouble(Block::dropped).average().orElse(0);
    }
}
