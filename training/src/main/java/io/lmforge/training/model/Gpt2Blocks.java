package io.lmforge.training.model;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/** The SameDiff graph of GPT-2's forward pass (fixed context length T; shorter inputs are right-padded). */
final class Gpt2Blocks {
    private static final double GELU_C = Math.sqrt(2.0 / Math.PI);
    private final SameDiff sd;
    private final Map<String, SDVariable> w;
    private final int t;
    private final int d;
    private final int heads;
    private final int layers;
    private final double eps;
    private final long vocab;
    private final Architecture arch;
    private final MoeFeedForward moe; // null: dense feed-forward blocks

    Gpt2Blocks(SameDiff sd, Map<String, SDVariable> params, long vocab, int t, int d, int heads, int layers, double eps, Architecture arch,
               boolean inference) {
        this.vocab = vocab;
        this.arch = arch;
        this.moe = arch.moe().enabled() ? new MoeFeedForward(sd, params, arch.moe(), t, d, inference) : null;
        this.sd = sd;
        this.w = params;
        this.t = t;
        this.d = d;
        this.heads = heads;
        this.layers = layers;
        this.eps = eps;
    }

    /**
     * ids [b, 1, T] (float) -> logits [b*T, V], one row per token (sequence by sequence), for
     * {@link TokenCrossEntropy}.
     *
     * <p>DL4J M2.1 returns twice the gradient from every SameDiffLayer (for its parameters and its
     * input). Every gradient reaches the parameters through the head's product x·wteᵀ, so halving
     * the gradient on its two operands (0.5·a + 0.5·stopGradient(a): same value, half the
     * gradient) halves them all; done on x [b*T, d] and wte [V, d] rather than on the [b*T, V]
     * logits, it costs a few MB of elementwise work instead of four passes over the logits. A
     * Mixture-of-Experts model's balance loss reaches the gates by its own column, halved the same way.
     * The gradient checks (Gpt2ModelTest, NormFormerTest, MoeTest) fail without it.
     */
    SDVariable trainingLogits(SDVariable input) {
        SDVariable x = finalHidden(input);
        SDVariable wte = w.get(Gpt2Params.WTE);
        SDVariable logits = sd.mmul(halfGradient(x), halfGradient(wte), false, true, false);
        if (moe == null) {
            return logits;
        }
        // the balance loss and routing statistics as extra columns, the same in every row (TokenCrossEntropy reads them)
        SDVariable firstColumn = sd.stridedSlice(logits, new long[]{0, 0}, new long[]{0, 1}, new long[]{1, 1}, 1, 1, 0, 0, 0);
        return sd.concat(1, logits, sd.mmul(sd.onesLike(firstColumn), halfGradient(moe.extras())));
    }

    private SDVariable halfGradient(SDVariable a) {
        SDVariable frozen = new org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient(sd, a).outputVariable();
        return a.mul(0.5).add(frozen.mul(0.5));
    }

    /** ids [b, 1, T] (float) -> log-softmax over the vocabulary, [b, T, V] (scoring; no loss layer). */
    SDVariable logProbabilities(SDVariable input) {
        return sd.reshape(sd.nn.logSoftmax(flatLogits(input), 1), -1, t, vocab);
    }

    /** [b*T, V] */
    private SDVariable flatLogits(SDVariable input) {
        return sd.mmul(finalHidden(input), w.get(Gpt2Params.WTE), false, true, false); // tied head
    }

    /** The final LayerNorm's output, [b*T, d]. */
    private SDVariable finalHidden(SDVariable input) {
        SDVariable ids = sd.reshape(input, -1, t).castTo(org.nd4j.linalg.api.buffer.DataType.INT);
        // token ids have no gradient, but DL4J's SameDiffLayer requires one for its input: a zero term provides it
        SDVariable zero = input.sum().mul(0.0);
        SDVariable embedded = lookup(ids);
        SDVariable x = sd.reshape(embedded, -1, t, d).add(w.get(Gpt2Params.WPE)).add(zero); // [b, T, d]
        SDVariable causal = sd.constant(causalMask(t));
        for (int i = 0; i < layers; i++) {
            Gpt2Params p = new Gpt2Params(i);
            SDVariable attended = attention(layerNorm(x, p.ln1g(), p.ln1b()), p, causal);
            x = x.add(arch.normformer() ? layerNorm(attended, p.attnLnG(), p.attnLnB()) : attended);
            SDVariable residual = arch.residualScale() ? x.mul(sd.reshape(w.get(p.residualScale()), d)) : x;
            SDVariable normed = layerNorm(x, p.ln2g(), p.ln2b());
            x = residual.add(arch.moe().isMoeBlock(i) ? moe.apply(normed, p, h -> activate(h, p)) : mlp(normed, p));
        }
        x = layerNorm(x, Gpt2Params.LNF_G, Gpt2Params.LNF_B);
        return sd.reshape(x, -1, d);
    }

