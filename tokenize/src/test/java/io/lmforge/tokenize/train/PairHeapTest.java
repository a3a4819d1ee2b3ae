package io.lmforge.tokenize.train;

import org.junit.jupiter.api.Test;

import java.util.PriorityQueue;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PairHeapTest {
    @Test
    void popsInTheOrderOfAComparatorQueueHighestCountThenSmallerPair() {
        PairHeap heap = new PairHeap();
        PriorityQueue<long[]> reference = new PriorityQueue<>((x, y) -> x[0] != y[0] ? Long.compare(y[0], x[0]) : Long.compare(x[1], y[1]));
        SplittableRandom rnd = new SplittableRandom(7);
        int popped = 0;
        for (int step = 0; step < 200_000; step++) {
            if (reference.isEmpty() || rnd.nextInt(3) > 0) {
                long count = rnd.nextInt(50); // many equal counts: the pair decides
                long pair = (long) rnd.nextInt(300) << 32 | rnd.nextInt(300);
                heap.push(count, pair);
                reference.add(new long[]{count, pair});
            } else {
                long[] expected = reference.poll();
                assertEquals(expected[0], heap.topCount());
                assertEquals(expected[1], heap.topPair());
                heap.pop();
                popped++;
            }
            assertEquals(reference.isEmpty(), heap.isEmpty());
        }
        assertTrue(popped > 50_000);
    }
}
