package io.lmforge.ingest.read;

import io.lmforge.core.config.ConfigError;

import java.util.Locale;

/** Raw input formats and how `auto` picks one from a file name. */
public enum InputFormat {
    JSONL, TEXT, PARQUET, WET, WARC;

    public static InputFormat fromConfig(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("auto")) {
            return null;
        }
        for (InputFormat f : values()) {
            if (f.name().toLowerCase(Locale.ROOT).equals(v)) {
                return f;
            }
        }
        throw new ConfigError("config key 'ingest.input.format' must be one of auto|jsonl|text|parquet|wet|warc, got '" + value + "'");
    }

    /** Format by extension (compression suffixes ignored), or null when the name says nothing. */
    public static InputFormat fromFileName(String name) {
        String n = Compression.stripSuffix(name.toLowerCase(Locale.ROOT));
        if (n.endsWith(".jsonl") || n.endsWith(".json") || n.endsWith(".ndjson")) {
            return JSONL;
        }
        if (n.endsWith(".txt") || n.endsWith(".text")) {
            return TEXT;
        }
        if (n.endsWith(".parquet")) {
            return PARQUET;
        }
        if (n.endsWith(".wet") || n.endsWith(".warc.wet")) {
            return WET;
        }
        if (n.endsWith(".warc") || n.endsWith(".arc")) {
            return WARC;
        }
        return null;
    }
}
