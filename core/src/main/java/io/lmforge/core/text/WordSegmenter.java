package io.lmforge.core.text;

import com.ibm.icu.text.BreakIterator;
import com.ibm.icu.util.ULocale;

import java.util.ArrayList;
import java.util.List;

/**
 * Words by ICU's UAX #29 word break rules with its dictionaries for Chinese, Japanese, Thai,
 * Lao, Khmer and Burmese, so languages written without spaces get real word counts (a
 * whitespace split would count a Thai paragraph as one word). Not thread-safe: one per thread.
 */
public final class WordSegmenter {
    /** A token: a word (letters, numbers, kana, ideographs) or a symbol run (punctuation, emoji), at char offset start. */
    public record Token(String text, boolean word, int start) {
    }

    private final BreakIterator it = BreakIterator.getWordInstance(ULocale.ROOT);

    public List<Token> tokens(String text) {
        List<Token> simple = UaxWordBreaks.tokens(text);
        return simple != null ? simple : icuTokens(text);
    }

    /** ICU's own segmentation, for every text (what {@link UaxWordBreaks} must equal where it answers). */
    List<Token> icuTokens(String text) {
        List<Token> out = new ArrayList<>();
        it.setText(text);
        int start = it.first();
        for (int end = it.next(); end != BreakIterator.DONE; start = end, end = it.next()) {
            int status = it.getRuleStatus();
            if (status >= BreakIterator.WORD_NUMBER) { // 100+: number, letter, kana, ideo
                out.add(new Token(text.substring(start, end), true, start));
            } else if (!isSpace(text, start, end)) {
                out.add(new Token(text.substring(start, end), false, start));
            }
        }
        return out;
    }

    /** Just the words (no symbols), in order. */
    public List<String> words(String text) {
        List<String> out = new ArrayList<>();
        for (Token t : tokens(text)) {
            if (t.word()) {
                out.add(t.text());
            }
        }
        return out;
    }

    static boolean isSpace(String s, int start, int end) {
        for (int i = start; i < end; i++) {
            if (!Character.isWhitespace(s.charAt(i)) && !Character.isSpaceChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
