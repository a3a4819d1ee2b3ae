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
        if (text == null) {
            return out;
        }
        StringBuilder clean = new StringBuilder(Math.min(text.length(), maxChars) + 2).append(' ');
        int n = 0;
        for (int i = 0; i < text.length() && n < maxChars; ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (UCharacter.isLetter(cp) || UCharacter.getType(cp) == UCharacter.NON_SPACING_MARK
                    || UCharacter.getType(cp) == UCharacter.COMBINING_SPACING_MARK) {
                clean.appendCodePoint(UCharacter.toLowerCase(cp));
                n++;
            } else if (clean.charAt(clean.length() - 1) != ' ') {
                clean.append(' ');
            }
        }
        if (clean.charAt(clean.length() - 1) != ' ') {
            clean.append(' ');
        }
        int[] cps = clean.toString().codePoints().toArray();
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
}
