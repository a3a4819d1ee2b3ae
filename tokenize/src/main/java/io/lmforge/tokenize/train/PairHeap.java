package io.lmforge.tokenize.train;

import java.util.Arrays;

/**
 * Max-heap of merge candidates (count, pair key) in two primitive arrays: highest count first, then
 * the smaller pair key. java.util.PriorityQueue of long[] entries with a comparator was 40 % of the
 * merge loop (an object and an indirect compare per entry).
 */
final class PairHeap {
    private long[] counts = new long[1024];
    private long[] pairs = new long[1024];
    private int size;

    boolean isEmpty() {
        return size == 0;
    }

    void push(long count, long pair) {
        if (size == counts.length) {
            counts = Arrays.copyOf(counts, size * 2);
            pairs = Arrays.copyOf(pairs, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(count, pair, counts[parent], pairs[parent])) {
                break;
            }
            counts[i] = counts[parent];
            pairs[i] = pairs[parent];
            i = parent;
        }
        counts[i] = count;
        pairs[i] = pair;
    }

    long topCount() {
        return counts[0];
    }

    long topPair() {
        return pairs[0];
    }

    void pop() {
        long count = counts[--size];
        long pair = pairs[size];
        int i = 0;
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && before(counts[right], pairs[right], counts[child], pairs[child])) {
                child = right;
            }
            if (!before(counts[child], pairs[child], count, pair)) {
                break;
            }
            counts[i] = counts[child];
            pairs[i] = pairs[child];
            i = child;
        }
        counts[i] = count;
        pairs[i] = pair;
    }

    private static boolean before(long countA, long pairA, long countB, long pairB) {
        return countA != countB ? countA > countB : pairA < pairB;
    }
}
