package io.lmforge.dedup;

import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hashing;
import com.ibm.icu.text.Normalizer2;

/** Normalised keys for exact document and line dedup. */
public final class TextKeys {
    private TextKeys() {
    }

    /** NFKC casefold + whitespace collapsed: "Hello  World" and "hello world" are the same document. */
    public static String exactKey(String text) {
        String s = Normalizer2.getNFKCCasefoldInstance().normalize(text).replaceAll("\\s+", " ").strip();
        HashValue128 h = Hashing.xxh3_128().hashCharsTo128Bits(s);
        return String.format("%016x%016x", h.getMostSignificantBits(), h.getLeastSignificantBits());
    }

    /** CCNet's line normalisation: casefold, digits to 0, whitespace collapsed. */
    public static String normaliseLine(String line) {
        String s = Normalizer2.getNFKCCasefoldInstance().normalize(line).replaceAll("\\s+", " ").strip();
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> sb.appendCodePoint(Character.isDigit(cp) ? '0' : cp));
        return sb.toString();
    }

    public static long lineHash(String normalisedLine) {
        return Hashing.xxh3_64().hashCharsToLong(normalisedLine);
    }
}
