package io.lmforge.eval.task;

import java.io.Serializable;
import java.util.List;

/**
 * One example of one task, language, k and seed, ready to score: a (context, continuation) pair
 * per candidate, the strings whose lengths normalise acc_norm / acc_bytes (the candidates as the
 * task renders them, as lm-evaluation-harness uses them) and the gold index.
 */
public record FewShotExample(String task, String lang, int k, int seed, int docIndex, List<String> contexts, List<String> continuations,
                             List<String> normTexts, int gold) implements Serializable {
    public String key() {
        return task + "_" + lang;
    }
}
