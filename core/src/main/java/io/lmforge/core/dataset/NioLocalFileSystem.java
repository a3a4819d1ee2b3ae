package io.lmforge.core.dataset;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.io.nativeio.NativeIO;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * Hadoop's local file system (`file://`, with its checksums) that sets permissions through java.nio.
 * Without Hadoop's native library — the usual case on a laptop and in Spark's own distribution —
 * `RawLocalFileSystem.setPermission` forks a `chmod` process for every file and directory it creates:
 * about 330 processes, 0.65 CPU-seconds and as much wall time for one 15 MB dedup run (strace; the
 * daemon's cutime). The same mode bits go through {@link Files#setPosixFilePermissions} here; a mode
 * with setuid/setgid/sticky bits, a non-POSIX file system or the native library present keep Hadoop's way.
 */
public final class NioLocalFileSystem extends LocalFileSystem {
    /** The Hadoop key {@link #installFor} sets. */
    public static final String KEY = "fs.file.impl";

    public NioLocalFileSystem() {
        super(new Raw());
    }

    /**
     * In local mode (one JVM: driver and executors), makes `file://` this class for the Hadoop
     * Configurations this JVM creates from here on and reloads the existing ones; before the first
     * FileSystem of the run is opened, since Hadoop caches file systems by scheme. A `fs.file.impl` the
     * user configured (core-site.xml) is kept. On a cluster nothing changes: executors load file systems
     * with their own class loaders and may not see this jar's classes there.
     */
    public static synchronized void installFor(String sparkMaster) {
        if (!installed && sparkMaster != null && sparkMaster.startsWith("local") && new Configuration().get(KEY) == null) {
            installed = true;
            Configuration.addDefaultResource("lmforge-local-fs.xml");
        }
    }

    private static boolean installed;

    /** The raw file system under the checksums. */
    public static final class Raw extends RawLocalFileSystem {
        @Override
        public void setPermission(Path p, FsPermission permission) throws IOException {
            short mode = permission.toShort();
            if (NativeIO.isAvailable() || (mode & ~0777) != 0) {
                super.setPermission(p, permission);
                return;
            }
            try {
                Files.setPosixFilePermissions(pathToFile(p).toPath(), posix(mode));
            } catch (UnsupportedOperationException e) {
                super.setPermission(p, permission); // not a POSIX file system
            }
        }

        static Set<PosixFilePermission> posix(int mode) {
            Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
            PosixFilePermission[] bits = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                    PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                    PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
            for (int i = 0; i < bits.length; i++) {
                if ((mode & (1 << i)) != 0) {
                    s.add(bits[i]);
                }
            }
            return s;
        }
    }
}
