package io.lmforge.core.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The _MANIFEST.json written into every committed output directory. Its presence is the commit
 * point: a directory without one is an unfinished run and is never read downstream.
 *
 * @param fingerprint hash of (stage, code version, config hash, inputs): equal means "up to date"
 * @param counts      row counts by outcome and reason (and by language where it helps)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(
        @JsonProperty("stage") String stage,
        @JsonProperty("chunk") String chunk,
        @JsonProperty("code_version") String codeVersion,
        @JsonProperty("config_hash") String configHash,
        @JsonProperty("fingerprint") String fingerprint,
        @JsonProperty("inputs") List<Map<String, Object>> inputs,
        @JsonProperty("outputs") List<String> outputs,
        @JsonProperty("counts") Map<String, Object> counts,
        @JsonProperty("timings_s") Map<String, Double> timingsSeconds,
        @JsonProperty("started_at") String startedAt,
        @JsonProperty("finished_at") String finishedAt) {

    public static final String FILE_NAME = "_MANIFEST.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Manifest fromJson(String json) throws IOException {
        return JSON.readValue(json, Manifest.class);
    }

    /** Convenience for tests and later stages: a nested count, e.g. counts.by_reason.invalid_utf8. */
    @SuppressWarnings("unchecked")
    public long count(String... path) {
        Object cur = counts;
        for (String p : path) {
            if (!(cur instanceof Map)) {
                return 0;
            }
            cur = ((Map<String, Object>) cur).get(p);
        }
        return cur instanceof Number n ? n.longValue() : 0;
    }
}
