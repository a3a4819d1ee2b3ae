package io.lmforge.core.stage;

import io.lmforge.core.dataset.Lineage;

import java.util.Map;

/**
 * What a stage's computation returns to the runner: the counts for its manifest (by outcome and
 * reason, checked by the stage against what it wrote), the lineage facts later stages rely on, and
 * one line for the console.
 */
public record Computed(Map<String, Object> counts, Lineage lineage, String detail) {
    public Computed {
        lineage = lineage == null ? Lineage.NONE : lineage;
    }
}
