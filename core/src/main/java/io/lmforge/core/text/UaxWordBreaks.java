package io.lmforge.core.text;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UProperty;
import com.ibm.icu.lang.UScript;

import java.util.ArrayList;
import java.util.List;

/**
 * ICU's word segments (UAX #29 as ICU's word.txt implements it), computed by a table and a loop for
 * text whose characters need none of ICU's dictionaries and none of its emoji, Hebrew, Katakana or
 * regional-indicator rules: Latin, Cyrillic, Greek, Arabic, Armenian, Georgian, Devanagari and the
 * other alphabets with spaces, with their digits, punctuation and combining marks. ICU walks a
 * rule-compiled state machine per character; the same segments from one table lookup per character cost
 * a fraction of that, and word segmentation is a large share of dedup's shingling and of ingest's
 * quality signals. Any other character (Han, kana, Hangul, Thai and the other Complex_Context scripts,
 * Hebrew letters, ZWJ, regional indicators, supplementary-plane characters) sends the whole text to ICU:
 * {@link #tokens} returns null. {@code UaxWordBreaksTest} checks equality with ICU on every line of the
 * sample, on every BMP character in several contexts, and on random strings over every class here.
 */
final class UaxWordBreaks {
    static final byte ICU = 0, OTHER = 1, LETTER = 2, NUMERIC = 3, MID_LETTER = 4, MID_NUM = 5, MID_NUM_LET = 6,
            SINGLE_QUOTE = 7, EXTEND_NUM_LET = 8, EXTEND = 9, CR = 10, LF = 11, NEWLINE = 12, SPACE = 13;
    private static final byte[] CLASS = new byte[0x10000];

    static {
        for (int c = 0; c < CLASS.length; c++) {
            CLASS[c] = classify(c);
        }
    }

    private UaxWordBreaks() {
    }

    static byte classOf(char c) {
        return CLASS[c];
    }

    private static byte classify(int c) {
        if (c >= 0xD800 && c <= 0xDFFF) {
            return ICU; // a surrogate: supplementary characters are left to ICU
        }
        int script = UScript.getScript(c);
        if (UCharacter.getIntPropertyValue(c, UProperty.LINE_BREAK) == UCharacter.LineBreak.COMPLEX_CONTEXT
                || script == UScript.HAN || script == UScript.HIRAGANA || script == UScript.KATAKANA
                || (c >= 0xAC00 && c <= 0xD7A3) || UCharacter.hasBinaryProperty(c, UProperty.IDEOGRAPHIC)) {
            return ICU; // dictionary segmentation (ICU's $dictionary) or CJK status rules
        }
        return switch (UCharacter.getIntPropertyValue(c, UProperty.WORD_BREAK)) {
            case UCharacter.WordBreak.ALETTER -> LETTER;
            case UCharacter.WordBreak.NUMERIC -> NUMERIC;
            case UCharacter.WordBreak.MIDLETTER -> MID_LETTER;
            case UCharacter.WordBreak.MIDNUM -> MID_NUM;
            case UCharacter.WordBreak.MIDNUMLET -> MID_NUM_LET;
            case UCharacter.WordBreak.SINGLE_QUOTE -> SINGLE_QUOTE;
            case UCharacter.WordBreak.EXTENDNUMLET -> EXTEND_NUM_LET;
            case UCharacter.WordBreak.EXTEND, UCharacter.WordBreak.FORMAT -> EXTEND;
            case UCharacter.WordBreak.CR -> CR;
            case UCharacter.WordBreak.LF -> LF;
            case UCharacter.WordBreak.NEWLINE -> NEWLINE;
            case UCharacter.WordBreak.WSEGSPACE -> SPACE;
            case UCharacter.WordBreak.OTHER, UCharacter.WordBreak.DOUBLE_QUOTE -> OTHER; // " matters only beside Hebrew
            default -> ICU; // ZWJ, Hebrew_Letter, Katakana, Regional_Indicator, emoji bases
        };
    }

