package io.lmforge.training.data;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * Packed sequences (seq_len + 1 tokens) -> minibatches for the LM: features = tokens[0..T-1],
 * labels = tokens[1..T]: features [batch, 1, T] (DL4J's recurrent layout), labels [batch, T] (one row
 * per sequence, for {@code TokenCrossEntropy}). Parquet's int32 column
 * reaches a primitive int[] through Spark's bean decoder and is copied into one float[] per
 * batch, then wrapped by ND4J: no boxed object per token.
 */
public final class SequenceBatches {
    private SequenceBatches() {
    }

    public static JavaRDD<MultiDataSet> of(Dataset<Row> sequences, int batchSize) {
        return sequences.select(col("seq_id").as("seqId"), col("tokens")).as(Encoders.bean(TrainSequence.class)).javaRDD()
                .mapPartitions(it -> batches(it, batchSize));
    }

    static Iterator<MultiDataSet> batches(Iterator<TrainSequence> it, int batchSize) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public MultiDataSet next() {
                List<int[]> rows = new ArrayList<>(batchSize);
                while (rows.size() < batchSize && it.hasNext()) {
                    rows.add(it.next().getTokens());
                }
                return toBatch(rows);
            }
        };
    }

    /** Sequences of equal length L = T + 1 -> one MultiDataSet. */
    public static MultiDataSet toBatch(List<int[]> rows) {
        int t = rows.get(0).length - 1;
        float[] f = new float[rows.size() * t];
        float[] l = new float[rows.size() * t];
        for (int b = 0; b < rows.size(); b++) {
            int[] s = rows.get(b);
            if (s.length != t + 1) {
                throw new IllegalArgumentException("sequence of " + s.length + " tokens in a batch of " + (t + 1) + "-token sequences");
            }
            for (int i = 0; i < t; i++) {
                f[b * t + i] = s[i];
                l[b * t + i] = s[i + 1];
            }
        }
        return new org.nd4j.linalg.dataset.MultiDataSet(Nd4j.create(f, new long[]{rows.size(), 1, t}, DataType.FLOAT),
                Nd4j.create(l, new long[]{rows.size(), t}, DataType.FLOAT));
    }
}
