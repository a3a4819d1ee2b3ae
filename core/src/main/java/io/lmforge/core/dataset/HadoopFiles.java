package io.lmforge.core.dataset;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.util.UUID;

/**
 * Small files on any Hadoop file system (manifests, pointers, locks, JSON state), written so that a
 * reader never sees half of one: to a temporary name, then renamed. Hadoop's FileSystem API has no
 * portable "create if absent" or "replace atomically", so the two primitives are chosen per scheme.
 */
public final class HadoopFiles {
    /** Larger small files are refused rather than read into memory (a manifest is a few KB). */
    public static final int MAX_SMALL_FILE = 64 << 20;

    private HadoopFiles() {
    }

    public static String readString(FileSystem fs, Path p) throws IOException {
        long len = fs.getFileStatus(p).getLen();
        if (len > MAX_SMALL_FILE) {
            throw new IOException(p + " is " + len + " bytes; refusing to read more than " + MAX_SMALL_FILE + " into memory");
        }
        try (FSDataInputStream in = fs.open(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Writes a new file in place (for files inside a directory nobody reads yet, e.g. staging). */
    public static void writeString(FileSystem fs, Path p, String s) throws IOException {
        try (FSDataOutputStream out = fs.create(p, true)) {
            out.write(s.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Writes {@code s} to a temporary sibling and renames it over {@code p}: readers see the old or the new file, never a torn one. */
    public static void writeAtomically(FileSystem fs, Path p, String s) throws IOException {
        Path tmp = new Path(p.getParent(), "." + p.getName() + "." + UUID.randomUUID().toString().substring(0, 8) + ".tmp");
        writeString(fs, tmp, s);
        try {
            replace(fs, tmp, p);
        } catch (IOException e) {
            fs.delete(tmp, false);
            throw e;
        }
    }

    /**
     * Renames file {@code src} over {@code dst}, replacing it atomically: POSIX rename(2) on the local
     * file system (java.io.File#renameTo replaces), FileContext's rename with OVERWRITE elsewhere
     * (atomic on HDFS; an object store gives copy + delete, where no rename is atomic anyway).
     */
    public static void replace(FileSystem fs, Path src, Path dst) throws IOException {
        if (isLocal(fs)) {
            if (!fs.rename(src, dst)) {
                throw new IOException("cannot rename " + src + " to " + dst);
            }
            return;
        }
        FileContext.getFileContext(fs.getUri(), fs.getConf()).rename(src, dst, Options.Rename.OVERWRITE);
    }

    /**
     * Creates {@code p} with {@code content} only if nothing exists there; false if something does.
     * The local file system's Hadoop create(overwrite=false) checks, then creates (a race), so local
     * paths use an O_EXCL create; HDFS's create(overwrite=false) is atomic on the NameNode.
     */
    public static boolean createExclusive(FileSystem fs, Path p, String content) throws IOException {
        fs.mkdirs(p.getParent());
        if (isLocal(fs)) {
            java.nio.file.Path local = java.nio.file.Path.of(fs.makeQualified(p).toUri());
            try {
                Files.writeString(local, content, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            }
        }
        try (FSDataOutputStream out = fs.create(p, false)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
            return false;
        }
    }

    public static boolean isLocal(FileSystem fs) {
        return fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem;
    }

    /** A directory that exists and holds no entries. */
    public static boolean isEmptyDirectory(FileSystem fs, Path p) throws IOException {
        return fs.getFileStatus(p).isDirectory() && fs.listStatus(p).length == 0;
    }
}
