package io.lmforge.tokenize.bpe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face tokenizer.json for byte-level BPE, both ways. Writing produces what
 * {@code tokenizers.Tokenizer.from_file} and {@code transformers.PreTrainedTokenizerFast} load;
 * reading accepts ours and HF-trained byte-level BPE files (GPT-2 style ByteLevel pre-tokenizer,
 * or a Split regex + ByteLevel), and refuses anything else with the reason.
 */
public final class HfTokenizerJson {
    /** Bounds on a tokenizer file read from disk: ids (and so the arrays they size) and the JSON itself. */
    static final int MAX_VOCAB = 1 << 21;
    static final int MAX_JSON_CHARS = 256 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private HfTokenizerJson() {
    }

    public static String write(BpeTokenizer tok) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode addedTokens = root.putArray("added_tokens");
        for (int id = 0; id < tok.vocabSize(); id++) {
            if (tok.isAdded(id)) {
                ObjectNode a = addedTokens.addObject();
                a.put("id", id);
                a.put("content", tok.token(id));
                a.put("single_word", false);
                a.put("lstrip", false);
                a.put("rstrip", false);
                a.put("normalized", false);
                a.put("special", true);
            }
        }
        if (tok.normalizer() == null) {
            root.putNull("normalizer");
        } else {
            root.putObject("normalizer").put("type", tok.normalizer());
        }
        PreTokenizer pre = tok.preTokenizer();
        ObjectNode preNode = root.putObject("pre_tokenizer");
        preNode.put("type", "Sequence");
        ArrayNode seq = preNode.putArray("pretokenizers");
        ObjectNode split = seq.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", pre.onigPattern());
        split.put("behavior", "Isolated");
        split.put("invert", false);
        ObjectNode byteLevel = seq.addObject();
        byteLevel.put("type", "ByteLevel");
        byteLevel.put("add_prefix_space", pre.addPrefixSpace());
        byteLevel.put("trim_offsets", true);
        byteLevel.put("use_regex", false);
        root.putNull("post_processor");
        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "ByteLevel");
        decoder.put("add_prefix_space", true);
        decoder.put("trim_offsets", true);
        decoder.put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", tok.ignoreMerges());
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < tok.vocabSize(); id++) {
            if (tok.token(id) != null) { // added tokens too: HF gives an added token missing from the vocab a new id
                vocab.put(tok.token(id), id);
            }
        }
        ArrayNode merges = model.putArray("merges");
        for (int[] m : tok.merges()) {
            merges.add(tok.token(m[0]) + " " + tok.token(m[1])); // byte-level tokens never contain a space
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static BpeTokenizer read(String json) {
        if (json.length() > MAX_JSON_CHARS) {
            throw new IllegalArgumentException("tokenizer.json: " + json.length() + " characters, more than the " + MAX_JSON_CHARS + " a tokenizer may have");
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("tokenizer.json is not valid JSON: " + e.getMessage(), e);
        }
        JsonNode model = root.path("model");
        if (!"BPE".equals(model.path("type").asText(""))) {
            throw new IllegalArgumentException("tokenizer.json: model.type is '" + model.path("type").asText("") + "', only BPE is supported");
        }
        if (model.path("byte_fallback").asBoolean(false) || nonEmpty(model.path("continuing_subword_prefix"))
                || nonEmpty(model.path("end_of_word_suffix")) || (model.hasNonNull("dropout") && model.get("dropout").asDouble() > 0)) {
            throw new IllegalArgumentException("tokenizer.json: only plain byte-level BPE is supported (no byte_fallback, "
                    + "continuing_subword_prefix, end_of_word_suffix or dropout)");
        }
        int size = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = model.path("vocab").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            size = Math.max(size, checkedId(e.getValue(), "vocab entry '" + e.getKey() + "'") + 1);
        }
        for (JsonNode a : root.path("added_tokens")) {
            size = Math.max(size, checkedId(a.path("id"), "added token '" + a.path("content").asText() + "'") + 1);
        }
        if (model.path("merges").size() > size) {
            throw new IllegalArgumentException("tokenizer.json: " + model.path("merges").size() + " merges for a vocabulary of " + size);
        }
        String[] tokens = new String[size];
        boolean[] added = new boolean[size];
        for (Iterator<Map.Entry<String, JsonNode>> it = model.path("vocab").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            tokens[e.getValue().asInt()] = e.getKey();
        }
        for (JsonNode a : root.path("added_tokens")) {
            tokens[a.path("id").asInt()] = a.path("content").asText();
            added[a.path("id").asInt()] = true;
        }
        java.util.Map<String, Integer> ids = new java.util.HashMap<>();
        for (int id = 0; id < size; id++) {
            if (tokens[id] != null && !added[id]) {
                ids.putIfAbsent(tokens[id], id);
            }
        }
        List<int[]> merges = new ArrayList<>();
        for (JsonNode m : model.path("merges")) {
            String left;
            String right;
            if (m.isArray()) {
                left = m.get(0).asText();
                right = m.get(1).asText();
            } else {
                String s = m.asText();
                int sp = s.indexOf(' ');
                if (sp <= 0) {
                    throw new IllegalArgumentException("tokenizer.json: merge '" + s + "' is not 'left right'");
                }
                left = s.substring(0, sp);
                right = s.substring(sp + 1);
            }
            Integer l = ids.get(left);
            Integer r = ids.get(right);
            Integer merged = ids.get(left + right);
            if (l == null || r == null || merged == null) {
                throw new IllegalArgumentException("tokenizer.json: merge '" + left + " " + right + "' uses a token missing from the vocabulary");
            }
            merges.add(new int[]{l, r, merged});
        }
        return new BpeTokenizer(tokens, added, merges.toArray(new int[0][]), preTokenizer(root.path("pre_tokenizer")),
                normalizer(root.path("normalizer")), model.path("ignore_merges").asBoolean(false));
    }

    private static boolean nonEmpty(JsonNode n) {
        return n != null && !n.isNull() && !n.isMissingNode() && !n.asText().isEmpty();
    }

    private static String normalizer(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        String type = n.path("type").asText("");
        if (List.of("NFC", "NFKC", "NFD", "NFKD").contains(type)) {
            return type;
        }
        throw new IllegalArgumentException("tokenizer.json: normalizer '" + type + "' is not supported (null, NFC, NFKC, NFD, NFKD are)");
    }

    /** An id bounded before any array is sized by it: a huge id would otherwise allocate gigabytes. */
    private static int checkedId(JsonNode id, String what) {
        if (!id.isInt() || id.asInt() < 0 || id.asInt() >= MAX_VOCAB) {
            throw new IllegalArgumentException("tokenizer.json: " + what + " has id " + id + ", outside [0, " + MAX_VOCAB + ")");
        }
        return id.asInt();
    }

    private static PreTokenizer preTokenizer(JsonNode n) {
        List<JsonNode> steps = new ArrayList<>();
        if ("Sequence".equals(n.path("type").asText(""))) {
            n.path("pretokenizers").forEach(steps::add);
        } else if (!n.isNull() && !n.isMissingNode()) {
            steps.add(n);
        }
        String pattern = null;
        boolean sawByteLevel = false;
        boolean prefixSpace = false;
        for (JsonNode s : steps) {
            String type = s.path("type").asText("");
            if (type.equals("Split")) {
                if (pattern != null || !"Isolated".equals(s.path("behavior").asText("")) || s.path("invert").asBoolean(false)
                        || !s.path("pattern").has("Regex")) {
                    throw new IllegalArgumentException("tokenizer.json: only one Split pre-tokenizer with a Regex pattern, behavior Isolated, is supported");
                }
                pattern = s.path("pattern").path("Regex").asText();
            } else if (type.equals("ByteLevel")) {
                sawByteLevel = true;
                prefixSpace = s.path("add_prefix_space").asBoolean(false);
                if (s.path("use_regex").asBoolean(true)) {
                    if (pattern != null) {
                        throw new IllegalArgumentException("tokenizer.json: a Split regex followed by ByteLevel(use_regex=true) is not supported");
                    }
                    pattern = PreTokenizer.GPT2_PATTERN;
                }
            } else {
                throw new IllegalArgumentException("tokenizer.json: pre-tokenizer '" + type + "' is not supported (Split + ByteLevel are)");
            }
        }
        if (!sawByteLevel || pattern == null) {
            throw new IllegalArgumentException("tokenizer.json: not a byte-level BPE (needs a ByteLevel pre-tokenizer)");
        }
        if (!pattern.equals(PreTokenizer.LMFORGE_PATTERN) && !pattern.equals(PreTokenizer.GPT2_PATTERN)) {
            // a regex from a file runs on every document: only the patterns we know terminate fast are accepted
            // (a pattern such as (a+)+$ backtracks for minutes on one line)
            throw new IllegalArgumentException("tokenizer.json: the pre-tokenizer regex is neither lmforge's nor GPT-2's; other patterns are not "
                    + "accepted (a regex from a file could backtrack without end): " + (pattern.length() > 120 ? pattern.substring(0, 120) + "…" : pattern));
        }
        return PreTokenizer.fromOniguruma(pattern, prefixSpace);
    }
}
