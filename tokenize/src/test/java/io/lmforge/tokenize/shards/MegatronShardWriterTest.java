package io.lmforge.tokenize.shards;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The .idx/.bin bytes against Megatron-LM's layout, field by field (python/read_shards.py reads whole exports in CI). */
class MegatronShardWriterTest {
    @Test
    void writesMegatronsIndexAndDataLayout() throws Exception {
        java.nio.file.Path dir = io.lmforge.core.testing.SharedSpark.tempDir("megatron");
        FileSystem fs = FileSystem.getLocal(new Configuration());
        MegatronShardWriter.write(fs, new Path(dir.resolve("tokens").toString()), MegatronShardWriter.DType.UINT16,
                List.of(new int[]{0, 7, 65535}, new int[]{300}).iterator());
        ByteBuffer bin = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("tokens.bin"))).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(8, bin.remaining(), "4 uint16 ids");
        assertArrayEquals(new short[]{0, 7, (short) 65535, 300}, new short[]{bin.getShort(), bin.getShort(), bin.getShort(), bin.getShort()});

        ByteBuffer idx = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("tokens.idx"))).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[9];
        idx.get(magic);
        assertArrayEquals("MMIDIDX\0\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII), magic);
        assertEquals(1L, idx.getLong(), "version");
        assertEquals(8, idx.get(), "dtype code of uint16");
        assertEquals(2L, idx.getLong(), "sequences");
        assertEquals(3L, idx.getLong(), "document index entries: documents + 1");
        assertEquals(3, idx.getInt(), "length of sequence 0");
        assertEquals(1, idx.getInt(), "length of sequence 1");
        assertEquals(0L, idx.getLong(), "byte offset of sequence 0");
        assertEquals(6L, idx.getLong(), "byte offset of sequence 1: 3 ids x 2 bytes");
        assertArrayEquals(new long[]{0, 1, 2}, new long[]{idx.getLong(), idx.getLong(), idx.getLong()});
        assertEquals(0, idx.remaining());
    }

    @Test
    void choosesMegatronsDtypeByVocabularyAndRefusesIdsThatDoNotFit() throws Exception {
        assertEquals(MegatronShardWriter.DType.UINT16, MegatronShardWriter.DType.forVocabulary(65_499));
        assertEquals(MegatronShardWriter.DType.INT32, MegatronShardWriter.DType.forVocabulary(65_500));
        java.nio.file.Path dir = io.lmforge.core.testing.SharedSpark.tempDir("megatron");
        FileSystem fs = FileSystem.getLocal(new Configuration());
        try (MegatronShardWriter w = new MegatronShardWriter(fs, new Path(dir.resolve("t").toString()), MegatronShardWriter.DType.UINT16)) {
            assertThrows(IllegalArgumentException.class, () -> w.add(new int[]{70_000}));
        }
    }
}
