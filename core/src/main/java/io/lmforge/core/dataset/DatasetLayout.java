package io.lmforge.core.dataset;

import io.lmforge.core.config.ConfigError;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.Serializable;
import java.util.regex.Pattern;

/**
 * Where every dataset lives under the one root (local path or Hadoop URI). All paths that stages
 * read or write come from here, so the layout in the README is the layout on disk.
 */
public final class DatasetLayout implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Chunk ids become directory names and partition values: keep them boring. */
    private static final Pattern CHUNK_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final String root;

    public DatasetLayout(String root) {
        if (root == null || root.isBlank()) {
            throw new ConfigError("config key 'pipeline.root' is required (the dataset root; use --root DIR)");
        }
        this.root = stripSlash(root);
    }

    private static String stripSlash(String s) {
        return s.length() > 1 && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    public static String checkChunkId(String chunk) {
        if (chunk == null || !CHUNK_ID.matcher(chunk).matches()) {
            throw new ConfigError("--chunk '" + chunk + "' is not a valid chunk id (letters, digits, '.', '_', '-'; e.g. 0003 or 2026-11-22)");
        }
        return chunk;
    }

    public Path root() {
        return new Path(root);
    }

    public Path dataset(String name) {
        return new Path(root() , name);
    }

    /** e.g. docs/chunk=0001 */
    public Path chunkDir(String dataset, String chunk) {
        return new Path(dataset(dataset), "chunk=" + checkChunkId(chunk));
    }

    public Path docs(String chunk) {
        return chunkDir("docs", chunk);
    }

    public Path rejected(String chunk) {
        return chunkDir("rejected", chunk);
    }

    /** Staging area for uncommitted outputs; never read by any stage. */
    public Path staging() {
        return dataset("_staging");
    }

    public FileSystem fs(Configuration hadoopConf) {
        try {
            return root().getFileSystem(hadoopConf);
        } catch (IOException e) {
            throw new ConfigError("pipeline.root '" + root + "': cannot open file system: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return root;
    }
}
