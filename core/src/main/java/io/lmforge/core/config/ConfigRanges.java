package io.lmforge.core.config;

import com.typesafe.config.Config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Numeric ranges of the configuration, checked when it loads (before Spark starts), one line naming the
 * key: ConfigValidator knows that a key exists and holds a number, this knows which numbers make sense
 * (a model with -3 layers, a probability of 1.5, a width its heads do not divide).
 */
final class ConfigRanges {
    /** The keys checked (a test holds them to the reference, so a renamed key cannot silently escape its range). */
    static java.util.Set<String> keys() {
        return RANGES.keySet();
    }

    private record Range(double min, double max, boolean minInclusive, boolean maxInclusive, boolean integer) {
        boolean holds(double v) {
            return (minInclusive ? v >= min : v > min) && (maxInclusive ? v <= max : v < max) && (!integer || v == Math.rint(v));
        }

        String describe() {
            String kind = integer ? "an integer" : "a number";
            if (max == Double.POSITIVE_INFINITY) {
                return kind + (minInclusive ? " >= " : " > ") + fmt(min);
            }
            return kind + " in " + (minInclusive ? "[" : "(") + fmt(min) + ", " + fmt(max) + (maxInclusive ? "]" : ")");
        }

        private static String fmt(double v) {
            return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
        }
    }

    private static final Range POSITIVE_INT = new Range(1, Double.POSITIVE_INFINITY, true, false, true);
    private static final Range NON_NEGATIVE_INT = new Range(0, Double.POSITIVE_INFINITY, true, false, true);
    private static final Range NON_NEGATIVE = new Range(0, Double.POSITIVE_INFINITY, true, false, false);
    private static final Range POSITIVE = new Range(0, Double.POSITIVE_INFINITY, false, false, false);
    private static final Range FRACTION = new Range(0, 1, true, true, false);
    private static final Range OPEN_FRACTION = new Range(0, 1, true, false, false); // Adam's betas: 1 would never forget

    private static final Map<String, Range> RANGES = new LinkedHashMap<>();

    static {
        for (String k : new String[]{"pipeline.spark.shuffle-partitions", "ingest.input.max-record-bytes",
                "ingest.langid.max-chars", "ingest.output.files-per-lang", "langid.train.max-lines-per-label", "langid.train.ngram-max",
                "langid.train.num-features", "dedup.line.max-repeats", "dedup.fuzzy.ngram-size", "dedup.fuzzy.bands", "dedup.fuzzy.rows",
                "dedup.fuzzy.max-iterations", "dedup.output.files-per-lang", "tokenizer.train.max-words", "tokenizer.train.min-pair-count",
                "tokenize.output.files-per-lang", "mix.pack-buckets", "train.model.layers", "train.model.d-model", "train.model.heads",
                "train.workers", "train.batch-per-worker", "train.averaging-frequency", "train.wait-k", "eval.batch-size", "train.grow.max-layers",
                "train.model.moe.top-k", "train.model.moe.every", "train.pbt.population", "train.pbt.ready-rounds", "train.pbt.heldout-docs"}) {
            RANGES.put(k, POSITIVE_INT);
        }
        for (String k : new String[]{"pipeline.lock-wait-s", "pipeline.progress-interval-s", "ingest.input.repartition", "dedup.line.min-line-chars", "dedup.line.min-doc-chars",
                "dedup.fuzzy.local-components-max-edges",
                "train.max-rounds-per-chunk", "train.grow.layers-per-chunk", "train.model.moe.experts", "train.optimizer.warmup-steps", "train.optimizer.total-steps", "eval.limit",
                "eval.bpb.max-docs-per-language", "eval.partitions"}) {
            RANGES.put(k, NON_NEGATIVE_INT);
        }
        for (String k : new String[]{"train.optimizer.weight-decay", "train.optimizer.clip-norm", "train.optimizer.schedule-free.r",
                "train.optimizer.schedule-free.weight-lr-power", "tokenizer.train.max-upsample", "mix.max-repeats",
                "train.model.moe.balance-loss-weight"}) {
            RANGES.put(k, NON_NEGATIVE);
        }
        for (String k : new String[]{"train.optimizer.learning-rate", "train.optimizer.epsilon", "train.averaging.outer-learning-rate",
                "train.model.moe.capacity-factor"}) {
            RANGES.put(k, POSITIVE);
        }
        for (String k : new String[]{"langid.train.heldout-fraction", "dedup.fuzzy.threshold", "mix.heldout-fraction", "mix.replay.fraction",
                "train.replay.fraction", "train.optimizer.min-lr-ratio", "tokenizer.train.alpha", "mix.alpha", "train.pbt.fraction",
                "train.pbt.resample-probability"}) {
            RANGES.put(k, FRACTION);
        }
        for (String k : new String[]{"train.optimizer.beta1", "train.optimizer.beta2", "train.averaging.outer-momentum"}) {
            RANGES.put(k, OPEN_FRACTION);
        }
        RANGES.put("tokenizer.vocab-size", new Range(258, Double.POSITIVE_INFINITY, true, false, true)); // 256 bytes + end-of-text + padding
        RANGES.put("mix.seq-len", new Range(2, Double.POSITIVE_INFINITY, true, false, true));            // a token and its successor
    }

