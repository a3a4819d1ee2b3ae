package io.lmforge.dedup.minhash;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * MinHash with the universal family h_i(x) = (a_i * x + b_i) mod (2^61 - 1), a_i, b_i drawn from
 * a seeded generator (the family datatrove and text-dedup use), over 64-bit shingle hashes. The
 * same seed gives the same permutations on every executor and every run, which is what lets
 * signatures persisted for earlier chunks be compared with new ones.
 */
public final class MinHasher implements Serializable {
    private static final long serialVersionUID = 1L;
    static final long P = (1L << 61) - 1;
    private final long[] a;
    private final long[] b;

    public MinHasher(int numPermutations, long seed) {
        a = new long[numPermutations];
        b = new long[numPermutations];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < numPermutations; i++) {
            a[i] = 1 + rnd.nextLong(P - 1);
            b[i] = rnd.nextLong(P);
        }
    }

    public int size() {
        return a.length;
    }

    /** The signature of a set of shingle hashes; null for an empty set (nothing to compare). */
    public long[] signature(long[] shingles) {
        if (shingles.length == 0) {
            return null;
        }
        long[] sig = new long[a.length];
        java.util.Arrays.fill(sig, Long.MAX_VALUE);
        for (long s : shingles) {
            long x = mod(s);
            for (int i = 0; i < a.length; i++) {
                // one reduction per hash: the partial product is below 2^62 and b below 2^61, so the sum fits
                long h = mod(mulModPartial(a[i], x) + b[i]);
                if (h < sig[i]) {
                    sig[i] = h;
                }
            }
        }
        return sig;
    }

    /**
     * A value below 2^62 congruent to a * x mod 2^61-1 for a, x < 2^61, from the 122-bit product
     * (2^61 = 1 mod 2^61-1: the product's high bits add to its low 61).
     */
    static long mulModPartial(long a, long x) {
        long lo = a * x;
        long hi = Math.multiplyHigh(a, x);
        return (lo & P) + ((lo >>> 61) | (hi << 3));
    }

    /** v mod 2^61-1, v read as unsigned (2^61 = 1: the top three bits add to the low 61). */
    static long mod(long v) {
        long r = (v & P) + (v >>> 61);
        return r >= P ? r - P : r;
    }

    /** Fraction of equal components: an unbiased estimate of the Jaccard similarity. */
    public static double estimatedJaccard(long[] s1, long[] s2) {
        if (s1 == null || s2 == null || s1.length != s2.length) {
            return 0.0;
        }
        int eq = 0;
        for (int i = 0; i < s1.length; i++) {
            if (s1[i] == s2[i]) {
                eq++;
            }
        }
        return eq / (double) s1.length;
    }
}
