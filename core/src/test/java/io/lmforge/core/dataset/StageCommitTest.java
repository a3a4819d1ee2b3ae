package io.lmforge.core.dataset;

import io.lmforge.core.testing.SharedSpark;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StageCommitTest {
    private static Manifest manifest(String fp) {
        return new Manifest("test", "0001", "v", "h", fp, List.of(), List.of(), Map.of("kept", 3), Map.of("total", 1.0), "a", "b");
    }

    @Test
    void publishRenamesIntoPlaceWritesManifestsAndCleansStaging() throws Exception {
        java.nio.file.Path root = SharedSpark.tempDir("commit");
        DatasetLayout layout = new DatasetLayout(root.toString());
        Configuration conf = new Configuration();
        FileSystem fs = layout.fs(conf);
        StageCommit c = StageCommit.begin(layout, conf, "test", "0001");
        Path staged = c.stage(layout.docs("0001"));
        Path stagedEmpty = c.stage(layout.rejected("0001"));
        fs.mkdirs(staged);
        Files.writeString(java.nio.file.Path.of(staged.toUri().getPath(), "part-0.txt"), "x");
        assertNull(StageCommit.readManifest(fs, layout.docs("0001")), "nothing is visible before publish");
        c.publish(manifest("fp1"));
        assertTrue(Files.exists(root.resolve("docs/chunk=0001/part-0.txt")));
        assertEquals("fp1", StageCommit.readManifest(fs, layout.docs("0001")).fingerprint());
        assertNotNull(StageCommit.readManifest(fs, layout.rejected("0001")), "an empty output is committed too");
        assertEquals(0, fs.listStatus(layout.staging()).length);
        assertFalse(fs.exists(stagedEmpty));

        // a second run replaces the previous output entirely
        StageCommit again = StageCommit.begin(layout, conf, "test", "0001");
        Path s2 = again.stage(layout.docs("0001"));
        fs.mkdirs(s2);
        again.publish(manifest("fp2"));
        assertFalse(Files.exists(root.resolve("docs/chunk=0001/part-0.txt")));
        assertEquals(3, StageCommit.readManifest(fs, layout.docs("0001")).count("kept"));
    }

    @Test
    void abortLeavesNothingBehindAndChunkIdsAreChecked() throws Exception {
        java.nio.file.Path root = SharedSpark.tempDir("abort");
        DatasetLayout layout = new DatasetLayout(root.toString());
        StageCommit c = StageCommit.begin(layout, new Configuration(), "test", "0002");
        layout.fs(new Configuration()).mkdirs(c.stage(layout.docs("0002")));
        c.abort();
        assertFalse(Files.exists(root.resolve("docs/chunk=0002")));
        assertEquals(0, Files.list(root.resolve("_staging")).count());
        org.junit.jupiter.api.Assertions.assertThrows(io.lmforge.core.config.ConfigError.class, () -> layout.docs("../etc"));
    }
}
