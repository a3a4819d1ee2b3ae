package io.lmforge.core.dataset;

import io.lmforge.core.testing.SharedSpark;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** file:// in local mode: our file system, the same permissions Hadoop's chmod gives, no process per file. */
class NioLocalFileSystemTest {
    @Test
    void localModeWritesThroughItWithHadoopsPermissions() throws Exception {
        SparkSession spark = SharedSpark.get();
        java.nio.file.Path out = SharedSpark.tempDir("niofs").resolve("docs");
        String sample = new File(SharedSpark.repoRoot(), "data/sample/chunk-0001/ud.jsonl.gz").toString();
        FileSystem fs = FileSystem.newInstance(URI.create("file:///"), spark.sparkContext().hadoopConfiguration());
        assertEquals(NioLocalFileSystem.class, fs.getClass(), "installed by the shared local session");
        spark.read().json(sample).write().partitionBy("source_lang").parquet(out.toString());
        try (Stream<java.nio.file.Path> all = Files.walk(out)) {
            all.forEach(p -> assertEquals(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--",
                    PosixFilePermissions.toString(uncheckedPermissions(p)), p.toString()));
        }
        assertEquals(spark.read().json(sample).count(), spark.read().parquet(out.toString()).count());
    }

    @Test
    void everyModeIsSetAsChmodSetsIt() throws Exception {
        FileSystem nio = new NioLocalFileSystem.Raw();
        nio.initialize(URI.create("file:///"), new org.apache.hadoop.conf.Configuration());
        java.nio.file.Path dir = SharedSpark.tempDir("niofs-modes");
        for (int mode = 0; mode <= 0777; mode++) {
            java.nio.file.Path f = Files.createFile(dir.resolve("f" + mode));
            nio.setPermission(new Path(f.toUri()), new FsPermission((short) mode));
            assertEquals(new FsPermission((short) mode).toString(), PosixFilePermissions.toString(uncheckedPermissions(f)), "mode " + Integer.toOctalString(mode));
        }
        java.nio.file.Path sticky = Files.createDirectory(dir.resolve("sticky"));
        nio.setPermission(new Path(sticky.toUri()), new FsPermission((short) 01777)); // Hadoop's own chmod
        assertTrue(nio.getFileStatus(new Path(sticky.toUri())).getPermission().getStickyBit());
    }

    private static java.util.Set<java.nio.file.attribute.PosixFilePermission> uncheckedPermissions(java.nio.file.Path p) {
        try {
            return Files.getPosixFilePermissions(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
