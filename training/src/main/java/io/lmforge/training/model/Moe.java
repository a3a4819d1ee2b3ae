package io.lmforge.training.model;

import io.lmforge.core.config.ConfigError;
import io.lmforge.core.config.PipelineConfig;

/**
 * Mixture-of-Experts feed-forward blocks (train.model.moe.*): Artetxe et al. 2021 ("Efficient Large
 * Scale Language Modeling with Mixtures of Experts", arXiv 2112.10684) with GShard's top-2 gating
 * (Lepikhin et al. 2020, Algorithm 1). {@code experts = 0}: dense.
 *
 * @param experts        experts per MoE block (0 = no MoE)
 * @param topK           experts per token (GShard: 2; 1 = Switch-style, the gate probability itself weighs the expert)
 * @param every          every how many blocks one is MoE: block i when (i + 1) % every == 0 (fairseq's moe-freq)
 * @param capacityFactor expert capacity per sequence C = ceil(capacityFactor · topK · T / experts)
 * @param balanceWeight  weight of the load-balancing loss added to the LM loss
 */
public record Moe(int experts, int topK, int every, double capacityFactor, double balanceWeight) {
    public static final Moe NONE = new Moe(0, 2, 2, 1.0, 0.01);

    public Moe {
        if (experts > 0 && (topK < 1 || topK > experts)) {
            throw new ConfigError("train.model.moe.top-k must be between 1 and train.model.moe.experts (" + experts + "), got " + topK);
        }
    }

    /** From train.model.moe.*; {@link #NONE} when there are no experts (the other keys then mean nothing). */
    public static Moe of(PipelineConfig c) {
        if (c.getInt("train.model.moe.experts") == 0) {
            return NONE;
        }
        return new Moe(c.getInt("train.model.moe.experts"), c.getInt("train.model.moe.top-k"), c.getInt("train.model.moe.every"),
                c.getDouble("train.model.moe.capacity-factor"), c.getDouble("train.model.moe.balance-loss-weight"));
    }

    public boolean enabled() {
        return experts > 0;
    }

    public boolean isMoeBlock(int block) {
        return enabled() && (block + 1) % every == 0;
    }

    /** Slots per expert per sequence of {@code t} tokens; at inference every token keeps its experts (no drops: scores do not depend on the batch). */
    public int capacity(int t, boolean inference) {
        return inference ? t : (int) Math.ceil(capacityFactor * topK * t / experts);
    }

    public int moeBlocks(int layers) {
        int n = 0;
        for (int i = 0; i < layers; i++) {
            n += isMoeBlock(i) ? 1 : 0;
        }
        return n;
    }
}
