package io.lmforge.core.dataset;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * The schema of every dataset the stages hand each other, defined once (the README's tables
 * describe these). Writers go through {@link #conform}, which selects exactly these columns in this
 * order and fails on a missing or differently typed one, so a dataset's files are its contract.
 * `lang` is a partition directory (lang=L/) where a dataset is partitioned by it; `chunk` always is.
 */
public final class DatasetSchemas {
    private DatasetSchemas() {
    }

    private static final DataType TOKEN_ARRAY = DataTypes.createArrayType(DataTypes.IntegerType);

    /** The quality signals (ingest's tag-then-filter columns), in column order; ingest's Signal enum computes them. */
    public static final StructType QUALITY_SIGNALS = doubles(booleans(doubles(ints(doubles(ints(new StructType(),
                    "n_chars", "n_words", "n_lines"),
                    "avg_word_length", "hash_word_ratio", "ellipsis_word_ratio", "bullet_lines_ratio", "ellipsis_lines_ratio", "alpha_words_ratio"),
                    "stop_words"),
                    "dup_line_frac", "dup_para_frac", "dup_line_char_frac", "dup_para_char_frac", "top_2gram_char_frac", "top_3gram_char_frac",
                    "top_4gram_char_frac", "dup_5gram_char_frac", "dup_6gram_char_frac", "dup_7gram_char_frac", "dup_8gram_char_frac",
                    "dup_9gram_char_frac", "dup_10gram_char_frac", "c4_bad_line_frac"),
                    "has_lorem_ipsum", "has_curly_bracket"),
            "line_punct_ratio", "short_line_ratio", "char_dup_ratio", "newline_word_ratio");

    private static final DataType METADATA = DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType);

    /** docs/chunk=ID/lang=L/: kept documents. */
    public static final StructType DOCS = concat(new StructType().add("doc_id", DataTypes.StringType).add("source", DataTypes.StringType)
            .add("offset", DataTypes.LongType).add("url", DataTypes.StringType).add("lang", DataTypes.StringType)
            .add("lang_score", DataTypes.DoubleType).add("lang_script", DataTypes.StringType).add("text", DataTypes.StringType), QUALITY_SIGNALS)
            .add("pii_emails", DataTypes.IntegerType).add("pii_ips", DataTypes.IntegerType).add("pii_phones", DataTypes.IntegerType)
            .add("metadata", METADATA);

    /** rejected/chunk=ID/: every record ingest did not keep, with its reason. */
    public static final StructType REJECTED = concat(new StructType().add("doc_id", DataTypes.StringType).add("source", DataTypes.StringType)
            .add("offset", DataTypes.LongType).add("url", DataTypes.StringType).add("reason", DataTypes.StringType)
            .add("detail", DataTypes.StringType).add("text", DataTypes.StringType).add("raw_bytes", DataTypes.BinaryType)
            .add("lang", DataTypes.StringType).add("lang_score", DataTypes.DoubleType).add("lang_script", DataTypes.StringType), QUALITY_SIGNALS)
            .add("metadata", METADATA);

    /** dedup/docs/chunk=ID/lang=L/: the kept documents of docs/ plus what dedup learnt about them. */
    public static final StructType DEDUP_DOCS = DOCS.add("n_lines_removed", DataTypes.IntegerType).add("dup_cluster_size", DataTypes.IntegerType);

    /** dedup/duplicates/chunk=ID/: every document dedup removed. */
    public static final StructType DUPLICATES = new StructType().add("doc_id", DataTypes.StringType).add("lang", DataTypes.StringType)
            .add("kind", DataTypes.StringType).add("duplicate_of", DataTypes.StringType).add("duplicate_of_chunk", DataTypes.StringType)
            .add("similarity", DataTypes.DoubleType).add("reason", DataTypes.StringType);

    /** tokens/chunk=ID/lang=L/ and mix/chunk=ID/heldout/lang=L/: whole documents as token ids. */
    public static final StructType TOKENS = new StructType().add("doc_id", DataTypes.StringType).add("lang", DataTypes.StringType)
            .add("n_bytes", DataTypes.IntegerType).add("n_tokens", DataTypes.IntegerType).add("tokens", TOKEN_ARRAY);

    /** mix/chunk=ID/train/: packed training sequences of seq_len + 1 tokens. */
    public static final StructType SEQUENCES = new StructType().add("seq_id", DataTypes.LongType).add("tokens", TOKEN_ARRAY);

    /** models/&lt;run&gt;/metrics/chunk=ID/: one row per averaging round. */
    public static final StructType TRAIN_METRICS = new StructType().add("step", DataTypes.LongType).add("chunk", DataTypes.StringType)
            .add("round", DataTypes.IntegerType).add("loss", DataTypes.DoubleType).add("lr", DataTypes.DoubleType)
            .add("tokens", DataTypes.LongType).add("tokens_per_s", DataTypes.DoubleType).add("tokens_seen", DataTypes.LongType)
            .add("elapsed_s", DataTypes.DoubleType)
            // Mixture-of-Experts models only (null otherwise), measured on a fixed minibatch after the round
            .add("balance_loss", DataTypes.DoubleType).add("expert_load", DataTypes.createArrayType(DataTypes.DoubleType))
            .add("dropped_share", DataTypes.DoubleType);

    /**
     * pbt/&lt;run&gt;/lineage/chunk=ID/: one row per member and ready point of a population-based run: the
     * hyperparameters it trained with, its training loss and held-out score, and what it continues from
     * (parent: its own number, or the member it copied at this point) with which hyperparameters.
     */
    public static final StructType PBT_LINEAGE = new StructType().add("chunk", DataTypes.StringType).add("ready", DataTypes.LongType)
            .add("round", DataTypes.IntegerType).add("step", DataTypes.LongType).add("tokens_seen", DataTypes.LongType)
            .add("member", DataTypes.IntegerType)
            .add("hyperparameters", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, false))
            .add("train_loss", DataTypes.DoubleType).add("score", DataTypes.DoubleType).add("parent", DataTypes.IntegerType)
            .add("exploited", DataTypes.BooleanType)
            .add("next_hyperparameters", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, false))
            .add("seconds", DataTypes.DoubleType);

    /** eval/&lt;run&gt;/anytime/chunk=ID/: one row per metric, task, language and k. */
    public static final StructType ANYTIME = new StructType().add("chunk", DataTypes.StringType).add("seq", DataTypes.LongType)
            .add("model_chunk", DataTypes.StringType).add("step", DataTypes.LongType).add("tokens_seen", DataTypes.LongType)
            .add("metric", DataTypes.StringType).add("task", DataTypes.StringType).add("lang", DataTypes.StringType)
            .add("k", DataTypes.IntegerType).add("value", DataTypes.DoubleType).add("n", DataTypes.LongType);

    /**
     * {@code df} as exactly {@code schema}'s columns, in order. Types must already match (no silent
     * casts): a writer that produces another type is a bug, reported with the column.
     */
    public static Dataset<Row> conform(Dataset<Row> df, StructType schema) {
        List<String> have = Arrays.asList(df.columns());
        List<Column> cols = new ArrayList<>();
        for (StructField f : schema.fields()) {
            if (!have.contains(f.name())) {
                throw new IllegalStateException("dataset is missing column '" + f.name() + "' of its schema; it has " + have);
            }
            DataType actual = df.schema().apply(f.name()).dataType();
            if (!sameType(actual, f.dataType())) {
                throw new IllegalStateException("column '" + f.name() + "' is " + actual.simpleString() + ", its schema says " + f.dataType().simpleString());
            }
            cols.add(col(f.name()));
        }
        return df.select(cols.toArray(new Column[0]));
    }

    /** Equal types ignoring nullability of elements and values (Spark decides those per plan). */
    static boolean sameType(DataType a, DataType b) {
        return a.asNullable().sameType(b.asNullable());
    }

    /** Schema without the columns that are partition directories. */
    public static StructType withoutPartitions(StructType schema, String... partitions) {
        StructType out = new StructType();
        for (StructField f : schema.fields()) {
            if (!Arrays.asList(partitions).contains(f.name())) {
                out = out.add(f);
            }
        }
        return out;
    }

    private static StructType ints(StructType s, String... names) {
        for (String n : names) {
            s = s.add(n, DataTypes.IntegerType);
        }
        return s;
    }

    private static StructType booleans(StructType s, String... names) {
        for (String n : names) {
            s = s.add(n, DataTypes.BooleanType);
        }
        return s;
    }

    private static StructType doubles(StructType s, String... names) {
        for (String n : names) {
            s = s.add(n, DataTypes.DoubleType);
        }
        return s;
    }

    private static StructType concat(StructType a, StructType b) {
        for (StructField f : b.fields()) {
            a = a.add(f);
        }
        return a;
    }
}
