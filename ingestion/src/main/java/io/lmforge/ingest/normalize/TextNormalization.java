package io.lmforge.ingest.normalize;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UCharacterCategory;
import com.ibm.icu.text.Normalizer2;

/**
 * Unicode normalisation (ICU NFC or NFKC), control-character stripping and whitespace
 * normalisation in one pass. Kept on purpose: ZWJ/ZWNJ and other format characters (they are
 * meaningful in Persian, Indic and emoji sequences) and U+FFFD (evidence of upstream damage
 * that the quality signals should see).
 */
public final class TextNormalization {
    public enum Form { NFC, NFKC }

    private TextNormalization() {
    }

    public static Form form(String name) {
        try {
            return Form.valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new io.lmforge.core.config.ConfigError("config key 'ingest.normalize.form' must be NFC or NFKC, got '" + name + "'");
        }
    }

    public static String normalize(String text, Form form) {
        if (text == null) {
            return null;
        }
        Normalizer2 n = form == Form.NFKC ? Normalizer2.getNFKCInstance() : Normalizer2.getNFCInstance();
        String s = n.normalize(text);
        StringBuilder out = new StringBuilder(s.length());
        int pendingNewlines = 0;
        boolean pendingSpace = false;
        boolean lineHasText = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '\r') {
                if (i < s.length() && s.charAt(i) == '\n') {
                    continue; // \r\n -> \n (handled by the \n)
                }
                cp = '\n';
            }
            if (cp == '\n' || cp == 0x2028 || cp == 0x2029 || cp == 0x85) {
                pendingNewlines++;
                pendingSpace = false;
                lineHasText = false;
                continue;
            }
            if (cp == '\t' || UCharacter.getType(cp) == UCharacterCategory.SPACE_SEPARATOR) {
                pendingSpace = lineHasText;
                continue;
            }
            if (isStripped(cp)) {
                continue;
            }
            if (pendingNewlines > 0) {
                if (out.length() > 0) {
                    out.append(pendingNewlines >= 2 ? "\n\n" : "\n");
                }
                pendingNewlines = 0;
                pendingSpace = false;
            } else if (pendingSpace) {
                out.append(' ');
            }
            pendingSpace = false;
            out.appendCodePoint(cp);
            lineHasText = true;
        }
        return out.toString();
    }

    /** Control characters (other than the line/tab handled above), BOM and noncharacters. */
    static boolean isStripped(int cp) {
        if (cp == 0xFEFF || (cp & 0xFFFE) == 0xFFFE || (cp >= 0xFDD0 && cp <= 0xFDEF)) {
            return true;
        }
        return UCharacter.getType(cp) == UCharacterCategory.CONTROL;
    }
}
