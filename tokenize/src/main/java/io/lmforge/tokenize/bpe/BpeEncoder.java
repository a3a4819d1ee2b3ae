package io.lmforge.tokenize.bpe;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;

/**
 * Encodes text with a {@link BpeTokenizer}; one per thread (it keeps scratch arrays and a cache
 * of pre-token -> ids, which is what makes encoding fast: most words repeat). The merge loop is
 * HF tokenizers' (word.rs): a min-heap of (rank, position), lowest rank first, leftmost on ties,
 * stale entries skipped, so ids are identical to HF's. Cost is O(n log n) per pre-token, so
 * pathological input (1 MB of one character) cannot blow up.
 */
public final class BpeEncoder {
    private static final int CACHE_LIMIT = 200_000;
    private static final int CACHE_MAX_PIECE = 64;
    private final BpeTokenizer tok;
    private final MergeTable table;
    private final PreTokenizer pre;
    private final HashMap<String, int[]> cache = new HashMap<>();
    private final LongMinHeap heap = new LongMinHeap();
    private final IntList scratch = new IntList(16);
    private int[] sym = new int[64];
    private int[] prev = new int[64];
    private int[] next = new int[64];

    BpeEncoder(BpeTokenizer tok) {
        this.tok = tok;
        this.table = tok.mergeTable();
        this.pre = tok.preTokenizer();
    }

    /** HF {@code Tokenizer.encode(text).ids}: added tokens in the text become their ids. */
    public int[] encode(String text) {
        IntList out = new IntList(text.length() / 3 + 4);
        List<String> addedTokens = tok.addedTokens();
        if (addedTokens.isEmpty()) {
            encodeOrdinary(text, out);
            return out.toArray();
        }
        int from = 0;
        while (from <= text.length()) {
            int best = -1;
            String bestTok = null;
            for (String a : addedTokens) { // leftmost, then longest, like HF's added-token matcher
                int i = text.indexOf(a, from);
                if (i >= 0 && (best < 0 || i < best || (i == best && a.length() > bestTok.length()))) {
                    best = i;
                    bestTok = a;
                }
            }
            if (best < 0) {
                encodeOrdinary(text.substring(from), out);
                break;
            }
            encodeOrdinary(text.substring(from, best), out);
            out.add(tok.id(bestTok));
            from = best + bestTok.length();
        }
        return out.toArray();
    }

    /**
     * Encodes text as plain text: a document that contains the string "&lt;|endoftext|&gt;" gets
     * the bytes of that string, not the separator id (so documents cannot forge separators).
     */
    public int[] encodeOrdinary(String text) {
        IntList out = new IntList(text.length() / 3 + 4);
        encodeOrdinary(text, out);
        return out.toArray();
    }

    public void encodeOrdinary(String text, IntList out) {
        if (text.isEmpty()) {
            return;
        }
        pre.split(tok.normalize(text), piece -> encodePiece(piece, out));
    }

    /**
     * How many ids one pre-token encodes to: the pieces' lengths add up to {@code encodeOrdinary}'s
     * for a text (training counts tokens per language from its word table this way).
     */
    public int encodedLength(String preToken) {
        scratch.clear();
        encodePiece(preToken, scratch);
        return scratch.size();
    }

    private void encodePiece(String piece, IntList out) {
        int[] cached = cache.get(piece);
        if (cached != null) {
            out.addAll(cached);
            return;
        }
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        int before = out.size();
        if (tok.ignoreMerges()) {
            Integer whole = tok.vocabId(ByteLevel.encode(bytes));
            if (whole != null) {
                out.add(whole);
            } else {
                merge(bytes, out);
            }
        } else {
            merge(bytes, out);
        }
        if (piece.length() <= CACHE_MAX_PIECE) {
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            int[] ids = new int[out.size() - before];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = out.get(before + i);
            }
            cache.put(piece, ids);
        }
    }

    private void merge(byte[] bytes, IntList out) {
        int n = 0;
        if (sym.length < bytes.length) {
            int cap = Math.max(bytes.length, sym.length * 2);
            sym = new int[cap];
            prev = new int[cap];
            next = new int[cap];
        }
        for (byte b : bytes) {
            int id = tok.byteId(b);
            if (id >= 0) { // a byte missing from the vocabulary is dropped, as HF does without unk_token
                sym[n++] = id;
            }
        }
        if (n <= 1) {
            if (n == 1) {
                out.add(sym[0]);
            }
            return;
        }
        heap.clear();
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            if (i + 1 < n) {
                long m = table.get(sym[i], sym[i + 1]);
                if (m >= 0) {
                    heap.push((m & 0xFFFFFFFF00000000L) | i);
                }
            }
        }
        while (!heap.isEmpty()) {
            long top = heap.pop();
            int pos = (int) top;
            int rank = (int) (top >>> 32);
            if (sym[pos] < 0) {
                continue;
            }
            int right = next[pos];
            if (right < 0) {
                continue;
            }
            long m = table.get(sym[pos], sym[right]);
            if (m < 0 || (int) (m >>> 32) != rank) {
                continue; // stale: one side changed since this entry was pushed
            }
            sym[pos] = (int) m;
            sym[right] = -1;
            int after = next[right];
            next[pos] = after;
            if (after >= 0) {
                prev[after] = pos;
            }
            int before = prev[pos];
            if (before >= 0) {
                long l = table.get(sym[before], sym[pos]);
                if (l >= 0) {
                    heap.push((l & 0xFFFFFFFF00000000L) | before);
                }
            }
            if (after >= 0) {
                long r = table.get(sym[pos], sym[after]);
                if (r >= 0) {
                    heap.push((r & 0xFFFFFFFF00000000L) | pos);
                }
            }
        }
        for (int i = 0; i >= 0; i = next[i]) {
            out.add(sym[i]);
        }
    }
}
