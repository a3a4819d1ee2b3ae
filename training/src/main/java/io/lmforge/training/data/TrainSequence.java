package io.lmforge.training.data;

import java.io.Serializable;

/** A packed sequence of mix/train as a bean: Spark decodes array&lt;int&gt; straight into int[] (no per-token boxing). */
public class TrainSequence implements Serializable {
    private static final long serialVersionUID = 1L;
    private long seqId;
    private int[] tokens;

    public long getSeqId() { return seqId; }
    public void setSeqId(long v) { seqId = v; }
    public int[] getTokens() { return tokens; }
    public void setTokens(int[] v) { tokens = v; }
}
