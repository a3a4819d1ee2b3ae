package io.lmforge.tokenize.bpe;

import java.util.Arrays;

/** Binary min-heap of primitive longs (merge candidates packed as rank << 32 | position). */
final class LongMinHeap {
    private long[] h = new long[64];
    private int size;

    void clear() {
        size = 0;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void push(long v) {
        if (size == h.length) {
            h = Arrays.copyOf(h, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (h[parent] <= v) {
                break;
            }
            h[i] = h[parent];
            i = parent;
        }
        h[i] = v;
    }

    long pop() {
        long top = h[0];
        long last = h[--size];
        int i = 0;
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            if (child + 1 < size && h[child + 1] < h[child]) {
                child++;
            }
            if (last <= h[child]) {
                break;
            }
            h[i] = h[child];
            i = child;
        }
        if (size > 0) {
            h[i] = last;
        }
        return top;
    }
}
