package io.lmforge.ingest.langid;

import com.ibm.icu.lang.UScript;

/** The dominant Unicode script of a text's letters (ICU), ignoring Common and Inherited characters. */
public final class ScriptDetector {
    private ScriptDetector() {
    }

    /** ISO 15924 code such as "Latn", "Cyrl", "Hani", or "Zyyy" when the text has no letters. */
    public static String dominant(String text) {
        if (text == null) {
            return "Zyyy";
        }
        int[] counts = new int[UScript.CODE_LIMIT];
        int limit = Math.min(text.length(), 4000);
        for (int i = 0; i < limit; ) {
            char ch = text.charAt(i);
            if (ch < 0x80) { // ASCII letters are Latin: no lookups for the common case
                i++;
                if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') {
                    counts[UScript.LATIN]++;
                }
                continue;
            }
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (!Character.isLetter(cp)) {
                continue;
            }
            int s = UScript.getScript(cp);
            if (s != UScript.COMMON && s != UScript.INHERITED && s != UScript.UNKNOWN) {
                counts[s]++;
            }
        }
        int best = -1;
        for (int s = 0; s < counts.length; s++) {
            if (counts[s] > 0 && (best < 0 || counts[s] > counts[best])) {
                best = s;
            }
        }
        if (best < 0) {
            return "Zyyy";
        }
        // Han, Hiragana and Katakana mix in Japanese; Hangul and Han in Korean: report the distinctive one
        if (best == UScript.HAN && counts[UScript.HIRAGANA] + counts[UScript.KATAKANA] > 0) {
            return "Jpan";
        }
        if (best == UScript.HAN && counts[UScript.HANGUL] > 0) {
            return "Kore";
        }
        if (best == UScript.HIRAGANA || best == UScript.KATAKANA) {
            return "Jpan";
        }
        if (best == UScript.HANGUL) {
            return "Kore";
        }
        return UScript.getShortName(best);
    }
}
