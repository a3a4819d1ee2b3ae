package io.lmforge.dedup.shingle;

import com.dynatrace.hash4j.hashing.HashStream64;
import com.dynatrace.hash4j.hashing.Hashing;
import com.ibm.icu.text.Normalizer2;
import io.lmforge.core.config.ConfigError;
import io.lmforge.core.text.WordSegmenter;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * Shingles of a document as distinct 64-bit hashes. Text is NFKC-casefolded first. Word shingles
 * are n-grams of ICU words (dictionary segmentation for Chinese, Japanese, Thai, Khmer, Lao and
 * Burmese, so those scripts get real word n-grams instead of one giant token); char shingles are
 * n-grams of code points with whitespace collapsed. A document with fewer than n units yields one
 * shingle of all of them, so short documents still compare.
 */
public final class Shingler implements Serializable {
    public enum Kind { WORD, CHAR }

    private static final long serialVersionUID = 1L;
    private final Kind kind;
    private final int n;
    private transient WordSegmenter segmenter;

    public Shingler(Kind kind, int n) {
        if (n < 1) {
            throw new ConfigError("config key 'dedup.fuzzy.ngram-size' must be at least 1, got " + n);
        }
        this.kind = kind;
        this.n = n;
    }

    public static Kind kind(String name) {
        return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "word" -> Kind.WORD;
            case "char" -> Kind.CHAR;
            default -> throw new ConfigError("config key 'dedup.fuzzy.shingle' must be word or char, got '" + name + "'");
        };
    }

    public long[] shingles(String text) {
        if (text == null || text.isBlank()) {
            return new long[0];
        }
        String folded = Normalizer2.getNFKCCasefoldInstance().normalize(text);
        long[] out = kind == Kind.WORD ? words(folded) : chars(folded);
        Arrays.sort(out);
        int m = 0;
        for (int i = 0; i < out.length; i++) {
            if (i == 0 || out[i] != out[i - 1]) {
                out[m++] = out[i];
            }
        }
        return Arrays.copyOf(out, m);
    }

    private long[] words(String text) {
        if (segmenter == null) {
            segmenter = new WordSegmenter();
        }
        List<String> w = segmenter.words(text);
        if (w.isEmpty()) {
            return new long[0];
        }
        int count = Math.max(1, w.size() - n + 1);
        long[] out = new long[count];
        HashStream64 h = Hashing.xxh3_64().hashStream();
        for (int i = 0; i < count; i++) {
            h.reset();
            for (int j = i; j < Math.min(w.size(), i + n); j++) {
                h.putString(w.get(j));
            }
            out[i] = h.getAsLong();
        }
        return out;
    }

    private long[] chars(String text) {
        int[] cps = io.lmforge.dedup.TextKeys.collapseWhitespace(text, false).strip().codePoints().toArray();
        if (cps.length == 0) {
            return new long[0];
        }
        int count = Math.max(1, cps.length - n + 1);
        long[] out = new long[count];
        HashStream64 h = Hashing.xxh3_64().hashStream();
        for (int i = 0; i < count; i++) {
            h.reset();
            for (int j = i; j < Math.min(cps.length, i + n); j++) {
                h.putInt(cps[j]);
            }
            out[i] = h.getAsLong();
        }
        return out;
    }

    /** Exact Jaccard similarity of two shingle sets (sorted, distinct, as {@link #shingles} returns them). */
    public static double jaccard(long[] a, long[] b) {
        int i = 0;
        int j = 0;
        int inter = 0;
        while (i < a.length && j < b.length) {
            if (a[i] == b[j]) {
                inter++;
                i++;
                j++;
            } else if (a[i] < b[j]) {
                i++;
            } else {
                j++;
            }
        }
        int union = a.length + b.length - inter;
        return union == 0 ? 1.0 : inter / (double) union;
    }
}
