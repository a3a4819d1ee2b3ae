package io.lmforge.tokenize.bpe;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A frozen byte-level BPE tokenizer: vocabulary (id -> byte-level token string, as in HF
 * tokenizer.json), ranked merges, added (special) tokens and the pre-tokenizer. Immutable and
 * serializable, so Spark broadcasts it; encoding goes through a per-thread {@link BpeEncoder}.
 */
public final class BpeTokenizer implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String[] tokens;
    private final boolean[] added;
    private final List<String> addedTokens; // in id order, split out of text before pre-tokenizing
    private final int[] byteIds = new int[256];
    private final int[][] merges; // rank -> {left, right, merged}
    private final MergeTable mergeTable;
    private final Map<String, Integer> vocab;
    private final String prePattern;
    private final boolean addPrefixSpace;
    private final String normalizer; // null, NFC, NFKC, NFD, NFKD
    private final boolean ignoreMerges;
    private transient PreTokenizer preTokenizer;

    /**
     * @param tokens  id -> token (byte-level string; the literal content for added tokens)
     * @param added   id -> whether it is an added token (split out of the text as a whole)
     * @param merges  rank -> {left id, right id, merged id}
     */
    public BpeTokenizer(String[] tokens, boolean[] added, int[][] merges, PreTokenizer preTokenizer, String normalizer, boolean ignoreMerges) {
        this.tokens = tokens.clone();
        this.added = added.clone();
        this.merges = merges.clone();
        this.prePattern = preTokenizer.onigPattern();
        this.addPrefixSpace = preTokenizer.addPrefixSpace();
        this.preTokenizer = preTokenizer;
        this.normalizer = normalizer;
        this.ignoreMerges = ignoreMerges;
        this.vocab = new HashMap<>(tokens.length * 2);
        java.util.Arrays.fill(byteIds, -1);
        List<String> addedList = new ArrayList<>();
        for (int id = 0; id < tokens.length; id++) {
            if (tokens[id] == null) {
                continue;
            }
            if (added[id]) {
                addedList.add(tokens[id]);
                continue;
            }
            vocab.putIfAbsent(tokens[id], id);
            if (tokens[id].length() == 1 && ByteLevel.byteOf(tokens[id].charAt(0)) >= 0) {
                byteIds[ByteLevel.byteOf(tokens[id].charAt(0))] = id;
            }
        }
        this.addedTokens = Collections.unmodifiableList(addedList);
        this.mergeTable = new MergeTable(Math.max(1, merges.length));
        for (int rank = 0; rank < merges.length; rank++) {
            mergeTable.put(merges[rank][0], merges[rank][1], rank, merges[rank][2]);
        }
    }

    /** No merges: the special tokens (ids 0..n-1), then the 256 bytes - one token per byte (tests, benchmarks, byte-level baselines). */
    public static BpeTokenizer bytesOnly(String... specials) {
        String[] tokens = new String[specials.length + 256];
        boolean[] added = new boolean[tokens.length];
        for (int i = 0; i < specials.length; i++) {
            tokens[i] = specials[i];
            added[i] = true;
        }
        for (int b = 0; b < 256; b++) {
            tokens[specials.length + b] = String.valueOf(ByteLevel.charOf(b));
        }
        return new BpeTokenizer(tokens, added, new int[0][], PreTokenizer.lmforge(), null, false);
    }

    public PreTokenizer preTokenizer() {
        if (preTokenizer == null) {
            preTokenizer = PreTokenizer.fromOniguruma(prePattern, addPrefixSpace);
        }
        return preTokenizer;
    }

    public BpeEncoder newEncoder() {
        return new BpeEncoder(this);
    }

    public int vocabSize() {
        return tokens.length;
    }

    public String token(int id) {
        return tokens[id];
    }

    public boolean isAdded(int id) {
        return added[id];
    }

    /** The id of a vocabulary or added token, or -1. */
    public int id(String token) {
        Integer id = vocab.get(token);
        if (id != null) {
            return id;
        }
        for (int i = 0; i < tokens.length; i++) {
            if (added[i] && token.equals(tokens[i])) {
                return i;
            }
        }
        return -1;
    }

    public List<String> addedTokens() {
        return addedTokens;
    }

    public int[][] merges() {
        return merges.clone();
    }

    public int mergeCount() {
        return merges.length;
    }

    String normalizer() {
        return normalizer;
    }

    boolean ignoreMerges() {
        return ignoreMerges;
    }

    int byteId(int b) {
        return byteIds[b & 0xFF];
    }

    MergeTable mergeTable() {
        return mergeTable;
    }

    Integer vocabId(String byteLevelToken) {
        return vocab.get(byteLevelToken);
    }

    String normalize(String text) {
        return normalizer == null ? text : Normalizer.normalize(text, Normalizer.Form.valueOf(normalizer));
    }

    /** The bytes a token stands for (an added token: its UTF-8 content). */
    public byte[] tokenBytes(int id) {
        return added[id] ? tokens[id].getBytes(StandardCharsets.UTF_8) : ByteLevel.decode(tokens[id]);
    }

    /**
     * Ids back to text. Byte-level BPE round-trips exactly: decode(encode(s)) == s for any valid
     * string. Added tokens are written out unless {@code skipAdded}. Invalid UTF-8 (a sequence
     * cut inside a character) decodes to U+FFFD, as HF's decoder does.
     */
    public String decode(int[] ids, boolean skipAdded) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            if (id < 0 || id >= tokens.length || tokens[id] == null) {
                throw new IllegalArgumentException("token id " + id + " is not in the vocabulary (size " + tokens.length + ")");
            }
            if (added[id] && skipAdded) {
                continue;
            }
            out.writeBytes(tokenBytes(id));
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