    private ConfigRanges() {
    }

    /** train.pbt.factors: positive numbers; each train.pbt.hyperparameters.* range: [] or [lo, hi] with 0 <= lo <= hi (0 < lo for the learning rate). */
    private static void checkPbtLists(Config merged) {
        if (merged.hasPath("train.pbt.factors")) {
            List<Double> f = merged.getDoubleList("train.pbt.factors");
            if (f.isEmpty() || f.stream().anyMatch(x -> !(x > 0))) {
                throw new ConfigError("config key 'train.pbt.factors' must be a non-empty list of positive numbers, got " + f);
            }
        }
        if (!merged.hasPath("train.pbt.hyperparameters")) {
            return;
        }
        for (String name : merged.getConfig("train.pbt.hyperparameters").root().keySet()) {
            String key = "train.pbt.hyperparameters." + name;
            List<Double> r = merged.getDoubleList(key);
            boolean lrPositive = !name.equals("learning-rate") || (r.size() == 2 && r.get(0) > 0);
            if (!r.isEmpty() && (r.size() != 2 || !(r.get(0) >= 0 && r.get(0) <= r.get(1)) || !lrPositive)) {
                throw new ConfigError("config key '" + key + "' must be [] (not searched) or [lo, hi] with 0 <= lo <= hi"
                        + (name.equals("learning-rate") ? " and lo > 0" : "") + ", got " + r);
            }
        }
    }

    static void check(Config merged) {
        for (Map.Entry<String, Range> e : RANGES.entrySet()) {
            if (!merged.hasPath(e.getKey())) {
                continue;
            }
            double v = merged.getDouble(e.getKey());
            if (!e.getValue().holds(v)) {
                throw new ConfigError("config key '" + e.getKey() + "' must be " + e.getValue().describe() + ", got " + merged.getValue(e.getKey()).unwrapped());
            }
        }
        if (merged.hasPath("train.model.d-model") && merged.hasPath("train.model.heads")
                && merged.getInt("train.model.d-model") % merged.getInt("train.model.heads") != 0) {
            throw new ConfigError("config keys 'train.model.d-model' (" + merged.getInt("train.model.d-model") + ") and 'train.model.heads' ("
                    + merged.getInt("train.model.heads") + "): the heads must divide the width");
        }
        checkPbtLists(merged);
        if (merged.hasPath("train.model.normformer-residual-scale") && merged.getBoolean("train.model.normformer-residual-scale")
                && !merged.getBoolean("train.model.normformer")) {
            throw new ConfigError("config key 'train.model.normformer-residual-scale' = true needs 'train.model.normformer' = true");
        }
    }
}
