package io.lmforge.tokenize.train;

import io.lmforge.tokenize.bpe.BpeEncoder;
import io.lmforge.tokenize.bpe.BpeTokenizer;
import io.lmforge.tokenize.bpe.PreTokenizer;
import io.lmforge.tokenize.encode.BpeModel;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sum;

/**
 * The word statistics BPE training needs, from one pass over the text: per language, how often
 * each pre-token (word) occurs, and the language's documents and UTF-8 bytes. Everything later
 * (language weights, the weighted word table, each language's tokens under the learned tokenizer)
 * is computed from this table, so the text is read once (it was read three times: bytes, words,
 * and an encoding pass for the per-language statistics).
 *
 * <p>Rows: (lang, word, n, bytes, docs). A word row has its occurrences in n; each language has one
 * row with a null word: n = its documents with text, bytes = their UTF-8 bytes, docs = all its documents.
 */
final class LanguageWordCounts {
    /** Weighted counts are kept to this many decimal places (fixed point). */
    static final int WEIGHT_DECIMALS = 2;
    /** Fixed-point units per occurrence of weight 1: 10^WEIGHT_DECIMALS. */
    static final long UNITS = java.math.BigInteger.TEN.pow(WEIGHT_DECIMALS).longValueExact();
    static final StructType SCHEMA = new StructType().add("lang", DataTypes.StringType).add("word", DataTypes.StringType)
            .add("n", DataTypes.LongType, false).add("bytes", DataTypes.LongType, false).add("docs", DataTypes.LongType, false);

    /** Each language's documents and bytes (languages with text only in bytesByLang, as before). */
    record Totals(Map<String, Long> docsByLang, Map<String, Long> bytesByLang) {
    }

    private LanguageWordCounts() {
    }

    /** Counts per partition in hash maps (most words repeat), then sums the partitions on Spark. */
    static Dataset<Row> count(Dataset<Row> docs) {
        MapPartitionsFunction<Row, Row> perPartition = rows -> {
            Map<String, LanguageCounts> byLang = new HashMap<>();
            PreTokenizer pre = PreTokenizer.lmforge();
            while (rows.hasNext()) {
                Row r = rows.next();
                LanguageCounts lc = byLang.computeIfAbsent(r.getString(0), k -> new LanguageCounts());
                lc.docs++;
                if (!r.isNullAt(1)) {
                    String text = r.getString(1);
                    lc.textDocs++;
                    lc.bytes += BpeModel.utf8Length(text);
                    pre.split(text, lc::add);
                }
            }
            List<Row> out = new ArrayList<>();
            for (Map.Entry<String, LanguageCounts> e : byLang.entrySet()) {
                LanguageCounts lc = e.getValue();
                out.add(RowFactory.create(e.getKey(), null, lc.textDocs, lc.bytes, lc.docs));
                for (Map.Entry<String, long[]> w : lc.words.entrySet()) {
                    out.add(RowFactory.create(e.getKey(), w.getKey(), w.getValue()[0], 0L, 0L));
                }
            }
            return out.iterator();
        };
        return docs.mapPartitions(perPartition, Encoders.row(SCHEMA))
                .groupBy("lang", "word").agg(sum("n").as("n"), sum("bytes").as("bytes"), sum("docs").as("docs"));
    }

    static Totals totals(Dataset<Row> counted) {
        Map<String, Long> docs = new TreeMap<>();
        Map<String, Long> bytes = new TreeMap<>();
        for (Row r : counted.where(col("word").isNull()).select("lang", "n", "bytes", "docs").collectAsList()) {
            docs.put(r.getString(0), r.getLong(3));
            if (r.getLong(1) > 0) {
                bytes.put(r.getString(0), r.getLong(2));
            }
        }
        return new Totals(docs, bytes);
    }

    /**
     * The word table: each word's weighted occurrences (sum over languages of occurrences x the
     * language's weight, the weight taken to 9 decimal places), rounded half-up to
     * {@link #WEIGHT_DECIMALS} places and given in those units (fixed point, as a long). Summed in
     * exact decimals, so the table does not depend on how the input was partitioned.
     */
    static Dataset<Row> weighted(Dataset<Row> counted, Map<String, Double> weights) {
        List<Row> w = new ArrayList<>();
        weights.forEach((lang, weight) -> w.add(RowFactory.create(lang, new BigDecimal(weight).setScale(9, RoundingMode.HALF_UP))));
        Dataset<Row> weightTable = counted.sparkSession().createDataFrame(w,
                new StructType().add("lang", DataTypes.StringType).add("w", DataTypes.createDecimalType(18, 9)));
        // decimal(19,0) x decimal(18,9) is decimal(38,9): exact, no precision adjustment
        return counted.where(col("word").isNotNull()).join(broadcast(weightTable), "lang")
                .groupBy("word").agg(sum(col("n").cast("decimal(19,0)").multiply(col("w"))).as("weighted"))
                .select(col("word"), round(col("weighted"), WEIGHT_DECIMALS).multiply(UNITS).cast("long").as("count"))
                .where(col("count").gt(0));
    }

    /** Tokens per language under {@code tok}: each word's encoded length times its occurrences. */
    static Map<String, Long> tokensByLang(Dataset<Row> counted, BpeTokenizer tok) {
        Broadcast<BpeTokenizer> shared = JavaSparkContext.fromSparkContext(counted.sparkSession().sparkContext()).broadcast(tok);
        MapPartitionsFunction<Row, Row> perPartition = rows -> {
            BpeEncoder enc = shared.value().newEncoder();
            Map<String, long[]> tokens = new HashMap<>();
            while (rows.hasNext()) {
                Row r = rows.next();
                tokens.computeIfAbsent(r.getString(0), k -> new long[1])[0] += r.getLong(2) * enc.encodedLength(r.getString(1));
            }
            List<Row> out = new ArrayList<>();
            tokens.forEach((lang, n) -> out.add(RowFactory.create(lang, n[0])));
            return out.iterator();
        };
        StructType schema = new StructType().add("lang", DataTypes.StringType).add("tokens", DataTypes.LongType, false);
        Map<String, Long> byLang = new TreeMap<>();
        for (Row r : counted.where(col("word").isNotNull()).select("lang", "word", "n").mapPartitions(perPartition, Encoders.row(schema))
                .groupBy("lang").agg(sum("tokens")).collectAsList()) {
            byLang.put(r.getString(0), r.getLong(1));
        }
        shared.destroy();
        return byLang;
    }

    /** One language's counts in one partition. */
    private static final class LanguageCounts {
        final HashMap<String, long[]> words = new HashMap<>();
        long docs;
        long textDocs;
        long bytes;

        void add(String word) {
            long[] n = words.get(word);
            if (n == null) {
                words.put(word, new long[]{1});
            } else {
                n[0]++;
            }
        }
    }
}
