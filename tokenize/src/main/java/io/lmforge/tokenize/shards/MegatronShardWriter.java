package io.lmforge.tokenize.shards;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;

/**
 * Megatron-LM's indexed dataset (`megatron/core/datasets/indexed_dataset.py`, also read by GPT-NeoX and
 * nanotron): PREFIX.bin holds every sequence's token ids back to back; PREFIX.idx, all little-endian:
 * the header "MMIDIDX\0\0", version u64 = 1, dtype code u8 (8 = uint16, 4 = int32), sequence count u64,
 * document count u64 (documents + 1), the sequences' lengths i32[], their byte offsets into .bin i64[],
 * and the document index i64[] (document d spans sequences [idx[d], idx[d+1])). Written by hand: the
 * format has no Java library, and it is a few fixed fields.
 */
public final class MegatronShardWriter implements AutoCloseable {
    static final byte[] MAGIC = "MMIDIDX\0\0".getBytes(StandardCharsets.US_ASCII);

    /** Megatron's best_fitting_dtype: uint16 while the vocabulary fits below 65,500 ids, else int32. */
    public enum DType {
        UINT16(8, 2), INT32(4, 4);

        final int code;
        final int bytes;

        DType(int code, int bytes) {
            this.code = code;
            this.bytes = bytes;
        }

        public static DType forVocabulary(int vocabSize) {
            return vocabSize < 65_500 ? UINT16 : INT32;
        }
    }

    private final FileSystem fs;
    private final Path prefix;
    private final DType dtype;
    private final FSDataOutputStream bin;
    private int[] lengths = new int[1024];
    private long[] pointers = new long[1024];
    private int sequences;
    private long tokens;

    public MegatronShardWriter(FileSystem fs, Path prefix, DType dtype) throws IOException {
        this.fs = fs;
        this.prefix = prefix;
        this.dtype = dtype;
        this.bin = fs.create(new Path(prefix.getParent(), prefix.getName() + ".bin"), false);
    }

    /** Appends one sequence (one document: the packed sequences are already what a trainer consumes). */
    public void add(int[] ids) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(ids.length * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int id : ids) {
            if (id < 0 || (dtype == DType.UINT16 && id > 0xFFFF)) {
                throw new IllegalArgumentException("token id " + id + " does not fit " + dtype);
            }
            if (dtype == DType.UINT16) {
                b.putShort((short) id);
            } else {
                b.putInt(id);
            }
        }
        if (sequences == lengths.length) {
            lengths = Arrays.copyOf(lengths, sequences * 2);
            pointers = Arrays.copyOf(pointers, sequences * 2);
        }
        lengths[sequences] = ids.length;
        pointers[sequences] = tokens * dtype.bytes;
        sequences++;
        tokens += ids.length;
        bin.write(b.array());
    }

    public static void write(FileSystem fs, Path prefix, DType dtype, Iterator<int[]> sequences) throws IOException {
        try (MegatronShardWriter w = new MegatronShardWriter(fs, prefix, dtype)) {
            while (sequences.hasNext()) {
                w.add(sequences.next());
            }
        }
    }

    public int sequences() {
        return sequences;
    }

    public long tokens() {
        return tokens;
    }

    @Override
    public void close() throws IOException {
        bin.close();
        ByteBuffer idx = ByteBuffer.allocate(MAGIC.length + 8 + 1 + 8 + 8 + sequences * 4 + sequences * 8 + (sequences + 1) * 8)
                .order(ByteOrder.LITTLE_ENDIAN);
        idx.put(MAGIC).putLong(1).put((byte) dtype.code).putLong(sequences).putLong(sequences + 1L);
        for (int i = 0; i < sequences; i++) {
            idx.putInt(lengths[i]);
        }
        for (int i = 0; i < sequences; i++) {
            idx.putLong(pointers[i]);
        }
        for (long d = 0; d <= sequences; d++) {
            idx.putLong(d);
        }
        try (FSDataOutputStream out = fs.create(new Path(prefix.getParent(), prefix.getName() + ".idx"), false)) {
            out.write(idx.array());
        }
    }
}
