package io.lmforge.core.config;

import com.typesafe.config.Config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys whose value is one of a fixed set of names, and those names: checked when the config loads
 * (before Spark starts), and the one list {@link PipelineConfig#getEnum(String)} reads, so a stage and
 * the check cannot disagree.
 */
final class ConfigEnums {
    private static final Map<String, List<String>> VALUES = new LinkedHashMap<>();

    static {
        VALUES.put("ingest.input.format", List.of("auto", "jsonl", "text", "parquet", "wet", "warc"));
        VALUES.put("ingest.langid.lingua-accuracy", List.of("low", "high"));
        VALUES.put("ingest.filters.stop-words", List.of("lucene", "none"));
        VALUES.put("ingest.output.compression", List.of("zstd", "snappy", "gzip", "lz4", "none", "uncompressed"));
        VALUES.put("langid.train.classifier", List.of("naive-bayes", "logistic-regression"));
        VALUES.put("train.optimizer.kind", List.of("adamw", "schedule-free-adamw"));
        VALUES.put("train.optimizer.schedule", List.of("cosine", "constant", "cosine-per-chunk"));
        VALUES.put("train.optimizer.schedule-free.bias-correction", List.of("paper", "denominator"));
        VALUES.put("train.schedule", List.of("every-chunk", "wait-k"));
        VALUES.put("train.mode", List.of("averaging", "pbt"));
        VALUES.put("train.pbt.exploit", List.of("truncation", "none"));
        VALUES.put("train.pbt.explore", List.of("perturb", "resample"));
        VALUES.put("train.averaging.outer", List.of("none", "nesterov"));
        VALUES.put("train.averaging.inner-state", List.of("averaged", "per-worker", "reset"));
        VALUES.put("train.averaging.inner-lr-scaling", List.of("none", "sqrt-workers"));
        VALUES.put("eval.overlong", List.of("skip", "fail"));
        VALUES.put("eval.fewshot.sampler", List.of("harness", "per-example"));
    }

    private ConfigEnums() {
    }

    static Map<String, List<String>> all() {
        return VALUES;
    }

    static List<String> of(String path) {
        List<String> v = VALUES.get(path);
        if (v == null) {
            throw new IllegalArgumentException("no enum values registered for config key '" + path + "' (ConfigEnums)");
        }
        return v;
    }

    static void check(Config merged) {
        for (Map.Entry<String, List<String>> e : VALUES.entrySet()) {
            if (merged.hasPath(e.getKey()) && find(e.getValue(), merged.getString(e.getKey())) == null) {
                throw new ConfigError("config key '" + e.getKey() + "' must be one of " + String.join("|", e.getValue()) + ", got '"
                        + merged.getString(e.getKey()).trim() + "'");
            }
        }
    }

    static String find(List<String> allowed, String value) {
        for (String a : allowed) {
            if (a.equalsIgnoreCase(value.trim())) {
                return a;
            }
        }
        return null;
    }
}
