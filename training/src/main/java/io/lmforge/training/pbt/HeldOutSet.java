package io.lmforge.training.pbt;

import io.lmforge.training.score.LmScorer;
import io.lmforge.training.score.RollingWindows;
import io.lmforge.training.score.TokenWindow;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The held-out documents a member is scored on, and the scoring: every token once, in the eval
 * stage's rolling windows (lm-evaluation-harness's loglikelihood_rolling), summed negative
 * log-likelihood over summed UTF-8 bytes: bits per byte over all the documents' languages together.
 */
public record HeldOutSet(List<int[]> tokens, long bytes, int prefixToken) implements Serializable {

    public int documents() {
        return tokens.size();
    }

    public double bitsPerByte(ComputationGraph net, int batchSize) {
        LmScorer scorer = new LmScorer(net, batchSize);
        List<TokenWindow> windows = new ArrayList<>();
        for (int[] doc : tokens) {
            windows.addAll(RollingWindows.of(doc, prefixToken, scorer.contextLength()));
        }
        double nll = 0;
        for (double ll : scorer.logLikelihoods(windows)) {
            nll -= ll;
        }
        return nll / Math.log(2) / bytes;
    }
}
