package io.lmforge.core.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmforge.core.config.ConfigError;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * What stages need from a committed tokenizer/&lt;version&gt;/ without the BPE machinery: the raw
 * tokenizer.json, the vocabulary size (highest id + 1), the special tokens' ids, and the bos/eos/pad
 * tokens of tokenizer_config.json. The one place tokenizer files are read by hand.
 */
public final class TokenizerHeader {
    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String version;
    private final String json;
    private final JsonNode config;
    private final int vocabSize;
    private final Map<String, Integer> specialIds = new TreeMap<>();

    private TokenizerHeader(String version, String json, JsonNode config) throws IOException {
        this.version = version;
        this.json = json;
        this.config = config;
        JsonNode root = JSON.readTree(json);
        int max = -1;
        for (JsonNode id : root.path("model").path("vocab")) {
            max = Math.max(max, id.asInt());
        }
        for (JsonNode a : root.path("added_tokens")) {
            max = Math.max(max, a.path("id").asInt());
            specialIds.put(a.path("content").asText(), a.path("id").asInt());
        }
        this.vocabSize = max + 1;
    }

    public static TokenizerHeader read(FileSystem fs, DatasetLayout layout, String version) throws IOException {
        Path dir = layout.tokenizer(version);
        if (Manifests.read(fs, dir) == null) {
            throw new ConfigError("tokenizer " + version + " is not committed under " + dir);
        }
        Path cfg = new Path(dir, TOKENIZER_CONFIG);
        JsonNode config = fs.exists(cfg) ? JSON.readTree(HadoopFiles.readString(fs, cfg)) : JSON.createObjectNode();
        return new TokenizerHeader(version, HadoopFiles.readString(fs, new Path(dir, TOKENIZER_JSON)), config);
    }

    public String version() {
        return version;
    }

    public String json() {
        return json;
    }

    public int vocabSize() {
        return vocabSize;
    }

    public String configJson() {
        return config.toString();
    }

    /** A special (added) token's id, or -1. */
    public int specialId(String token) {
        return specialIds.getOrDefault(token, -1);
    }

    public String eosToken() {
        return config.path("eos_token").asText("<|endoftext|>");
    }

    public String bosToken() {
        return config.path("bos_token").asText(eosToken());
    }

    public String padToken() {
        return config.path("pad_token").asText(eosToken());
    }

    /** The end-of-text id (the prefix token of scoring windows, the separator of packed documents). */
    public int eosId() {
        int id = specialId(eosToken());
        if (id < 0) {
            throw new ConfigError("tokenizer " + version + " has no end-of-text token '" + eosToken() + "'");
        }
        return id;
    }
}
