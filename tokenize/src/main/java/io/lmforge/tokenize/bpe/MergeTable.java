package io.lmforge.tokenize.bpe;

import java.io.Serializable;

/**
 * Merge lookup for the encoder's inner loop: (left id, right id) -> (rank, merged id), an
 * open-addressing table over primitive longs. Hand-written because a HashMap&lt;Long, ...&gt;
 * would box two objects per lookup, and the encoder does one lookup per adjacent pair.
 */
public final class MergeTable implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final long EMPTY = -1L;
    private final long[] keys;
    private final long[] values;
    private final int mask;
    private int size;

    public MergeTable(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[cap];
        values = new long[cap];
        java.util.Arrays.fill(keys, EMPTY);
        mask = cap - 1;
    }

    public static long pair(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29)) & mask;
    }

    /** Adds a merge; a pair that already has one keeps its first (lower) rank. */
    public void put(int left, int right, int rank, int mergedId) {
        long key = pair(left, right);
        int i = slot(key, mask);
        while (keys[i] != EMPTY) {
            if (keys[i] == key) {
                return;
            }
            i = (i + 1) & mask;
        }
        if (++size * 2 > keys.length) {
            throw new IllegalStateException("MergeTable sized for fewer merges than added");
        }
        keys[i] = key;
        values[i] = ((long) rank << 32) | (mergedId & 0xFFFFFFFFL);
    }

    /** (rank << 32 | merged id) for the pair, or -1 when the pair never merges. */
    public long get(int left, int right) {
        long key = pair(left, right);
        int i = slot(key, mask);
        while (true) {
            long k = keys[i];
            if (k == key) {
                return values[i];
            }
            if (k == EMPTY) {
                return -1L;
            }
            i = (i + 1) & mask;
        }
    }

    public int size() {
        return size;
    }
}
