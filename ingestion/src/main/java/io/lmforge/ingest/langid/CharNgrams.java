package io.lmforge.ingest.langid;

import com.ibm.icu.lang.UCharacter;

import java.util.ArrayList;
import java.util.List;

/**
 * Character n-grams of lower-cased text, with a space marking word boundaries (" th", "he "),
 * the features of the language identifier. Digits and punctuation are dropped: they say little
 * about the language and a lot about the source.
 */
public final class CharNgrams {
    private CharNgrams() {
    }

    public static List<String> of(String text, int maxN, int maxChars) {
        List<String> out = new ArrayList<>();
        int[] cps = cleanCodePoints(text, maxChars);
        for (int len = 1; len <= maxN; len++) {
            for (int i = 0; i + len <= cps.length; i++) {
                if (len == 1 && cps[i] == ' ') {
                    continue;
                }
                out.add(new String(cps, i, len));
            }
        }
        return out;
    }

    /**
     * The feature indices Spark ML's HashingTF gives {@link #of}'s n-grams, in the same order, without
     * building a String per n-gram: the cleaned text is UTF-8 encoded once and each n-gram's byte
     * range hashed as HashingTF does (Murmur3 x86_32 "hashUnsafeBytes2" with seed 42, then a
     * non-negative modulo). Scoring is dominated by this step, hence the hand-written path; a test
     * checks it index for index against HashingTF.indexOf.
     */
    public static int[] hashedIndices(String text, int maxN, int maxChars, int numFeatures) {
        int[] cps = cleanCodePoints(text, maxChars);
        byte[] utf8 = new byte[cps.length * 4];
        int[] offset = new int[cps.length + 1];
        int pos = 0;
        for (int i = 0; i < cps.length; i++) {
            offset[i] = pos;
            pos = encodeUtf8(cps[i], utf8, pos);
        }
        offset[cps.length] = pos;
        int count = 0;
        for (int len = 1; len <= maxN; len++) {
            count += Math.max(0, cps.length - len + 1);
        }
        int[] out = new int[count];
        int k = 0;
        for (int len = 1; len <= maxN; len++) {
            for (int i = 0; i + len <= cps.length; i++) {
                if (len == 1 && cps[i] == ' ') {
                    continue;
                }
                int h = org.apache.spark.unsafe.hash.Murmur3_x86_32.hashUnsafeBytes2(utf8,
                        org.apache.spark.unsafe.Platform.BYTE_ARRAY_OFFSET + offset[i], offset[i + len] - offset[i], HASHING_TF_SEED);
                int m = h % numFeatures;
                out[k++] = m < 0 ? m + numFeatures : m;
            }
        }
        return k == out.length ? out : java.util.Arrays.copyOf(out, k);
    }

    private static final int HASHING_TF_SEED = 42;

    private static int encodeUtf8(int cp, byte[] b, int p) {
        if (cp < 0x80) {
            b[p++] = (byte) cp;
        } else if (cp < 0x800) {
            b[p++] = (byte) (0xC0 | (cp >> 6));
            b[p++] = (byte) (0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            b[p++] = (byte) (0xE0 | (cp >> 12));
            b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            b[p++] = (byte) (0x80 | (cp & 0x3F));
        } else {
            b[p++] = (byte) (0xF0 | (cp >> 18));
            b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
            b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            b[p++] = (byte) (0x80 | (cp & 0x3F));
        }
        return p;
    }

    /** Lower-cased letters and marks, runs of anything else as one space, a space at both ends. */
    private static int[] cleanCodePoints(String text, int maxChars) {
        if (text == null) {
            return new int[0];
        }
        int[] out = new int[2 * Math.min(text.length(), maxChars) + 2];
        int len = 0;
        out[len++] = ' ';
        int n = 0;
        for (int i = 0; i < text.length() && n < maxChars; ) {
            char ch = text.charAt(i);
            int cp;
            boolean keep;
            if (ch < 0x80) { // ASCII, most of the text in most languages: ICU's answers without the lookups
                i++;
                cp = ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch;
                keep = cp >= 'a' && cp <= 'z';
            } else {
                cp = text.codePointAt(i);
                i += Character.charCount(cp);
                int type = UCharacter.getType(cp);
                keep = UCharacter.isLetter(cp) || type == UCharacter.NON_SPACING_MARK || type == UCharacter.COMBINING_SPACING_MARK;
                if (keep) {
                    cp = UCharacter.toLowerCase(cp);
                }
            }
            if (keep) {
                out[len++] = cp;
                n++;
            } else if (out[len - 1] != ' ') {
                out[len++] = ' ';
            }
        }
        if (out[len - 1] != ' ') {
            out[len++] = ' ';
        }
        return java.util.Arrays.copyOf(out, len);
    }
}
