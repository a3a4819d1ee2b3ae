package io.lmforge.ingest.quality;

import java.util.Map;
import java.util.function.Function;

/**
 * The filter rules over stored signals, in a fixed order: the first failing rule names the
 * rejection reason. Each rule reads only {@link Signal} columns (tag-then-filter).
 */
public final class QualityRules {
    private QualityRules() {
    }

    /** @return the rejection reason, or null when the document passes every rule */
    public static String firstFailure(Function<Signal, Object> s, Map<String, Double> t) {
        double words = num(s, Signal.N_WORDS);
        if (words < t.get("min-words")) {
            return "gopher_min_words";
        }
        if (words > t.get("max-words")) {
            return "gopher_max_words";
        }
        double avg = num(s, Signal.AVG_WORD_LENGTH);
        if (avg < t.get("min-avg-word-length") || avg > t.get("max-avg-word-length")) {
            return "gopher_avg_word_length";
        }
        if (num(s, Signal.HASH_WORD_RATIO) > t.get("max-symbol-word-ratio") || num(s, Signal.ELLIPSIS_WORD_RATIO) > t.get("max-symbol-word-ratio")) {
            return "gopher_symbol_ratio";
        }
        if (num(s, Signal.BULLET_LINES_RATIO) > t.get("max-bullet-lines-ratio")) {
            return "gopher_bullet_lines";
        }
        if (num(s, Signal.ELLIPSIS_LINES_RATIO) > t.get("max-ellipsis-lines-ratio")) {
            return "gopher_ellipsis_lines";
        }
        if (num(s, Signal.ALPHA_WORDS_RATIO) < t.get("min-alpha-words-ratio")) {
            return "gopher_alpha_words";
        }
        double stop = num(s, Signal.STOP_WORDS);
        if (stop >= 0 && stop < t.get("min-stop-words")) {
            return "gopher_stop_words";
        }
        if (num(s, Signal.DUP_LINE_FRAC) > t.get("max-dup-line-frac") || num(s, Signal.DUP_LINE_CHAR_FRAC) > t.get("max-dup-line-char-frac")) {
            return "gopher_dup_lines";
        }
        if (num(s, Signal.DUP_PARA_FRAC) > t.get("max-dup-para-frac") || num(s, Signal.DUP_PARA_CHAR_FRAC) > t.get("max-dup-para-char-frac")) {
            return "gopher_dup_paragraphs";
        }
        if (num(s, Signal.TOP_2GRAM_CHAR_FRAC) > t.get("max-top-2gram-char-frac")
                || num(s, Signal.TOP_3GRAM_CHAR_FRAC) > t.get("max-top-3gram-char-frac")
                || num(s, Signal.TOP_4GRAM_CHAR_FRAC) > t.get("max-top-4gram-char-frac")) {
            return "gopher_top_ngram";
        }
        Signal[] dup = {Signal.DUP_5GRAM_CHAR_FRAC, Signal.DUP_6GRAM_CHAR_FRAC, Signal.DUP_7GRAM_CHAR_FRAC,
                Signal.DUP_8GRAM_CHAR_FRAC, Signal.DUP_9GRAM_CHAR_FRAC, Signal.DUP_10GRAM_CHAR_FRAC};
        for (int n = 5; n <= 10; n++) {
            if (num(s, dup[n - 5]) > t.get("max-dup-" + n + "gram-char-frac")) {
                return "gopher_dup_ngram";
            }
        }
        if (t.get("reject-lorem-ipsum") > 0 && Boolean.TRUE.equals(s.apply(Signal.HAS_LOREM_IPSUM))) {
            return "c4_lorem_ipsum";
        }
        if (t.get("reject-curly-bracket") > 0 && Boolean.TRUE.equals(s.apply(Signal.HAS_CURLY_BRACKET))) {
            return "c4_curly_bracket";
        }
        if (num(s, Signal.C4_BAD_LINE_FRAC) > t.get("max-c4-bad-line-frac")) {
            return "c4_bad_lines";
        }
        if (num(s, Signal.LINE_PUNCT_RATIO) < t.get("min-line-punct-ratio")) {
            return "fineweb_line_punct";
        }
        if (num(s, Signal.SHORT_LINE_RATIO) > t.get("max-short-line-ratio")) {
            return "fineweb_short_lines";
        }
        if (num(s, Signal.CHAR_DUP_RATIO) > t.get("max-char-dup-ratio")) {
            return "fineweb_char_dup";
        }
        if (num(s, Signal.NEWLINE_WORD_RATIO) > t.get("max-newline-word-ratio")) {
            return "fineweb_newline_ratio";
        }
        return null;
    }

    private static double num(Function<Signal, Object> s, Signal sig) {
        Object v = s.apply(sig);
        return v instanceof Number n ? n.doubleValue() : 0.0;
    }
}
