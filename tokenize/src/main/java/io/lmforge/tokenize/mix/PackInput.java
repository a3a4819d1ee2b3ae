package io.lmforge.tokenize.mix;

import java.io.Serializable;

/** A sampled document copy in packing order: its stream (bucket) and its tokens. */
public class PackInput implements Serializable {
    private static final long serialVersionUID = 1L;
    private int bucket;
    private int[] tokens;

    public PackInput() {
    }

    public int getBucket() { return bucket; }
    public void setBucket(int v) { bucket = v; }
    public int[] getTokens() { return tokens; }
    public void setTokens(int[] v) { tokens = v; }
}
