package io.lmforge.core.dataset;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.util.List;

/**
 * training_state.json of a checkpoint (models/&lt;run&gt;/chunk=ID/): what a model is, without loading
 * it. Written by train, read by train (to continue), eval and export-hf.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ModelHeader(@JsonProperty("step") long step,
                          @JsonProperty("tokens_seen") long tokensSeen,
                          @JsonProperty("chunks") List<String> chunks,
                          @JsonProperty("continued_from") String continuedFrom,
                          @JsonProperty("seed") long seed,
                          @JsonProperty("replayed_sequences") long replayedSequences,
                          @JsonProperty("replayed_from") List<String> replayedFrom,
                          @JsonProperty("tokenizer_version") String tokenizerVersion,
                          @JsonProperty("seq_len") int seqLen,
                          @JsonProperty("vocab_size") int vocabSize,
                          @JsonProperty("parameters") long parameters,
                          @JsonProperty("architecture") String architecture) {
    public static final String FILE_NAME = "training_state.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The block variant (train.model.normformer…); checkpoints written before it was recorded are plain GPT-2. */
    public String architectureOrGpt2() {
        return architecture == null ? "gpt2" : architecture;
    }

    public static ModelHeader fromJson(String json) throws IOException {
        return JSON.readValue(json, ModelHeader.class);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
