package io.lmforge.tokenize.train;

import io.lmforge.tokenize.bpe.BpeTokenizer;
import io.lmforge.tokenize.bpe.ByteLevel;
import io.lmforge.tokenize.bpe.IntList;
import io.lmforge.tokenize.bpe.MergeTable;
import io.lmforge.tokenize.bpe.PreTokenizer;
import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongIterator;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The driver half of BPE training: given the weighted word table (computed on Spark), counts its
 * byte pairs while indexing the words (one pass it makes anyway; a Spark job for them was a shuffle
 * more), then learns merges greedily, most frequent pair first. After each merge
 * only the words that contain the pair are rewritten and only their pairs' counts change
 * (an index pair -> words, and a lazy max-heap whose stale entries are skipped), instead of a
 * full recount per merge. Ties go to the smaller (left id, right id), so training is deterministic, and
 * with the ids below these are Hugging Face BpeTrainer's ids and tie rule: the same words give HF's
 * vocabulary, ids and merges in HF's order.
 * Pair keys live in fastutil's primitive maps: a pair key is (left << 32 | right), and java.util's
 * Long.hashCode (left ^ right) sends whole families of pairs to one bucket; fastutil mixes the bits
 * (the merge loop ran 3x faster on 15 MB, same merges).
 *
 * <p>Ids: added tokens first (0..k-1), then the 256 byte-level characters sorted by code point (HF's
 * alphabet order: printable ASCII first, so not byte order), then merges.
 */
public final class MergeLearner {
    private final int[][] words;
    private final long[] counts;
    private final Long2LongOpenHashMap pairCounts;
    private final Long2ObjectOpenHashMap<IntList> where = new Long2ObjectOpenHashMap<>();
    private final List<String> tokens = new ArrayList<>();
    private final Map<String, Integer> ids = new HashMap<>();
    private final List<int[]> merges = new ArrayList<>();
    private final int numAdded;
    private final int initialPairs;

