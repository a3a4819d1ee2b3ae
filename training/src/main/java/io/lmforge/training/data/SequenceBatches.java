package io.lmforge.training.data;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import static org.apache.spark.sql.functions.col;

/**
 * Packed sequences (seq_len + 1 tokens) -> minibatches for the LM: features = tokens[0..T-1]
 * [batch, 1, T] (DL4J's recurrent layout), labels = tokens[1..T] as [batch, T] (one row per
 * sequence, for {@code TokenCrossEntropy}).
 *
 * <p>{@link #sequences} moves the token column as Apache Arrow record batches (Spark's own columnar
 * export, the one PySpark uses): each sequence is copied from the batch's int32 values buffer into
 * one int[], so no Row and no per-token object is made; {@link #of} groups them into minibatches. {@link #ofBeans}, the
 * earlier path through Spark's bean decoder (one int[] per sequence), is kept as the benchmark's
 * baseline.
 */
public final class SequenceBatches {
    private SequenceBatches() {
    }

    /** Minibatches of {@code batchSize} sequences per partition (the last of a partition may be smaller), in row order. */
    public static JavaRDD<MultiDataSet> of(Dataset<Row> sequences, int batchSize) {
        return sequences(sequences).mapPartitions(it -> minibatches(it, batchSize));
    }

    /** Consecutive sequences grouped into minibatches of {@code batchSize} (the last may be smaller). */
    static Iterator<MultiDataSet> minibatches(Iterator<int[]> sequences, int batchSize) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return sequences.hasNext();
            }

            @Override
            public MultiDataSet next() {
                List<int[]> rows = new ArrayList<>(batchSize);
                while (rows.size() < batchSize && sequences.hasNext()) {
                    rows.add(sequences.next());
                }
                return toBatch(rows);
            }
        };
    }

    /** The `tokens` column as one int[] per sequence, in row order, through Arrow (no Row, no boxed token). */
    public static JavaRDD<int[]> sequences(Dataset<Row> sequences) {
        Dataset<Row> tokens = sequences.select(col("tokens"));
        StructType schema = tokens.schema();
        String timeZone = sequences.sparkSession().sessionState().conf().sessionLocalTimeZone();
        // toArrowBatchRdd is private[sql] in Scala, public in bytecode: the same export PySpark's toPandas/mapInArrow use
        return tokens.toArrowBatchRdd().toJavaRDD().mapPartitions(batches -> new ArrowSequences(batches, schema, timeZone));
    }

    /** The bean-decoder path (Row -> int[] per sequence -> float[]): the loader benchmark's baseline. */
    public static JavaRDD<MultiDataSet> ofBeans(Dataset<Row> sequences, int batchSize) {
        return sequences.select(col("seq_id").as("seqId"), col("tokens")).as(Encoders.bean(TrainSequence.class)).javaRDD()
                .map(TrainSequence::getTokens).mapPartitions(it -> minibatches(it, batchSize));
    }

    /** Sequences of equal length L = T + 1 -> one MultiDataSet. */
    public static MultiDataSet toBatch(List<int[]> rows) {
        int t = rows.get(0).length - 1;
        float[] f = new float[rows.size() * t];
        float[] l = new float[rows.size() * t];
        for (int b = 0; b < rows.size(); b++) {
            int[] s = rows.get(b);
            requireLength(s.length, t);
            for (int i = 0; i < t; i++) {
                f[b * t + i] = s[i];
                l[b * t + i] = s[i + 1];
            }
        }
        return batch(f, l, rows.size(), t);
    }

    private static MultiDataSet batch(float[] features, float[] labels, int rows, int t) {
        return new org.nd4j.linalg.dataset.MultiDataSet(Nd4j.create(features, new long[]{rows, 1, t}, DataType.FLOAT),
                Nd4j.create(labels, new long[]{rows, t}, DataType.FLOAT));
    }

    private static void requireLength(int length, int t) {
        if (length != t + 1) {
            throw new IllegalArgumentException("sequence of " + length + " tokens in a batch of " + (t + 1) + "-token sequences");
        }
    }

    /**
     * Arrow record batches (IPC messages) of one partition -> one int[] per sequence, copied from the
     * record batch's int32 values buffer. The Arrow memory is released when the partition is exhausted
     * (or its task ends early).
     */
    private static final class ArrowSequences implements Iterator<int[]> {
        private final Iterator<byte[]> messages;
        private final BufferAllocator allocator = new RootAllocator();
        private final VectorSchemaRoot root;
        private final VectorLoader loader;
        private int row;      // next sequence of the loaded record batch
        private int rowCount; // sequences in the loaded record batch
        private boolean closed;

        ArrowSequences(Iterator<byte[]> messages, StructType schema, String timeZone) {
            this.messages = messages;
            Schema arrowSchema = ArrowUtils.toArrowSchema(schema, timeZone, true, false);
            this.root = VectorSchemaRoot.create(arrowSchema, allocator);
            this.loader = new VectorLoader(root);
            org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
            if (task != null) {
                task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> close()); // a consumer that stops early
            }
        }

        @Override
        public boolean hasNext() {
            if (row < rowCount) {
                return true;
            }
            while (messages.hasNext()) {
                load(messages.next());
                if (rowCount > 0) {
                    return true;
                }
            }
            close();
            return false;
        }

        private void load(byte[] message) {
            try (ArrowRecordBatch batch = MessageSerializer.deserializeRecordBatch(
                    new ReadChannel(Channels.newChannel(new ByteArrayInputStream(message))), allocator)) {
                loader.load(batch);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read an Arrow record batch of packed sequences", e);
            }
            row = 0;
            rowCount = root.getRowCount();
        }

        @Override
        public int[] next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ListVector list = (ListVector) root.getVector(0);
            IntVector values = (IntVector) list.getDataVector();
            int start = list.getElementStartIndex(row);
            int length = list.getElementEndIndex(row) - start;
            if (length < 2) {
                throw new IllegalArgumentException("a packed sequence of " + length + " tokens (at least 2 needed: input and target)");
            }
            int[] out = new int[length];
            for (int i = 0; i < length; i++) {
                out[i] = values.get(start + i);
            }
            row++;
            return out;
        }

        private void close() {
            if (!closed) {
                closed = true;
                root.close();
                allocator.close();
            }
        }
    }
}
