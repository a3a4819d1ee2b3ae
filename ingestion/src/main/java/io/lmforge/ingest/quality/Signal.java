package io.lmforge.ingest.quality;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The quality signals stored as columns of docs/ and rejected/ (tag-then-filter: filters read
 * only these columns, so new thresholds can be applied without re-reading raw data).
 * Definitions follow datatrove's Gopher, C4 and FineWeb filters, with ICU words.
 */
public enum Signal {
    N_CHARS("n_chars", DataTypes.IntegerType),
    N_WORDS("n_words", DataTypes.IntegerType),
    N_LINES("n_lines", DataTypes.IntegerType),
    AVG_WORD_LENGTH("avg_word_length", DataTypes.DoubleType),
    HASH_WORD_RATIO("hash_word_ratio", DataTypes.DoubleType),
    ELLIPSIS_WORD_RATIO("ellipsis_word_ratio", DataTypes.DoubleType),
    BULLET_LINES_RATIO("bullet_lines_ratio", DataTypes.DoubleType),
    ELLIPSIS_LINES_RATIO("ellipsis_lines_ratio", DataTypes.DoubleType),
    /** tokens with a letter / tokens that are not pure punctuation (numbers and symbols count against it) */
    ALPHA_WORDS_RATIO("alpha_words_ratio", DataTypes.DoubleType),
    /** occurrences of stop words; -1 when no list exists for the language (rule skipped) */
    STOP_WORDS("stop_words", DataTypes.IntegerType),
    DUP_LINE_FRAC("dup_line_frac", DataTypes.DoubleType),
    DUP_PARA_FRAC("dup_para_frac", DataTypes.DoubleType),
    DUP_LINE_CHAR_FRAC("dup_line_char_frac", DataTypes.DoubleType),
    DUP_PARA_CHAR_FRAC("dup_para_char_frac", DataTypes.DoubleType),
    TOP_2GRAM_CHAR_FRAC("top_2gram_char_frac", DataTypes.DoubleType),
    TOP_3GRAM_CHAR_FRAC("top_3gram_char_frac", DataTypes.DoubleType),
    TOP_4GRAM_CHAR_FRAC("top_4gram_char_frac", DataTypes.DoubleType),
    DUP_5GRAM_CHAR_FRAC("dup_5gram_char_frac", DataTypes.DoubleType),
    DUP_6GRAM_CHAR_FRAC("dup_6gram_char_frac", DataTypes.DoubleType),
    DUP_7GRAM_CHAR_FRAC("dup_7gram_char_frac", DataTypes.DoubleType),
    DUP_8GRAM_CHAR_FRAC("dup_8gram_char_frac", DataTypes.DoubleType),
    DUP_9GRAM_CHAR_FRAC("dup_9gram_char_frac", DataTypes.DoubleType),
    DUP_10GRAM_CHAR_FRAC("dup_10gram_char_frac", DataTypes.DoubleType),
    C4_BAD_LINE_FRAC("c4_bad_line_frac", DataTypes.DoubleType),
    HAS_LOREM_IPSUM("has_lorem_ipsum", DataTypes.BooleanType),
    HAS_CURLY_BRACKET("has_curly_bracket", DataTypes.BooleanType),
    LINE_PUNCT_RATIO("line_punct_ratio", DataTypes.DoubleType),
    SHORT_LINE_RATIO("short_line_ratio", DataTypes.DoubleType),
    CHAR_DUP_RATIO("char_dup_ratio", DataTypes.DoubleType),
    NEWLINE_WORD_RATIO("newline_word_ratio", DataTypes.DoubleType);

    public final String column;
    public final DataType type;

    Signal(String column, DataType type) {
        this.column = column;
        this.type = type;
    }

    public static StructType struct() {
        StructType s = new StructType();
        for (Signal sig : values()) {
            s = s.add(sig.column, sig.type, false);
        }
        return s;
    }
}
