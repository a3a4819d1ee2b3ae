package io.lmforge.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * `bin/bench train pbt [--root DIR] [--rounds N]`: Population Based Training against random search,
 * the comparison of Jaderberg et al. 2017: the same population size (4), the same priors over the
 * learning rate and weight decay, the same data and tokens (every member trains every round of every
 * chunk); random search is the same population with exploit = none (members never copy each other,
 * each keeps its first draw). Both run through the real train and eval stages on the sample's three
 * chunks in arrival order; the table has the best member's held-out bits per byte after each chunk
 * (eval's fixed held-out set) and the cumulative bits per byte (mean over chunks), random search
 * being the baseline of the ratio. A single model at the demo's hand-set hyperparameters (one worker,
 * a quarter of the tokens) is shown for reference.
 */
public final class PbtBench {
    private PbtBench() {
    }

    static List<FamiliesBench.Variant> variants() {
        List<String> population = List.of("train.mode=pbt", "train.pbt.population=4", "train.pbt.ready-rounds=2",
                "train.pbt.hyperparameters.learning-rate=[1e-3, 2e-2]", "train.pbt.hyperparameters.weight-decay=[0.0, 0.2]");
        List<String> random = new ArrayList<>(population);
        random.add("train.pbt.exploit=none");
        return List.of(new FamiliesBench.Variant("random-search-4", random), new FamiliesBench.Variant("pbt-4", population),
                new FamiliesBench.Variant("single-demo-hyperparameters", List.of("train.workers=1")));
    }

    public static void main(String[] args) throws Exception {
        FamiliesBench.compare(args, "pbt", variants());
    }
}