    /**
     * @param byteWords   each word's UTF-8 bytes
     * @param counts      each word's weighted count
     */
    public MergeLearner(List<String> addedTokens, List<byte[]> byteWords, long[] counts) {
        this.numAdded = addedTokens.size();
        for (String a : addedTokens) {
            tokens.add(a);
        }
        int[] byteId = new int[256];
        for (int b : bytesInHfOrder()) {
            String t = String.valueOf(ByteLevel.charOf(b));
            byteId[b] = tokens.size();
            ids.put(t, tokens.size());
            tokens.add(t);
        }
        this.words = new int[byteWords.size()][];
        this.counts = counts.clone();
        this.pairCounts = new Long2LongOpenHashMap();
        for (int w = 0; w < words.length; w++) {
            byte[] bytes = byteWords.get(w);
            int[] syms = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                syms[i] = byteId[bytes[i] & 0xFF];
            }
            words[w] = syms;
            for (int i = 0; i + 1 < syms.length; i++) {
                long pair = MergeTable.pair(syms[i], syms[i + 1]);
                where.computeIfAbsent(pair, k -> new IntList(4)).add(w);
                pairCounts.addTo(pair, counts[w]);
            }
        }
        this.initialPairs = pairCounts.size();
    }

    /** The 256 bytes in the order of their byte-level characters' code points, as HF's trainer sorts its alphabet. */
    private static int[] bytesInHfOrder() {
        return java.util.stream.IntStream.range(0, 256).boxed()
                .sorted(java.util.Comparator.comparingInt(b -> (int) ByteLevel.charOf(b)))
                .mapToInt(Integer::intValue).toArray();
    }

    /** Distinct adjacent byte pairs in the word table before any merge. */
    public int initialPairs() {
        return initialPairs;
    }

    /**
     * Learns merges until the vocabulary has {@code vocabSize} entries or no pair occurs at least
     * {@code minPairCount} times.
     */
    public BpeTokenizer learn(int vocabSize, long minPairCount, IntConsumer progress) {
        PairHeap heap = new PairHeap(); // max count first, then smaller pair key
        for (Long2LongOpenHashMap.Entry e : pairCounts.long2LongEntrySet()) {
            heap.push(e.getLongValue(), e.getLongKey());
        }
        int[] seen = new int[words.length];
        int stamp = 0;
        LongOpenHashSet changed = new LongOpenHashSet();
        while (tokens.size() < vocabSize && !heap.isEmpty()) {
            long topCount = heap.topCount();
            long top = heap.topPair();
            heap.pop();
            if (!pairCounts.containsKey(top) || pairCounts.get(top) != topCount) {
                continue; // stale entry; the current count was pushed when it changed
            }
            if (topCount < minPairCount) {
                break;
            }
            int left = (int) (top >>> 32);
            int right = (int) top;
            String merged = tokens.get(left) + tokens.get(right);
            Integer mergedId = ids.get(merged);
            if (mergedId == null) {
                mergedId = tokens.size();
                ids.put(merged, mergedId);
                tokens.add(merged);
            }
            merges.add(new int[]{left, right, mergedId});
            stamp++;
            changed.clear();
            IntList ws = where.get(top);
            for (int k = 0; k < ws.size(); k++) {
                int w = ws.get(k);
                if (seen[w] == stamp) {
                    continue;
                }
                seen[w] = stamp;
                rewrite(w, left, right, mergedId, changed);
            }
            pairCounts.remove(top);
            for (LongIterator it = changed.iterator(); it.hasNext(); ) {
                long p = it.nextLong();
                long c = pairCounts.get(p);
                if (c > 0) {
                    heap.push(c, p);
                } else {
                    pairCounts.remove(p);
                }
            }
            if (progress != null) {
                progress.accept(merges.size());
            }
        }
        String[] t = tokens.toArray(new String[0]);
        boolean[] added = new boolean[t.length];
        for (int i = 0; i < numAdded; i++) {
            added[i] = true;
        }
        return new BpeTokenizer(t, added, merges.toArray(new int[0][]), PreTokenizer.lmforge(), null, false);
    }

    /** Word w's current segmentation (symbol ids), for checking the learner against the encoder. */
    int[] segmentation(int w) {
        return words[w].clone();
    }

    /** Pair counts maintained incrementally (pairs with count 0 removed), for checking against a recount. */
    Map<Long, Long> pairCounts() {
        Map<Long, Long> out = new HashMap<>();
        for (Long2LongOpenHashMap.Entry e : pairCounts.long2LongEntrySet()) {
            if (e.getLongValue() != 0) {
                out.put(e.getLongKey(), e.getLongValue());
            }
        }
        return out;
    }

    /** Replaces (left, right) by merged in word w, moving its pair counts from the old pairs to the new. */
    private void rewrite(int w, int left, int right, int merged, LongOpenHashSet changed) {
        int[] s = words[w];
        boolean found = false;
        for (int i = 0; i + 1 < s.length; i++) {
            if (s[i] == left && s[i + 1] == right) {
                found = true;
                break;
            }
        }
        if (!found) {
            return; // the index is append-only; this word lost the pair in an earlier merge
        }
        long c = counts[w];
        for (int i = 0; i + 1 < s.length; i++) {
            add(MergeTable.pair(s[i], s[i + 1]), -c, changed);
        }
        int[] out = new int[s.length];
        int n = 0;
        for (int i = 0; i < s.length; i++) {
            if (i + 1 < s.length && s[i] == left && s[i + 1] == right) {
                out[n++] = merged;
                i++;
            } else {
                out[n++] = s[i];
            }
        }
        int[] ns = java.util.Arrays.copyOf(out, n);
        words[w] = ns;
        for (int i = 0; i + 1 < n; i++) {
            long p = MergeTable.pair(ns[i], ns[i + 1]);
            add(p, c, changed);
            if (ns[i] == merged || ns[i + 1] == merged) {
                where.computeIfAbsent(p, k -> new IntList(4)).add(w);
            }
        }
    }

    private void add(long pair, long delta, LongOpenHashSet changed) {
        pairCounts.addTo(pair, delta);
        changed.add(pair);
    }
}
