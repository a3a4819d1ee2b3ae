package io.lmforge.training.rounds;

import java.io.Serializable;

/**
 * One packed training sequence with its place in the averaging schedule: the round, the inner step
 * within that round (one minibatch per step), and its global order (ties within a minibatch).
 * The worker is the partition the row lives in.
 */
public record RoundRow(int round, int step, long order, int[] tokens) implements Serializable {
}
