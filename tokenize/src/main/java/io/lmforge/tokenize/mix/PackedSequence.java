package io.lmforge.tokenize.mix;

import java.io.Serializable;

/** One training sequence of seq_len + 1 tokens (bean: tokens stay a primitive int[] in Spark). */
public class PackedSequence implements Serializable {
    private static final long serialVersionUID = 1L;
    private long seqId;
    private int[] tokens;

    public PackedSequence() {
    }

    public PackedSequence(long seqId, int[] tokens) {
        this.seqId = seqId;
        this.tokens = tokens;
    }

    public long getSeqId() { return seqId; }
    public void setSeqId(long v) { seqId = v; }
    public int[] getTokens() { return tokens; }
    public void setTokens(int[] v) { tokens = v; }
}
