package io.lmforge.eval.score;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.udf;

/**
 * Where a model's bits per byte stand: the same held-out documents scored by two models that need no
 * training run. Uniform: every token of the vocabulary equally likely (log2 V bits per token). Unigram:
 * token frequencies of the training sequences of the held-out set's chunks, add-one smoothed. Both per
 * language, in bits (divide by the bytes for bits per byte), comparable with the model's.
 */
public final class BaselineBpb {
    private BaselineBpb() {
    }

    /**
     * @param heldout documents with lang, n_tokens and tokens (the ones the model is scored on)
     * @param train   packed training sequences (a tokens column) the unigram model is counted on
     * @return lang -> {uniform bits, unigram bits}
     */
    public static Map<String, double[]> of(SparkSession spark, Dataset<Row> heldout, Dataset<Row> train, int vocab) {
        long[] counts = new long[vocab];
        for (Row r : train.select(explode(col("tokens")).as("t")).groupBy("t").count().collectAsList()) {
            int t = r.getInt(0);
            if (t >= 0 && t < vocab) {
                counts[t] += r.getLong(1);
            }
        }
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        double[] bits = new double[vocab];
        for (int t = 0; t < vocab; t++) {
            bits[t] = -Math.log((counts[t] + 1.0) / (total + vocab)) / Math.log(2);
        }
        double unseen = Math.log(total + vocab) / Math.log(2); // an id beyond the vocabulary: as if counted zero times
        Broadcast<double[]> b = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(bits);
        UDF1<scala.collection.Seq<Object>, Double> unigram = seq -> {
            double[] table = b.value();
            double s = 0;
            scala.collection.Iterator<Object> it = seq.iterator();
            while (it.hasNext()) {
                int t = (Integer) it.next();
                s += t >= 0 && t < table.length ? table[t] : unseen;
            }
            return s;
        };
        double uniformBitsPerToken = Math.log(vocab) / Math.log(2);
        Map<String, double[]> out = new TreeMap<>();
        List<Row> rows = heldout.withColumn("_unigram", udf(unigram, DataTypes.DoubleType).apply(col("tokens")))
                .groupBy("lang").agg(sum("n_tokens"), sum("_unigram")).collectAsList();
        for (Row r : rows) {
            out.put(r.getString(0), new double[]{r.getLong(1) * uniformBitsPerToken, r.getDouble(2)});
        }
        b.destroy();
        return out;
    }
}
