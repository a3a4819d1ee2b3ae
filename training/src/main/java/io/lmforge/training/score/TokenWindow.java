package io.lmforge.training.score;

import java.io.Serializable;

/**
 * One forward pass worth of scoring: the model reads {@code input} (at most the context length);
 * positions {@code from .. from + targets.length - 1} are scored, position p against
 * {@code targets[p - from]} (the token that follows input[p]).
 */
public record TokenWindow(int[] input, int from, int[] targets) implements Serializable {
    public TokenWindow {
        if (from < 0 || from + targets.length > input.length) {
            throw new IllegalArgumentException("scored positions " + from + ".." + (from + targets.length - 1) + " outside an input of " + input.length);
        }
    }
}
