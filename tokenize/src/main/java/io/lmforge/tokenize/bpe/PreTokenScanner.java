package io.lmforge.tokenize.bpe;

/**
 * Our pre-tokenizer pattern ({@link PreTokenizer#LMFORGE_PATTERN}) as a hand-written scanner with the
 * regex's exact cuts. Written by hand because java.util.regex backtracks through Unicode class
 * intersections, a lookahead and eleven alternatives at every piece; it was most of tokenizer-train's
 * Spark time. The regex stays the definition (it is what tokenizer.json and HF run); {@code
 * PreTokenScannerTest} checks this scanner against it on every script of the sample and on random text.
 *
 * <p>The pattern's alternatives, tried in order at each position like the regex does
 * (L, M, N: Unicode letters, marks, numbers; WS: Unicode White_Space; spaceless: the scripts written
 * without spaces, plus U+30FC with Katakana):
 * <ol>
 *   <li>an optional lead (not CR/LF, L or N) and a run of L/M outside the spaceless scripts;</li>
 *   <li>an optional lead and 1..4 (Han, Hiragana, Katakana) or 1..6 (Thai, Lao, Khmer, Myanmar)
 *       characters of one spaceless script;</li>
 *   <li>1..3 numbers;</li>
 *   <li>an optional space, a run of what is not WS, L or N, then any CR/LF;</li>
 *   <li>whitespace up to its last CR/LF; else whitespace but its last character when a non-space
 *       follows (that character leads the next piece); else all of it.</li>
 * </ol>
 */
final class PreTokenScanner {
    private static final int L = 1, M = 2, N = 4, WS = 8, CRLF = 16;
    /** Past the end of the text. */
    private static final int END = 256;
    /** Spaceless script classes, in the pattern's order; index 0 = none. */
    private static final Character.UnicodeScript[] SPACELESS = {null, Character.UnicodeScript.HAN,
            Character.UnicodeScript.HIRAGANA, Character.UnicodeScript.KATAKANA, Character.UnicodeScript.THAI,
            Character.UnicodeScript.LAO, Character.UnicodeScript.KHMER, Character.UnicodeScript.MYANMAR};
    private static final int KATAKANA = 3;
    private static final int[] MAX_RUN = {0, 4, 4, 4, 6, 6, 6, 6};
    /** Per BMP char: kind bits in the low 5 bits, spaceless class above them. */
    private static final byte[] BMP = new byte[0x10000];

    static {
        for (int c = 0; c < 0x10000; c++) {
            BMP[c] = (byte) compute(c);
        }
    }

    private PreTokenScanner() {
    }

    /** The end (exclusive, in chars) of the pre-token that starts at {@code i}. */
    static int next(String s, int i) {
        int len = s.length();
        int c0 = s.codePointAt(i);
        int i1 = i + Character.charCount(c0);
        int p0 = props(c0);
        int p1 = i1 < len ? props(s.codePointAt(i1)) : END;
        boolean lead0 = (p0 & (L | N | CRLF)) == 0;
        if (lead0 && body(p1)) {
            return whileClass(s, i1, true);
        }
        if (body(p0)) {
            return whileClass(s, i, true);
        }
        if (lead0 && script(p1) != 0) {
            return scriptRun(s, i1, script(p1));
        }
        if (script(p0) != 0) {
            return scriptRun(s, i, script(p0));
        }
        if ((p0 & N) != 0) {
            return numbers(s, i);
        }
        if (c0 == ' ' && other(p1)) {
            return lineBreaks(s, whileClass(s, i1, false));
        }
        if (other(p0)) {
            return lineBreaks(s, whileClass(s, i, false));
        }
        return whitespace(s, i);
    }

    private static boolean body(int p) {
        return (p & (L | M)) != 0 && script(p) == 0;
    }

    private static boolean other(int p) {
        return (p & (WS | L | N | END)) == 0;
    }

    private static int script(int p) {
        return (p >>> 5) & 7;
    }

    /** The end of the run from {@code i} of letters/marks outside the spaceless scripts, or of "other" characters. */
    private static int whileClass(String s, int i, boolean letters) {
        int len = s.length();
        while (i < len) {
            int c = s.codePointAt(i);
            int p = props(c);
            if (letters ? !body(p) : !other(p)) {
                break;
            }
            i += Character.charCount(c);
        }
        return i;
    }

    private static int scriptRun(String s, int i, int script) {
        int len = s.length();
        for (int n = 0; n < MAX_RUN[script] && i < len; n++) {
            int c = s.codePointAt(i);
            if (script(props(c)) != script) {
                break;
            }
            i += Character.charCount(c);
        }
        return i;
    }

    private static int numbers(String s, int i) {
        int len = s.length();
        for (int n = 0; n < 3 && i < len; n++) {
            int c = s.codePointAt(i);
            if ((props(c) & N) == 0) {
                break;
            }
            i += Character.charCount(c);
        }
        return i;
    }

    private static int lineBreaks(String s, int i) {
        while (i < s.length() && (s.charAt(i) == '\r' || s.charAt(i) == '\n')) {
            i++;
        }
        return i;
    }

    /** Whitespace: all chars are in the BMP, so the run is scanned by char. */
    private static int whitespace(String s, int i) {
        int len = s.length();
        int end = i;
        int lastBreak = -1;
        while (end < len && (props(s.charAt(end)) & WS) != 0) {
            char c = s.charAt(end);
            if (c == '\r' || c == '\n') {
                lastBreak = end;
            }
            end++;
        }
        if (lastBreak >= 0) {
            return lastBreak + 1;
        }
        return end == len || end - i == 1 ? end : end - 1;
    }

    private static int props(int c) {
        return c < 0x10000 ? BMP[c] & 0xFF : compute(c);
    }

    private static int compute(int c) {
        int p = 0;
        switch (Character.getType(c)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> p |= L;
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> p |= M;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> p |= N;
            default -> { }
        }
        if (isWhiteSpace(c)) {
            p |= WS;
        }
        if (c == '\r' || c == '\n') {
            p |= CRLF;
        }
        int script = c == 0x30FC ? KATAKANA : spaceless(c);
        return p | script << 5;
    }

    private static int spaceless(int c) {
        Character.UnicodeScript sc = Character.UnicodeScript.of(c);
        for (int k = 1; k < SPACELESS.length; k++) {
            if (SPACELESS[k] == sc) {
                return k;
            }
        }
        return 0;
    }

    /** Unicode White_Space, the pattern's explicit set. */
    private static boolean isWhiteSpace(int c) {
        return c >= 0x09 && c <= 0x0D || c == ' ' || c == 0x85 || c == 0xA0 || c == 0x1680 || c >= 0x2000 && c <= 0x200A
                || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
    }
}
