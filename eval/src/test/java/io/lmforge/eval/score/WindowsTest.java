package io.lmforge.eval.score;

import io.lmforge.training.score.TokenWindow;
import io.lmforge.training.score.RollingWindows;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WindowsTest {
    private static final int PREFIX = 0;

    @Test
    void rollingWindowsScoreEveryTokenOnceAfterItsTrueHistory() {
        int t = 8;
        for (int n : new int[]{1, 7, 8, 9, 16, 17, 30}) {
            int[] tokens = new int[n];
            for (int i = 0; i < n; i++) {
                tokens[i] = 100 + i; // token i is 100 + i, so its predecessor is 99 + i (prefix for i = 0)
            }
            List<TokenWindow> ws = RollingWindows.of(tokens, PREFIX, t);
            int scored = 0;
            for (TokenWindow w : ws) {
                assertTrue(w.input().length <= t);
                for (int j = 0; j < w.targets().length; j++) {
                    int p = w.from() + j;
                    int target = w.targets()[j];
                    assertEquals(100 + scored, target, "tokens scored in order, once each (n=" + n + ")");
                    for (int q = 0; q <= p; q++) { // the window up to p is the target's true history
                        int idx = scored - (p - q);
                        assertEquals(idx == 0 ? PREFIX : 100 + idx - 1, w.input()[q]);
                    }
                    scored++;
                }
            }
            assertEquals(n, scored);
            for (TokenWindow w : ws.subList(1, ws.size())) {
                assertEquals(t, w.input().length, "windows after the first are full: the last one slides back over earlier tokens");
            }
        }
    }

    @Test
    void continuationTakesTheContextsTrailingSpaceTheContextIsCutFromTheLeftAndAnOverlongContinuationIsRefused() {
        ContinuationWindow.Encoder chars = s -> s.chars().toArray(); // one token per char
        ContinuationWindow.Pair p = ContinuationWindow.encode(chars, "abc ", "de", PREFIX);
        assertArrayEquals("abc".chars().toArray(), p.context());
        assertArrayEquals(" de".chars().toArray(), p.continuation());
        TokenWindow w = ContinuationWindow.window(p, 16);
        assertArrayEquals("abc d".chars().toArray(), w.input());
        assertEquals(2, w.from());
        assertArrayEquals(" de".chars().toArray(), w.targets());

        TokenWindow cut = ContinuationWindow.window(ContinuationWindow.encode(chars, "0123456789", "xy", PREFIX), 4);
        assertArrayEquals("789x".chars().toArray(), cut.input(), "keeps the last T + 1 tokens, minus the final one");
        assertArrayEquals("xy".chars().toArray(), cut.targets());
        assertEquals(2, cut.from());

        ContinuationWindow.Pair empty = ContinuationWindow.encode(chars, "", "ab", PREFIX);
        assertArrayEquals(new int[]{PREFIX}, empty.context(), "an empty context is the prefix token");

        // a continuation as long as the context is scored whole (every token: the window starts at the context's last one)
        TokenWindow whole = ContinuationWindow.window(ContinuationWindow.encode(chars, "0123", "wxyz", PREFIX), 4);
        assertArrayEquals("3wxy".chars().toArray(), whole.input());
        assertArrayEquals("wxyz".chars().toArray(), whole.targets());
        // one token longer: refused, never scored truncated (the harness asserts len(continuation) <= max_length)
        ContinuationWindow.Pair longer = ContinuationWindow.encode(chars, "0123", "vwxyz", PREFIX);
        assertFalse(ContinuationWindow.fits(longer, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ContinuationWindow.window(longer, 4));
        assertTrue(e.getMessage().contains("5 tokens"), e.getMessage());
    }
}
