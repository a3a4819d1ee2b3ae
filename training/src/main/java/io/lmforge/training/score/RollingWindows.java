package io.lmforge.training.score;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A document's tokens as scoring windows exactly as lm-evaluation-harness's loglikelihood_rolling
 * cuts them (context_len 1, made disjoint): every token is scored once; the first window starts
 * after a prefix token (end-of-text); each further window scores the next T tokens seeing only
 * the one token before them, except the last, shorter one, which slides back to fill the context
 * with earlier tokens. Same cut, same bits-per-byte as the harness for the same model.
 */
public final class RollingWindows {
    private RollingWindows() {
    }

    public static List<TokenWindow> of(int[] tokens, int prefixToken, int contextLength) {
        List<TokenWindow> out = new ArrayList<>();
        int n = tokens.length;
        if (n == 0) {
            return out;
        }
        // full[0] = prefix, full[i + 1] = tokens[i]; token i is predicted from full[.. i]
        int[] full = new int[n + 1];
        full[0] = prefixToken;
        System.arraycopy(tokens, 0, full, 1, n);
        int first = Math.min(contextLength, n);
        out.add(new TokenWindow(Arrays.copyOfRange(full, 0, first), 0, Arrays.copyOfRange(tokens, 0, first)));
        int predicted = first;
        while (predicted < n) {
            int len = Math.min(n - predicted, contextLength);
            int end = predicted + len; // exclusive, in token indices
            int start = end - contextLength; // input = full[start + 1 - 1 .. end - 1] = tokens' predecessors
            int[] input = Arrays.copyOfRange(full, start, end);
            out.add(new TokenWindow(input, contextLength - len, Arrays.copyOfRange(tokens, predicted, end)));
            predicted = end;
        }
        return out;
    }
}
