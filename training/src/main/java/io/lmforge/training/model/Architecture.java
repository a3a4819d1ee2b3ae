package io.lmforge.training.model;

import io.lmforge.core.config.PipelineConfig;

/**
 * What is added to the plain pre-LayerNorm GPT-2 block (train.model.*).
 *
 * <p>NormFormer (Shleifer, Weston, Ott 2021, arXiv 2110.09456, §2): a LayerNorm on the
 * self-attention output before its residual add, a learned scale per attention head applied to each
 * head's output before the output projection (HeadScaleMHA = Concat(γ₁h₁, …, γₙhₙ)Wᴼ), and a
 * LayerNorm after the first feed-forward layer's activation. The optional residual scaling
 * multiplies the feed-forward residual by a learned vector λ_resid (as the authors' fairseq code
 * does: x + λ_resid ⊙ residual). All new gains start at 1 and biases at 0. Mixture-of-Experts
 * feed-forward blocks: {@link Moe}.
 */
public record Architecture(boolean normformer, boolean residualScale, Moe moe) {
    public static final Architecture GPT2 = new Architecture(false, false);

    public Architecture {
        if (residualScale && !normformer) {
            // ConfigRanges refuses this combination when the config loads; here it guards code that builds one directly
            throw new IllegalArgumentException("NormFormer's residual scaling needs NormFormer");
        }
    }

    /** Dense feed-forward blocks. */
    public Architecture(boolean normformer, boolean residualScale) {
        this(normformer, residualScale, Moe.NONE);
    }

    public static Architecture of(PipelineConfig c) {
        return new Architecture(c.getBoolean("train.model.normformer"), c.getBoolean("train.model.normformer-residual-scale"), Moe.of(c));
    }

    /**
     * The name recorded in training_state.json and shown in the console: gpt2, normformer or
     * normformer+resscale, with +moe&lt;experts&gt;top&lt;k&gt; for Mixture-of-Experts blocks.
     */
    public String label() {
        String base = !normformer ? "gpt2" : residualScale ? "normformer+resscale" : "normformer";
        return moe.enabled() ? base + "+moe" + moe.experts() + "top" + moe.topK() : base;
    }
}
