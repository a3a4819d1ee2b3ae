package io.lmforge.eval.task;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PythonRandomTest {
    /**
     * Recorded from CPython 3.11 (the same in 3.12/3.13):
     * {@code r = random.Random(seed); r.sample(range(100), 4), r.sample(range(20), 8), r.sample(range(1000), 9), r.getrandbits(32)}:
     * both branches of sample() (rejection for 100 and 1000, the pool swap for 20 with k = 8) and the generator after them.
     */
    @Test
    void samplesAsCPython() {
        check(1234, new int[]{99, 56, 14, 0}, new int[]{2, 18, 1, 19, 3, 12, 5, 15}, new int[]{17, 31, 807, 16, 354, 663, 638, 495, 630}, 1990923381L);
        check(0, new int[]{49, 97, 53, 5}, new int[]{8, 16, 15, 12, 9, 7, 5, 17}, new int[]{913, 929, 223, 516, 142, 288, 143, 773, 97}, 2655874620L);
        check(7, new int[]{41, 19, 50, 83}, new int[]{1, 2, 17, 3, 11, 9, 0, 8}, new int[]{219, 38, 88, 444, 428, 71, 246, 92, 564}, 1823296038L);
    }

    private static void check(long seed, int[] a, int[] b, int[] c, long bits) {
        PythonRandom r = new PythonRandom(seed);
        assertArrayEquals(a, r.sample(100, 4), "seed " + seed);
        assertArrayEquals(b, r.sample(20, 8), "seed " + seed);
        assertArrayEquals(c, r.sample(1000, 9), "seed " + seed);
        assertEquals(bits, r.getrandbits(32), "seed " + seed);
    }
}
