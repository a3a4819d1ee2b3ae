package io.lmforge.core.testing;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
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
        DIRS.forEach(TestDirs::deleteTree);
    }

    /** Deletes what it can (a file still open elsewhere stays); never follows links out of the tree. */
    static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    quietlyDelete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                    quietlyDelete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // shutting down: nothing to report to
        }
    }

    private static void quietlyDelete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a directory another process still writes to stays behind
        }
    }
}
