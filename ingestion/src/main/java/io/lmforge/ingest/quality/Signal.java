package io.lmforge.ingest.quality;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * The quality signals stored as columns of docs/ and rejected/ (tag-then-filter: filters read
 * only these columns, so new thresholds can be applied without re-reading raw data).
 * Definitions follow datatrove's Gopher, C4 and FineWeb filters, with ICU words.
 */
public enum Signal {
    N_CHARS("n_chars"),
    N_WORDS("n_words"),
    N_LINES("n_lines"),
    AVG_WORD_LENGTH("avg_word_length"),
    HASH_WORD_RATIO("hash_word_ratio"),
    ELLIPSIS_WORD_RATIO("ellipsis_word_ratio"),
    BULLET_LINES_RATIO("bullet_lines_ratio"),
    ELLIPSIS_LINES_RATIO("ellipsis_lines_ratio"),
    /** tokens with a letter / tokens that are not pure punctuation (numbers and symbols count against it) */
    ALPHA_WORDS_RATIO("alpha_words_ratio"),
    /** occurrences of stop words; -1 when no list exists for the language (rule skipped) */
    STOP_WORDS("stop_words"),
    DUP_LINE_FRAC("dup_line_frac"),
    DUP_PARA_FRAC("dup_para_frac"),
    DUP_LINE_CHAR_FRAC("dup_line_char_frac"),
    DUP_PARA_CHAR_FRAC("dup_para_char_frac"),
    TOP_2GRAM_CHAR_FRAC("top_2gram_char_frac"),
    TOP_3GRAM_CHAR_FRAC("top_3gram_char_frac"),
    TOP_4GRAM_CHAR_FRAC("top_4gram_char_frac"),
    DUP_5GRAM_CHAR_FRAC("dup_5gram_char_frac"),
    DUP_6GRAM_CHAR_FRAC("dup_6gram_char_frac"),
    DUP_7GRAM_CHAR_FRAC("dup_7gram_char_frac"),
    DUP_8GRAM_CHAR_FRAC("dup_8gram_char_frac"),
    DUP_9GRAM_CHAR_FRAC("dup_9gram_char_frac"),
    DUP_10GRAM_CHAR_FRAC("dup_10gram_char_frac"),
    C4_BAD_LINE_FRAC("c4_bad_line_frac"),
    HAS_LOREM_IPSUM("has_lorem_ipsum"),
    HAS_CURLY_BRACKET("has_curly_bracket"),
    LINE_PUNCT_RATIO("line_punct_ratio"),
    SHORT_LINE_RATIO("short_line_ratio"),
    CHAR_DUP_RATIO("char_dup_ratio"),
    NEWLINE_WORD_RATIO("newline_word_ratio");

    public final String column;
    public final DataType type;

    /** The column's type is the dataset schema's (core's DatasetSchemas, defined once). */
    Signal(String column) {
        this.column = column;
        this.type = io.lmforge.core.dataset.DatasetSchemas.QUALITY_SIGNALS.apply(column).dataType();
    }

    public static StructType struct() {
        StructType s = new StructType();
        for (Signal sig : values()) {
            s = s.add(sig.column, sig.type, false);
        }
        return s;
    }
}
