package io.lmforge.dedup;

import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hasher128;
import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import com.ibm.icu.text.Normalizer2;

import java.util.HexFormat;

/**
 * Normalised keys for exact document and line dedup. Defined by regular expressions (each method
 * says which); they run as single loops because they are applied to every line of every document
 * twice per run, and String.replaceAll compiled its pattern on each call.
 */
public final class TextKeys {
    private static final Normalizer2 NFKC_CASEFOLD = Normalizer2.getNFKCCasefoldInstance();
    private static final Hasher128 XXH3_128 = Hashing.xxh3_128();
    private static final Hasher64 XXH3_64 = Hashing.xxh3_64();
    private static final HexFormat HEX = HexFormat.of();

    private TextKeys() {
    }

    /** NFKC casefold + {@code replaceAll("\\s+", " ").strip()}: "Hello  World" and "hello world" are the same document. */
    public static String exactKey(String text) {
        String s = collapseWhitespace(NFKC_CASEFOLD.normalize(text), false).strip();
        HashValue128 h = XXH3_128.hashCharsTo128Bits(s);
        return HEX.toHexDigits(h.getMostSignificantBits()) + HEX.toHexDigits(h.getLeastSignificantBits());
    }

    /** CCNet's line normalisation: NFKC casefold, {@code replaceAll("\\s+", " ").strip()}, every digit (any script) to 0. */
    public static String normaliseLine(String line) {
        return collapseWhitespace(NFKC_CASEFOLD.normalize(line), true).strip();
    }

    public static long lineHash(String normalisedLine) {
        return XXH3_64.hashCharsToLong(normalisedLine);
    }

    /** Each run of regex {@code \s} characters ([ \t\n\x0B\f\r]) becomes one space; digits become '0' when asked. */
    public static String collapseWhitespace(String s, boolean digitsToZero) {
        StringBuilder sb = null; // allocated at the first change: most lines have nothing to change
        boolean inRun = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int width = Character.charCount(cp);
            boolean space = cp == ' ' || (cp >= '\t' && cp <= '\r');
            int replacement = space ? ' ' : digitsToZero && Character.isDigit(cp) ? '0' : cp;
            boolean dropped = space && inRun;
            if (sb == null && (dropped || replacement != cp)) {
                sb = new StringBuilder(s.length()).append(s, 0, i);
            }
            if (sb != null && !dropped) {
                sb.appendCodePoint(replacement);
            }
            inRun = space;
            i += width;
        }
        return sb == null ? s : sb.toString();
    }
}
