package io.lmforge.training.pbt;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One member of the population between two ready points: its searched hyperparameters, its
 * parameters (as a checkpoint holds them: schedule-free's x), its optimiser state, its step count,
 * and its latest held-out score (bits per byte; NaN before it was first scored).
 */
public record Member(int id, Map<String, Double> hyper, float[] params, float[] inner, int iteration, double score) implements Serializable {
    public Member {
        hyper = new LinkedHashMap<>(hyper);
    }

    /** This member continuing from {@code parent}'s weights, state and step with {@code hyper} (exploit + explore). */
    public Member copyOf(Member parent, Map<String, Double> newHyper) {
        return new Member(id, newHyper, parent.params.clone(), parent.inner.clone(), parent.iteration, parent.score);
    }
}
