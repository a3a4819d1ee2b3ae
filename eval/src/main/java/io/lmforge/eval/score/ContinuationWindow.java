package io.lmforge.eval.score;

import io.lmforge.training.score.TokenWindow;
import java.util.Arrays;

/**
 * log P(continuation | context) as one scoring window, tokenised the way lm-evaluation-harness's
 * HF backend does it, so the numbers compare: trailing whitespace of the context moves to the
 * continuation; the pair is encoded as one string and the continuation is what follows the
 * separately encoded context; an empty context becomes the prefix token; the window keeps the last
 * contextLength + 1 tokens (left truncation) and scores the continuation's tokens.
 */
public final class ContinuationWindow {
    private ContinuationWindow() {
    }

    /** Encodes text to token ids (our BPE encoder; a function so tests can use any tokenizer). */
    public interface Encoder {
        int[] encode(String text);
    }

    public record Pair(int[] context, int[] continuation) {
    }

    public static Pair encode(Encoder enc, String context, String continuation, int prefixToken) {
        int trailing = context.length() - context.stripTrailing().length();
        if (trailing > 0) {
            continuation = context.substring(context.length() - trailing) + continuation;
            context = context.substring(0, context.length() - trailing);
        }
        if (context.isEmpty()) {
            return new Pair(new int[]{prefixToken}, enc.encode(continuation));
        }
        int[] whole = enc.encode(context + continuation);
        int[] ctx = enc.encode(context);
        int cut = Math.min(ctx.length, whole.length);
        return new Pair(ctx, Arrays.copyOfRange(whole, cut, whole.length));
    }

    /** Whether every token of the continuation can be scored in one window of the model's context (the harness's limit). */
    public static boolean fits(Pair p, int contextLength) {
        return p.continuation().length <= contextLength;
    }

    /**
     * The window that scores all of the continuation, the context cut from the left to fit. A continuation
     * longer than the context is refused, never scored truncated (lm-evaluation-harness asserts the same):
     * dropping its first tokens' log-probabilities would make the candidate look likelier than it is.
     */
    public static TokenWindow window(Pair p, int contextLength) {
        int[] cont = p.continuation();
        if (cont.length == 0) {
            throw new IllegalArgumentException("empty continuation: nothing to score");
        }
        if (!fits(p, contextLength)) {
            throw new IllegalArgumentException("continuation of " + cont.length + " tokens does not fit the model's context of "
                    + contextLength + ": it cannot be scored whole");
        }
        int total = p.context().length + cont.length;
        int[] full = new int[total];
        System.arraycopy(p.context(), 0, full, 0, p.context().length);
        System.arraycopy(cont, 0, full, p.context().length, cont.length);
        int start = Math.max(0, total - (contextLength + 1));
        int[] input = Arrays.copyOfRange(full, start, total - 1);
        return new TokenWindow(input, input.length - cont.length, cont);
    }
}