    /** The tokens {@link WordSegmenter#tokens} makes, or null when the text needs ICU. */
    static List<WordSegmenter.Token> tokens(String text) {
        int n = text.length();
        // units: a character and the Extend/Format characters that follow it (WB4); start index and class
        int[] unitStart = new int[n + 1];
        byte[] unitClass = new byte[n];
        int units = 0;
        byte prevRaw = -1;
        for (int i = 0; i < n; i++) {
            byte c = CLASS[text.charAt(i)];
            if (c == ICU) {
                return null;
            }
            boolean absorbed = c == EXTEND && units > 0 && prevRaw != CR && prevRaw != LF && prevRaw != NEWLINE;
            if (absorbed && unitClass[units - 1] == EXTEND_NUM_LET) {
                return null; // ICU's rule status after "_" + combining mark depends on its rule chaining, not on UAX #29
            }
            if (!absorbed) {
                unitStart[units] = i;
                unitClass[units] = c == EXTEND ? OTHER : c; // Extend at the start of text or a line stands alone
                units++;
            }
            prevRaw = c;
        }
        unitStart[units] = n;
        List<WordSegmenter.Token> out = new ArrayList<>();
        int segStart = 0;
        boolean word = false;
        int extendNumLets = 0;
        for (int u = 0; u < units; u++) {
            byte cls = unitClass[u];
            if (u > 0 && breaksBefore(text, unitStart, unitClass, units, u)) {
                emit(out, text, unitStart[segStart], unitStart[u], word || extendNumLets >= 2);
                segStart = u;
                word = false;
                extendNumLets = 0;
            }
            word |= cls == LETTER || cls == NUMERIC;
            extendNumLets += cls == EXTEND_NUM_LET ? 1 : 0;
        }
        if (units > 0) {
            emit(out, text, unitStart[segStart], n, word || extendNumLets >= 2);
        }
        return out;
    }

    /** UAX #29 WB3-WB13b between unit u-1 and unit u (WB3c, WB7a-c, WB13 and WB15-16 cannot occur here). */
    private static boolean breaksBefore(String text, int[] start, byte[] cls, int units, int u) {
        byte a = cls[u - 1];
        byte b = cls[u];
        if (a == CR && b == LF) {
            return false; // WB3
        }
        if (a == CR || a == LF || a == NEWLINE || b == CR || b == LF || b == NEWLINE) {
            return true; // WB3a, WB3b
        }
        if (b == SPACE && CLASS[text.charAt(start[u] - 1)] == SPACE) {
            return false; // WB3d: between two space characters themselves, before WB4
        }
        byte before = u >= 2 ? cls[u - 2] : -1;
        byte after = u + 1 < units ? cls[u + 1] : -1;
        return switch (a) {
            case LETTER -> !(b == LETTER || b == NUMERIC || b == EXTEND_NUM_LET                  // WB5, WB9, WB13a
                    || (isMidLetter(b) && after == LETTER));                                      // WB6
            case NUMERIC -> !(b == NUMERIC || b == LETTER || b == EXTEND_NUM_LET                 // WB8, WB10, WB13a
                    || (isMidNum(b) && after == NUMERIC));                                        // WB12
            case EXTEND_NUM_LET -> !(b == LETTER || b == NUMERIC || b == EXTEND_NUM_LET);        // WB13b, WB13a
            case MID_LETTER -> !(before == LETTER && b == LETTER);                               // WB7
            case MID_NUM -> !(before == NUMERIC && b == NUMERIC);                                // WB11
            case MID_NUM_LET, SINGLE_QUOTE -> !((before == LETTER && b == LETTER) || (before == NUMERIC && b == NUMERIC));
            default -> true;                                                                     // WB999
        };
    }

    private static boolean isMidLetter(byte c) {
        return c == MID_LETTER || c == MID_NUM_LET || c == SINGLE_QUOTE;
    }

    private static boolean isMidNum(byte c) {
        return c == MID_NUM || c == MID_NUM_LET || c == SINGLE_QUOTE;
    }

    private static void emit(List<WordSegmenter.Token> out, String text, int start, int end, boolean word) {
        if (word) {
            out.add(new WordSegmenter.Token(text.substring(start, end), true, start));
        } else if (!WordSegmenter.isSpace(text, start, end)) {
            out.add(new WordSegmenter.Token(text.substring(start, end), false, start));
        }
    }
}
