package io.lmforge.core.dataset;

import io.lmforge.core.BuildInfo;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Atomic, idempotent output of one stage run. Outputs are written under
 * {@code <root>/_staging/<stage>-<chunk>-<run>/}, then each is renamed into place and finally
 * the manifest is written into every output, primary last. Readers only trust directories that
 * hold a manifest, so a crash at any point never exposes a half-written dataset; the next run
 * removes the leftovers. (On object stores without atomic rename, e.g. s3a, the manifest is
 * still the commit point; only the rename is not atomic.)
 */
public final class StageCommit {
    private final FileSystem fs;
    private final Path stagingDir;
    private final Map<Path, Path> outputs = new LinkedHashMap<>(); // final -> staged
    private final String stage;
    private final String chunk;

    private StageCommit(FileSystem fs, Path stagingDir, String stage, String chunk) {
        this.fs = fs;
        this.stagingDir = stagingDir;
        this.stage = stage;
        this.chunk = chunk;
    }

    public static StageCommit begin(DatasetLayout layout, Configuration conf, String stage, String chunk) {
        FileSystem fs = layout.fs(conf);
        Path dir = new Path(layout.staging(), stage + "-" + chunk + "-" + UUID.randomUUID().toString().substring(0, 8));
        try {
            fs.mkdirs(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create staging directory " + dir, e);
        }
        return new StageCommit(fs, dir, stage, chunk);
    }

    /** Where to write the staged copy of {@code finalPath}. The first registered output is the primary. */
    public Path stage(Path finalPath) {
        Path staged = new Path(stagingDir, "out" + outputs.size());
        outputs.put(finalPath, staged);
        return staged;
    }

    /** Renames every staged output into place and writes the manifest (primary output last). */
    public void publish(Manifest manifest) throws IOException {
        List<Path> finals = new ArrayList<>(outputs.keySet());
        for (Map.Entry<Path, Path> e : outputs.entrySet()) {
            Path target = e.getKey();
            if (fs.exists(target) && !fs.delete(target, true)) {
                throw new IOException("cannot remove previous output " + target);
            }
            fs.mkdirs(target.getParent());
            if (!fs.exists(e.getValue())) {
                fs.mkdirs(e.getValue()); // an output with no rows is still a committed, empty dataset
            }
            if (!fs.rename(e.getValue(), target)) {
                throw new IOException("cannot rename " + e.getValue() + " to " + target);
            }
        }
        String json = manifest.toJson();
        for (int i = finals.size() - 1; i >= 0; i--) {
            writeString(fs, new Path(finals.get(i), Manifest.FILE_NAME), json);
        }
        fs.delete(stagingDir, true);
    }

    /** Drops the staging directory after a failure. */
    public void abort() {
        try {
            fs.delete(stagingDir, true);
        } catch (IOException ignored) {
            // best effort: leftovers under _staging are ignored by every reader
        }
    }

    public String stageName() {
        return stage;
    }

    public String chunk() {
        return chunk;
    }

    public static String codeVersion() {
        return BuildInfo.version();
    }

    /** The committed manifest of a dataset directory, or null when it has none (not committed). */
    public static Manifest readManifest(FileSystem fs, Path dir) throws IOException {
        Path p = new Path(dir, Manifest.FILE_NAME);
        if (!fs.exists(p)) {
            return null;
        }
        return Manifest.fromJson(readString(fs, p));
    }

    /** A small UTF-8 text file on any Hadoop file system (manifests, tokenizer.json, state files). */
    public static String readString(FileSystem fs, Path p) throws IOException {
        try (FSDataInputStream in = fs.open(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    public static void writeString(FileSystem fs, Path p, String s) throws IOException {
        try (FSDataOutputStream out = fs.create(p, true)) {
            out.write(s.getBytes(StandardCharsets.UTF_8));
        }
    }
}
