package io.lmforge.training.model;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * Next-token cross-entropy for a DL4J {@code LossLayer} whose input is the LM's logits as one
 * row per token, [batch·T, vocab] (rows ordered sequence by sequence), and whose labels are the
 * target ids as [batch, T]. The labels keep one row per sequence, so DL4J's per-example batching
 * (which splits and merges MultiDataSets by example) keeps each sequence's targets together.
 *
 * <p>Why not DL4J's RnnLossLayer + SPARSE_MCXENT: it wants logits as [batch, vocab, T] and turns
 * them into rows with permute + dup copies of the whole [b, V, T] array in the forward pass, the
 * score and the backward pass; those strided copies were ~40 % of a training step (OpProfiler:
 * "old_assign", ~250 ms each for b 16, T 128, V 8192). Here the logits stay contiguous rows.
 *
 * <p>Scale: the score and the gradient are means per token (as PyTorch's cross-entropy, so
 * gradient clipping sees the same norm as the PyTorch baseline). DL4J divides the LossLayer's score
 * by its own row count (b·T) but the gradient by the graph's minibatch (b sequences), so the
 * gradient is divided by T here; the gradient check holds the two together.
 *
 * <p>The layer's activation must be identity: softmax is part of this loss, so the gradient is
 * softmax(logits) − onehot(target) per row, computed in place without a softmax Jacobian.
 * No masks: packed sequences have no padding.
 */
public final class TokenCrossEntropy implements ILossFunction {
    private static final long serialVersionUID = 1L;
    /**
     * Columns after the vocabulary (a Mixture-of-Experts model, see MoeFeedForward): the first holds the
     * weighted load-balancing loss (the same in every row), added to the score; the others are
     * routing statistics with no gradient. 0 for a dense model.
     */
    private int extraColumns;

    public TokenCrossEntropy() {
        // dense model; also DL4J's JSON deserialisation
    }

    public TokenCrossEntropy(int extraColumns) {
        this.extraColumns = extraColumns;
    }

    public int getExtraColumns() {
        return extraColumns;
    }

    public void setExtraColumns(int extraColumns) {
        this.extraColumns = extraColumns;
    }

    /** The vocabulary's logits: the columns before the extra ones (a contiguous copy when there are extra ones). */
    private INDArray vocabLogits(INDArray preOutput) {
        return extraColumns == 0 ? preOutput
                : preOutput.get(NDArrayIndex.all(), NDArrayIndex.interval(0, preOutput.size(1) - extraColumns)).dup('c');
    }

    /** The balance-loss column's value (0 for a dense model). */
    private double auxiliaryLoss(INDArray preOutput) {
        return extraColumns == 0 ? 0 : preOutput.getDouble(0, preOutput.size(1) - extraColumns);
    }

    /** The CE gradient [rows, V] widened to the layer's output: 1/T in the balance-loss column (the 1/T as for CE), 0 in the statistics. */
    private INDArray withExtraColumns(INDArray ceGradient, long t) {
        if (extraColumns == 0) {
            return ceGradient;
        }
        long v = ceGradient.size(1);
        INDArray g = Nd4j.zeros(ceGradient.dataType(), ceGradient.size(0), v + extraColumns);
        g.get(NDArrayIndex.all(), NDArrayIndex.interval(0, v)).assign(ceGradient);
        g.get(NDArrayIndex.all(), NDArrayIndex.point(v)).assign(1.0 / t);
        return g;
    }

    @Override
    public String name() {
        return "TokenCrossEntropy";
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        check(labels, preOutput, activationFn, mask);
        double aux = auxiliaryLoss(preOutput);
        INDArray logits = vocabLogits(preOutput);
        double[] perSequence = LAST.get().lossesIfSame(labels, logits);
        return score(perSequence != null ? perSequence : sequenceLosses(labels, softmax(logits), logits), labels, average)
                + (average ? aux : aux * labels.length());
    }

    /**
     * DL4J asks a LossLayer for the gradient (backprop) and then, separately, for the score of the
     * same logits; the softmax over [b·T, V] is the expensive part of both, so the gradient
     * pass remembers its per-sequence losses (numbers, not arrays: the logits live in a workspace
     * that is reused) for the score call on the very same arrays.
     */
    private static final ThreadLocal<LastLosses> LAST = ThreadLocal.withInitial(LastLosses::new);

    private static final class LastLosses {
        private INDArray labels;
        private INDArray logits;
        private double fingerprint;
        private double[] losses;

        void remember(INDArray labels, INDArray logits, double[] losses) {
            this.labels = labels;
            this.logits = logits;
            this.fingerprint = fingerprint(labels, logits);
            this.losses = losses;
        }

        double[] lossesIfSame(INDArray labels, INDArray logits) {
            double[] out = labels == this.labels && logits == this.logits && fingerprint(labels, logits) == fingerprint ? losses : null;
            this.labels = null; // one use: the next step has new arrays (possibly in the same workspace memory)
            this.logits = null;
            return out;
        }

