package io.lmforge.training.data;

import io.lmforge.core.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The Arrow loader gives exactly the minibatches of the bean-decoder loader, across Arrow record-batch boundaries. */
class SequenceBatchesTest {

    private static Dataset<Row> sequences(SparkSession spark, int n, int len, int partitions) {
        Random r = new Random(3);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Integer> tok = new ArrayList<>();
            for (int k = 0; k < len; k++) {
                tok.add(r.nextInt(50_000));
            }
            rows.add(RowFactory.create((long) i, tok));
        }
        return spark.createDataFrame(rows, new StructType().add("seq_id", DataTypes.LongType)
                .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false))).repartition(partitions, org.apache.spark.sql.functions.col("seq_id"));
    }

    @Test
    void arrowBatchesEqualTheBeanDecoderBatches() throws Exception {
        SparkSession spark = SharedSpark.get();
        String before = spark.conf().get("spark.sql.execution.arrow.maxRecordsPerBatch");
        spark.conf().set("spark.sql.execution.arrow.maxRecordsPerBatch", "7"); // minibatches of 5 straddle record batches
        try {
            Dataset<Row> seqs = sequences(spark, 53, 17, 3).cache();
            List<MultiDataSet> arrow = SequenceBatches.of(seqs, 5).collect();
            List<MultiDataSet> beans = SequenceBatches.ofBeans(seqs, 5).collect();
            assertEquals(beans.size(), arrow.size());
            long sequences = 0;
            for (int i = 0; i < arrow.size(); i++) {
                assertArrayEquals(beans.get(i).getFeatures(0).shape(), arrow.get(i).getFeatures(0).shape(), "batch " + i);
                assertArrayEquals(beans.get(i).getLabels(0).shape(), arrow.get(i).getLabels(0).shape(), "batch " + i);
                assertArrayEquals(beans.get(i).getFeatures(0).data().asFloat(), arrow.get(i).getFeatures(0).data().asFloat(), "batch " + i);
                assertArrayEquals(beans.get(i).getLabels(0).data().asFloat(), arrow.get(i).getLabels(0).data().asFloat(), "batch " + i);
                sequences += arrow.get(i).getFeatures(0).size(0);
            }
            assertEquals(53, sequences, "every sequence in exactly one minibatch");
            seqs.unpersist();
        } finally {
            spark.conf().set("spark.sql.execution.arrow.maxRecordsPerBatch", before);
        }
    }

    @Test
    void sequencesOfDifferentLengthsInOneBatchAreRefused() {
        SparkSession spark = SharedSpark.get();
        Dataset<Row> mixed = sequences(spark, 3, 9, 1).union(sequences(spark, 3, 8, 1)).coalesce(1);
        Exception e = assertThrows(Exception.class, () -> SequenceBatches.of(mixed, 6).collect());
        org.junit.jupiter.api.Assertions.assertTrue(String.valueOf(rootCause(e).getMessage()).contains("sequence of 8 tokens in a batch of 9-token sequences"),
                String.valueOf(rootCause(e)));
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
