package io.lmforge.training.model;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Mixture-of-Experts feed-forward block in SameDiff: GShard's gating (Lepikhin et al. 2020,
 * Algorithm 1) with each sequence as a group of S = T tokens.
 *
 * <ol>
 *   <li>gates = softmax(x·W_g) over the E experts;</li>
 *   <li>the k best experts per token, in order (the j-th choice is the argmax once the earlier
 *   choices are masked out); their gate values g_j, normalised to sum to 1 over the k choices
 *   before any drop (k = 1: the gate probability itself, as Switch Transformer does);</li>
 *   <li>slots: within each expert, first choices are placed in token order, then second choices after
 *   all first choices; a choice whose slot is ≥ the capacity C is dropped (the token's residual stream
 *   passes through unchanged for that expert);</li>
 *   <li>the experts (each a GELU MLP like the dense block) run on their C slots; each token's output
 *   is Σ_j g_j · expert_j(x) over its kept choices;</li>
 *   <li>load-balancing loss, as fairseq's top2gating (the code behind Artetxe et al. 2021):
 *   E² · mean_e(m_e · c_e), m_e the mean gate probability of expert e and c_e the fraction of tokens
 *   whose first choice is e (1 when balanced).</li>
 * </ol>
 *
 * <p>Dispatch and combine are one-hot matrices [b, T, E·C] multiplied with the activations (GShard's
 * einsum form): with T = 128 they cost about half the experts' own products, and need no scatter
 * (whose SameDiff gradient is unusable here, see EmbeddingLookup). Compute per token: k · capacity
 * factor × the dense feed-forward, plus that dispatch.
 *
 * <p>The balance loss and the routing statistics leave the layer as extra output columns (see
 * {@link #extraColumns}): DL4J gives a layer no other way to add a loss term.
 */
final class MoeFeedForward {
    private final SameDiff sd;
    private final Map<String, SDVariable> w;
    private final Moe moe;
    private final int t;
    private final int d;
    private final int capacity;
    private final List<SDVariable> balanceLosses = new ArrayList<>();
    private final List<SDVariable> statistics = new ArrayList<>();

    MoeFeedForward(SameDiff sd, Map<String, SDVariable> w, Moe moe, int t, int d, boolean inference) {
        this.sd = sd;
        this.w = w;
        this.moe = moe;
        this.t = t;
        this.d = d;
        this.capacity = moe.capacity(t, inference);
    }

    /**
     * Output columns after the vocabulary: the weighted balance loss (trained on), then per MoE block
     * (reported only) its balance loss, its E expert loads (share of first choices) and its dropped share.
     */
    static int extraColumns(Moe moe, int layers) {
        return moe.enabled() ? 1 + moe.moeBlocks(layers) * statisticsPerBlock(moe) : 0;
    }

    static int statisticsPerBlock(Moe moe) {
        return moe.experts() + 2;
    }

    /** The routing of one block, for x [b, T, d]: combine weights and dispatch, both [b, T, E·C]. */
    record Routing(SDVariable dispatch, SDVariable combine, SDVariable balanceLoss, SDVariable load, SDVariable dropped) {
    }

    Routing route(SDVariable x, String gateW) {
        int e = moe.experts();
        long slots = (long) e * capacity;
        SDVariable gates = sd.nn.softmax(sd.reshape(sd.mmul(sd.reshape(x, -1, d), w.get(gateW)), -1, t, e), 2); // [b, T, E]
        SDVariable remaining = constant(gates);
        SDVariable before = null; // [b, 1, E]: choices already placed in each expert
        SDVariable dispatch = null;
        SDVariable combine = null;
        SDVariable kept = null;
        SDVariable firstChoice = null;
        List<SDVariable> g = new ArrayList<>();
        List<SDVariable> slot = new ArrayList<>();
        for (int j = 0; j < moe.topK(); j++) {
            SDVariable idx = sd.argmax(remaining, 2); // [b, T]
            SDVariable mask = sd.oneHot(idx, e, -1, 1.0, 0.0, gates.dataType()); // [b, T, E]
            boolean last = j == moe.topK() - 1; // nothing computed after the last choice: SameDiff takes a dangling output for a loss
            if (!last) {
                remaining = remaining.sub(mask.mul(2.0)); // gates are ≤ 1: a chosen expert is never chosen again
            }
            firstChoice = firstChoice == null ? mask : firstChoice;
            SDVariable location = sd.cumsum(mask, false, false, 1).sub(1.0);
            if (before != null) {
                location = location.add(before);
            }
            if (!last) {
                before = before == null ? mask.sum(true, 1) : before.add(mask.sum(true, 1));
            }
            SDVariable position = location.mul(mask).sum(false, 2); // [b, T]: the token's slot within its expert
            SDVariable keep = sd.lt(position, (double) capacity).castTo(gates.dataType());
            // slot index in [0, E·C), or E·C (a column cut off below) for a dropped choice
            SDVariable s = keep.mul(idx.castTo(gates.dataType()).mul(capacity).add(position)).add(keep.rsub(1.0).mul(slots));
            slot.add(sd.oneHot(s.castTo(DataType.INT), (int) slots + 1, -1, 1.0, 0.0, gates.dataType()));
            g.add(gates.mul(mask).sum(false, 2)); // [b, T], differentiable through the gates
            kept = kept == null ? keep : kept.add(keep);
        }
        SDVariable norm = moe.topK() > 1 ? sum(g) : null;
        for (int j = 0; j < moe.topK(); j++) {
            SDVariable oneHot = sd.stridedSlice(slot.get(j), new long[]{0, 0, 0}, new long[]{0, 0, slots}, new long[]{1, 1, 1}, 3, 3, 0, 0, 0);
            SDVariable weight = norm == null ? g.get(j) : g.get(j).div(norm);
            SDVariable c = oneHot.mul(sd.reshape(weight, -1, t, 1));
            dispatch = dispatch == null ? oneHot : dispatch.add(oneHot);
            combine = combine == null ? c : combine.add(c);
        }
        SDVariable meanGate = gates.mean(0, 1); // [E]
        SDVariable load = firstChoice.mean(0, 1); // [E]
        // shapes [1], not scalars: DL4J's SameDiff memory manager cannot allocate the empty shape array of a scalar's gradient
        SDVariable balance = meanGate.mul(load).mean(true, 0).mul((double) e * e);
        SDVariable dropped = sd.reshape(kept.mean(true, 0, 1).rsub((double) moe.topK()).div((double) moe.topK()), 1);
        return new Routing(dispatch, combine, balance, load, dropped);
    }

    /** x [b, T, d] → [b, T, d]: the experts' weighted outputs, 0 where a token's choices were all dropped. */
    SDVariable apply(SDVariable x, Gpt2Params p, java.util.function.UnaryOperator<SDVariable> activationAndNorm) {
        int e = moe.experts();
        Routing r = route(x, p.gateW());
        balanceLosses.add(r.balanceLoss());
        statistics.add(sd.concat(0, r.balanceLoss(), r.load(), r.dropped()));
        SDVariable in = sd.mmul(r.dispatch(), x, true, false, false); // [b, E·C, d]
        in = sd.reshape(sd.permute(sd.reshape(in, -1, e, capacity, d), 1, 0, 2, 3), e, -1, d); // [E, b·C, d]
        SDVariable h = sd.mmul(in, w.get(p.expertFcW())).add(sd.reshape(w.get(p.expertFcB()), e, 1, 4L * d));
        SDVariable y = sd.mmul(activationAndNorm.apply(h), w.get(p.expertFc2W())).add(sd.reshape(w.get(p.expertFc2B()), e, 1, d)); // [E, b·C, d]
        y = sd.reshape(sd.permute(sd.reshape(y, e, -1, capacity, d), 1, 0, 2, 3), -1, (long) e * capacity, d); // [b, E·C, d]
        return sd.mmul(r.combine(), y); // [b, T, d]
    }

    /** [1, extraColumns]: the weighted sum of the blocks' balance losses, then each block's statistics. */
    SDVariable extras() {
        SDVariable weighted = sum(balanceLosses).mul(moe.balanceWeight());
        List<SDVariable> parts = new ArrayList<>();
        parts.add(weighted);
        for (SDVariable s : statistics) {
            parts.add(constant(s)); // reported, not trained on
        }
        return sd.reshape(sd.concat(0, parts.toArray(SDVariable[]::new)), 1, -1);
    }

    private SDVariable constant(SDVariable a) {
        return new StopGradient(sd, a).outputVariable();
    }

    private static SDVariable sum(List<SDVariable> xs) {
        SDVariable s = xs.get(0);
        for (int i = 1; i < xs.size(); i++) {
            s = s.add(xs.get(i));
        }
        return s;
    }
}