        private static double fingerprint(INDArray labels, INDArray logits) {
            return logits.getDouble(0) + 31 * logits.getDouble(logits.length() - 1) + 961 * labels.getDouble(labels.length() - 1);
        }
    }

    /** Per sequence: the mean −log p(target) over its T positions, [batch, 1]. */
    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        check(labels, preOutput, activationFn, mask);
        INDArray logits = vocabLogits(preOutput);
        double[] perSequence = sequenceLosses(labels, softmax(logits), logits);
        for (int i = 0; i < perSequence.length; i++) {
            perSequence[i] = perSequence[i] / labels.size(1) + auxiliaryLoss(preOutput);
        }
        return Nd4j.create(perSequence, new long[]{labels.size(0), 1}, preOutput.dataType());
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        check(labels, preOutput, activationFn, mask);
        INDArray logits = vocabLogits(preOutput);
        INDArray p = softmax(logits);
        LAST.get().remember(labels, logits, sequenceLosses(labels, p, logits));
        return withExtraColumns(gradientFrom(p, targets(labels), labels.size(1)), labels.size(1));
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        check(labels, preOutput, activationFn, mask);
        double aux = auxiliaryLoss(preOutput);
        INDArray logits = vocabLogits(preOutput);
        INDArray p = softmax(logits);
        return new Pair<>(score(sequenceLosses(labels, p, logits), labels, average) + (average ? aux : aux * labels.length()),
                withExtraColumns(gradientFrom(p, targets(labels), labels.size(1)), labels.size(1)));
    }

    /** Summed over every token (DL4J then divides by the b·T rows), or already the mean per token. */
    private static double score(double[] perSequence, INDArray labels, boolean average) {
        double total = 0;
        for (double s : perSequence) {
            total += s;
        }
        return average ? total / labels.length() : total;
    }

    /** softmax over the vocabulary (libnd4j's softmax is ~3x faster than its log_softmax on [2048, 8192]). */
    private static INDArray softmax(INDArray logits) {
        INDArray out = Nd4j.createUninitialized(logits.dataType(), logits.shape(), 'c');
        Nd4j.exec(new SoftMax(logits, out, 1));
        return out;
    }

    /** −Σ log p(target) per sequence, from the probabilities; a probability that underflowed to 0 is recomputed from its logits. */
    private static double[] sequenceLosses(INDArray labels, INDArray probs, INDArray logits) {
        int[] y = targets(labels);
        int t = (int) labels.size(1);
        long vocab = probs.size(1);
        org.nd4j.linalg.api.buffer.DataBuffer buf = probs.data();
        double[] loss = new double[(int) labels.size(0)]; // double: the gradient check differentiates this score
        for (int row = 0; row < y.length; row++) {
            double p = buf.getDouble(row * vocab + y[row]);
            loss[row / t] -= p > 1e-30 ? Math.log(p) : exactLogProbability(logits.getRow(row).toDoubleVector(), y[row]);
        }
        return loss;
    }

    private static double exactLogProbability(double[] z, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (double v : z) {
            sum += Math.exp(v - max);
        }
        return z[target] - max - Math.log(sum);
    }

    /** (softmax − onehot(target)) / T, written over the probabilities (see the class comment for the 1/T). */
    private static INDArray gradientFrom(INDArray probs, int[] y, long t) {
        long vocab = probs.size(1);
        org.nd4j.linalg.api.buffer.DataBuffer buf = probs.data();
        for (int row = 0; row < y.length; row++) {
            long i = row * vocab + y[row];
            buf.put(i, buf.getDouble(i) - 1.0);
        }
        return probs.divi(t);
    }

    private static int[] targets(INDArray labels) {
        float[] f = labels.reshape(labels.length()).toFloatVector();
        int[] y = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            y[i] = (int) f[i];
        }
        return y;
    }

    private static void check(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        if (!(activationFn instanceof ActivationIdentity)) {
            throw new IllegalArgumentException("TokenCrossEntropy applies softmax itself: the LossLayer's activation must be IDENTITY, got " + activationFn);
        }
        if (mask != null) {
            throw new IllegalArgumentException("TokenCrossEntropy takes no mask (packed sequences have no padding)");
        }
        if (labels.rank() != 2 || preOutput.rank() != 2 || labels.length() != preOutput.size(0)) {
            throw new IllegalArgumentException("labels [batch, T] and logits [batch*T, vocab] expected, got labels "
                    + java.util.Arrays.toString(labels.shape()) + " and logits " + java.util.Arrays.toString(preOutput.shape()));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenCrossEntropy other && other.extraColumns == extraColumns;
    }

    @Override
    public int hashCode() {
        return TokenCrossEntropy.class.hashCode() + extraColumns;
    }

    @Override
    public String toString() {
        return name() + "(" + (extraColumns == 0 ? "" : "extraColumns=" + extraColumns) + ")";
    }
}
