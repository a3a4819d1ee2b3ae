package io.lmforge.tokenize.mix;

import org.apache.spark.api.java.function.MapPartitionsFunction;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Packs documents into fixed-length sequences: within each bucket (an independent stream, rows
 * arriving sorted by bucket then order key) documents are concatenated, each followed by the
 * separator, and cut every {@code length} tokens. A document may span two sequences (GPT-2
 * style). A bucket's last partial sequence is dropped; {@link #droppedTokens} says how much.
 * Sequence ids are bucket &lt;&lt; 32 | index in bucket.
 */
public final class SequencePacker implements MapPartitionsFunction<PackInput, PackedSequence> {
    private static final long serialVersionUID = 1L;
    private final int length;
    private final int separator;

    public SequencePacker(int length, int separator) {
        if (length < 2) {
            throw new IllegalArgumentException("sequence length must be >= 2, got " + length);
        }
        this.length = length;
        this.separator = separator;
    }

    /** Tokens a bucket with this stream length (documents + separators) loses to its partial last sequence. */
    public static long droppedTokens(long streamTokens, int length) {
        return streamTokens % length;
    }

    @Override
    public Iterator<PackedSequence> call(Iterator<PackInput> docs) {
        return new Iterator<>() {
            private final ArrayDeque<PackedSequence> ready = new ArrayDeque<>();
            private int bucket = Integer.MIN_VALUE;
            private int[] buf = new int[length];
            private int fill;
            private long index;

            private void emit() {
                ready.add(new PackedSequence(((long) bucket << 32) | index++, buf));
                buf = new int[length];
                fill = 0;
            }

            private void add(int token) {
                buf[fill++] = token;
                if (fill == length) {
                    emit();
                }
            }

            private void advance() {
                while (ready.isEmpty() && docs.hasNext()) {
                    PackInput d = docs.next();
                    if (d.getBucket() != bucket) {
                        bucket = d.getBucket();
                        fill = 0; // the previous bucket's partial sequence is dropped
                        index = 0;
                    }
                    for (int t : d.getTokens()) {
                        add(t);
                    }
                    add(separator);
                }
            }

            @Override
            public boolean hasNext() {
                advance();
                return !ready.isEmpty();
            }

            @Override
            public PackedSequence next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ready.poll();
            }
        };
    }
}