    /** Token embedding rows for ids [b, T]: [b*T, d], with a scatter-add gradient (see EmbeddingLookup). */
    private SDVariable lookup(SDVariable ids) {
        EmbeddingLookup.register();
        return new EmbeddingLookup(sd, w.get(Gpt2Params.WTE), sd.reshape(ids, -1)).outputVariable(); // [b*T, d]
    }

    /** 0 on and below the diagonal, -1e9 above: added to attention scores so position i sees only j <= i. */
    static INDArray causalMask(int t) {
        INDArray m = Nd4j.zeros(Gpt2Layer.dataType(), t, t);
        for (int i = 0; i < t; i++) {
            for (int j = i + 1; j < t; j++) {
                m.putScalar(i, j, -1e9);
            }
        }
        return m;
    }

    private SDVariable layerNorm(SDVariable x, String gain, String bias) {
        SDVariable mean = x.mean(true, 2);
        SDVariable centered = x.sub(mean);
        SDVariable var = centered.mul(centered).mean(true, 2);
        SDVariable norm = centered.div(sd.math.sqrt(var.add(eps)));
        return norm.mul(sd.reshape(w.get(gain), -1)).add(sd.reshape(w.get(bias), -1)); // over the last axis, of any width
    }

    private SDVariable linear(SDVariable x, String weight, String bias, long in, long out) {
        SDVariable y = sd.mmul(sd.reshape(x, -1, in), w.get(weight)).add(w.get(bias));
        return sd.reshape(y, -1, t, out);
    }

    private SDVariable attention(SDVariable x, Gpt2Params p, SDVariable causal) {
        int dh = d / heads;
        SDVariable qkv = linear(x, p.qkvW(), p.qkvB(), d, 3L * d); // [b, T, 3d]
        SDVariable q = heads(sd.stridedSlice(qkv, new long[]{0, 0, 0}, new long[]{0, 0, d}, new long[]{1, 1, 1}, 3, 3, 0, 0, 0), dh);
        SDVariable k = heads(sd.stridedSlice(qkv, new long[]{0, 0, d}, new long[]{0, 0, 2L * d}, new long[]{1, 1, 1}, 3, 3, 0, 0, 0), dh);
        SDVariable v = heads(sd.stridedSlice(qkv, new long[]{0, 0, 2L * d}, new long[]{0, 0, 3L * d}, new long[]{1, 1, 1}, 3, 3, 0, 0, 0), dh);
        SDVariable scores = sd.mmul(q, k, false, true, false).mul(1.0 / Math.sqrt(dh)).add(causal); // [b, H, T, T]
        SDVariable att = sd.nn.softmax(scores, 3);
        SDVariable perHead = sd.mmul(att, v); // [b, H, T, dh]
        if (arch.normformer()) {
            perHead = perHead.mul(sd.reshape(w.get(p.headScale()), 1, heads, 1, 1)); // HeadScale: γ_h·h_h before Wᴼ
        }
        SDVariable y = sd.permute(perHead, 0, 2, 1, 3); // [b, T, H, dh]
        return linear(sd.reshape(y, -1, t, d), p.projW(), p.projB(), d, d);
    }

    /** [b, T, d] -> [b, H, T, dh] */
    private SDVariable heads(SDVariable x, int dh) {
        return sd.permute(sd.reshape(x, -1, t, heads, dh), 0, 2, 1, 3);
    }

    private SDVariable mlp(SDVariable x, Gpt2Params p) {
        SDVariable h = linear(x, p.fcW(), p.fcB(), d, 4L * d);
        return linear(activate(h, p), p.fc2W(), p.fc2B(), 4L * d, d);
    }

    /** GELU, then NormFormer's feed-forward LayerNorm when enabled: between the two feed-forward layers (dense or expert). */
    private SDVariable activate(SDVariable h, Gpt2Params p) {
        // GPT-2's tanh approximation of GELU (HF "gelu_new"), 0.5·h·(1 + tanh(u)), written as the
        // identical h·sigmoid(2u): libnd4j's sigmoid and its gradient take half the time of its tanh
        // (7 ms per million floats, measured) and two elementwise ops fewer
        SDVariable twoU = h.add(sd.math.cube(h).mul(0.044715)).mul(2.0 * GELU_C);
        SDVariable g = h.mul(sd.nn.sigmoid(twoU));
        if (arch.normformer()) {
            g = layerNorm(g, p.ffnLnG(), p.ffnLnB()); // NormFormer's FFN LayerNorm, after the activation
        }
        return g;
    }
}
