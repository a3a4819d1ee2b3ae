package io.lmforge.eval.task;

import org.apache.commons.math3.random.MersenneTwister;

/**
 * CPython's {@code random.Random(seed)} for an integer seed, as far as lm-evaluation-harness's few-shot
 * sampler uses it ({@code rnd.sample(docs, k)}), so our demonstrations are the harness's. The generator is
 * MT19937 (commons-math's port of the reference mt19937ar.c, which CPython also uses): CPython seeds it with
 * init_by_array over the 32-bit words of |seed|, {@code getrandbits(k)} for k ≤ 32 is the next tempered
 * word shifted right by 32 − k, {@code _randbelow(n)} draws bit_length(n) bits until the value is below n,
 * and {@code sample} is Lib/random.py's (3.11+): a pool swap for small populations, rejection of repeats
 * otherwise. Written by hand because no Java library reproduces Python's sample().
 */
public final class PythonRandom {
    private final MersenneTwister mt;

    public PythonRandom(long seed) {
        long n = Math.abs(seed);
        int[] key = n >>> 32 == 0 ? new int[]{(int) n} : new int[]{(int) n, (int) (n >>> 32)};
        this.mt = new MersenneTwister(key);
    }

    /** random.getrandbits(k), 0 < k ≤ 32. */
    long getrandbits(int k) {
        return (mt.nextInt() & 0xffffffffL) >>> (32 - k);
    }

    /** random._randbelow(n) (the getrandbits method), n ≥ 1. */
    int randbelow(int n) {
        int k = 32 - Integer.numberOfLeadingZeros(n);
        long r = getrandbits(k);
        while (r >= n) {
            r = getrandbits(k);
        }
        return (int) r;
    }

    /** The indices random.sample(range(n), k) returns, in selection order. */
    public int[] sample(int n, int k) {
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("Sample larger than population or is negative: k " + k + ", population " + n);
        }
        int[] result = new int[k];
        int setsize = 21;
        if (k > 5) {
            setsize += (int) Math.pow(4, Math.ceil(Math.log(k * 3.0) / Math.log(4)));
        }
        if (n <= setsize) {
            int[] pool = new int[n];
            for (int i = 0; i < n; i++) {
                pool[i] = i;
            }
            for (int i = 0; i < k; i++) {
                int j = randbelow(n - i);
                result[i] = pool[j];
                pool[j] = pool[n - i - 1];
            }
        } else {
            java.util.Set<Integer> selected = new java.util.HashSet<>();
            for (int i = 0; i < k; i++) {
                int j = randbelow(n);
                while (selected.contains(j)) {
                    j = randbelow(n);
                }
                selected.add(j);
                result[i] = j;
            }
        }
        return result;
    }
}
