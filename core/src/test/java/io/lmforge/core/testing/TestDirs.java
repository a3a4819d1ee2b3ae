package io.lmforge.core.testing;

import org.apache.commons.io.FileUtils;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Directories a test JVM created, removed recursively when it exits: File.deleteOnExit only
 * removes empty directories, so every run used to leave its roots, logs and cluster work behind.
 */
public final class TestDirs {
    private static final List<Path> DIRS = new ArrayList<>();
    private static boolean hooked;

    private TestDirs() {
    }

    public static synchronized void deleteAtExit(Path dir) {
        if (Boolean.getBoolean("lmforge.keepTestDirs")) {
            return;
        }
        DIRS.add(dir);
        if (!hooked) {
            hooked = true;
            Runtime.getRuntime().addShutdownHook(new Thread(TestDirs::deleteAll, "lmforge-test-dirs-cleanup"));
        }
    }

    private static synchronized void deleteAll() {
        DIRS.forEach(d -> FileUtils.deleteQuietly(d.toFile())); // what a process still holds open may stay
    }
}
