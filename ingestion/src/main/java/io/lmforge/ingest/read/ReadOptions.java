package io.lmforge.ingest.read;

import io.lmforge.core.config.PipelineConfig;

import java.io.Serializable;

/** The ingest.input.* settings readers need on executors. */
public record ReadOptions(String textField, String urlField, int maxRecordBytes) implements Serializable {
    public static ReadOptions from(PipelineConfig c) {
        long max = c.getLong("ingest.input.max-record-bytes");
        if (max < 1024 || max > Integer.MAX_VALUE - 64) {
            throw new io.lmforge.core.config.ConfigError("config key 'ingest.input.max-record-bytes' must be between 1024 and 2147483583, got " + max);
        }
        return new ReadOptions(c.getString("ingest.input.text-field"), c.getString("ingest.input.url-field"), (int) max);
    }
}
