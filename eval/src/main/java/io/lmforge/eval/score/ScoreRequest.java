package io.lmforge.eval.score;

import java.io.Serializable;

/** log P(continuation | context) wanted for request {@code id}. */
public record ScoreRequest(long id, String context, String continuation) implements Serializable {
}
