package io.lmforge.core.dataset;

import io.lmforge.core.testing.SharedSpark;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkRegistryTest {

    @Test
    void numbersFollowFirstRegistrationAndNeverChange() throws Exception {
        DatasetLayout layout = new DatasetLayout(SharedSpark.tempDir("registry").toString());
        ChunkRegistry r = new ChunkRegistry(layout.fs(new Configuration()), layout);
        assertEquals(Long.MAX_VALUE, r.arrival("0002"));
        assertEquals(1, r.arrivalOrNext("0002"), "what a first registration would get, without claiming it");
        assertEquals(1, r.register("0002"));
        assertEquals(2, r.register("0001"));
        assertEquals(1, r.register("0002"), "a re-run keeps its number");
        assertEquals(List.of("0002", "0001"), r.inArrivalOrder());
        assertEquals(List.of("0002"), r.before("0001"));
        assertEquals(List.of("0002", "0001"), r.before("0003"), "a chunk that has not arrived comes after all");
    }

    @Test
    void chunksRegisteringAtOnceGetDistinctNumbers() throws Exception {
        DatasetLayout layout = new DatasetLayout(SharedSpark.tempDir("registry-race").toString());
        FileSystem fs = layout.fs(new Configuration());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Long>> got = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                String chunk = String.format("c%02d", i);
                got.add(pool.submit(() -> new ChunkRegistry(fs, layout).register(chunk)));
            }
            TreeSet<Long> numbers = new TreeSet<>();
            for (Future<Long> f : got) {
                numbers.add(f.get());
            }
            assertEquals(24, numbers.size(), "distinct numbers: " + numbers);
            assertEquals(24L, numbers.last());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void exclusiveCreateHasOneWinner() throws Exception {
        java.nio.file.Path dir = SharedSpark.tempDir("exclusive");
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Path p = new Path(dir.resolve("x.lock").toString());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> got = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int n = i;
                got.add(pool.submit(() -> HadoopFiles.createExclusive(fs, p, "owner " + n)));
            }
            int winners = 0;
            for (Future<Boolean> f : got) {
                winners += f.get() ? 1 : 0;
            }
            assertEquals(1, winners);
            assertTrue(HadoopFiles.readString(fs, p).startsWith("owner "));
            assertFalse(HadoopFiles.createExclusive(fs, p, "late"));
        } finally {
            pool.shutdownNow();
        }
    }
}
