package io.lmforge.core.dataset;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The _MANIFEST.json inside every output directory of a stage run: what made it (stage, code,
 * config, inputs), what is in it (counts by outcome and reason) and its lineage. A manifest alone
 * does not make a dataset readable: the run's commit marker does ({@link Manifests#read}).
 *
 * @param fingerprint hash of (stage, scope, code version, declared config, inputs): equal means "up to date"
 * @param runId       the stage run that wrote it; its commit marker carries the same id
 * @param commit      where that run's commit marker lives, relative to this directory ("." for the primary output)
 * @param counts      row counts by outcome and reason (and by language where it helps)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(
        @JsonProperty("stage") String stage,
        @JsonProperty("chunk") String chunk,
        @JsonProperty("code_version") String codeVersion,
        @JsonProperty("config_hash") String configHash,
        @JsonProperty("fingerprint") String fingerprint,
        @JsonProperty("run_id") String runId,
        @JsonProperty("commit") String commit,
        @JsonProperty("lineage") Lineage lineage,
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

    /** Never null: a manifest without lineage has none of its facts. */
    public Lineage lineageOrNone() {
        return lineage == null ? Lineage.NONE : lineage;
    }

    /** This manifest for another output of the same run: only the commit pointer differs. */
    public Manifest withCommit(String relativeCommit) {
        return new Manifest(stage, chunk, codeVersion, configHash, fingerprint, runId, relativeCommit, lineage, inputs, outputs, counts,
                timingsSeconds, startedAt, finishedAt);
    }

    /** A nested count, e.g. count("by_reason", "invalid_utf8"); 0 when absent. */
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
