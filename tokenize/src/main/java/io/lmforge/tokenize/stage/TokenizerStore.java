package io.lmforge.tokenize.stage;

import io.lmforge.core.config.ConfigError;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.StageCommit;
import io.lmforge.tokenize.bpe.BpeTokenizer;
import io.lmforge.tokenize.bpe.HfTokenizerJson;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * tokenizer/&lt;version&gt;/ (tokenizer.json, tokenizer_config.json, stats.json, _MANIFEST.json) and
 * tokenizer/CURRENT, the version that tokenize uses by default. Versions are content hashes, so
 * a version directory never changes once committed.
 */
public final class TokenizerStore {
    public static final String TOKENIZER_JSON = "tokenizer.json";
    private final FileSystem fs;
    private final DatasetLayout layout;

    public TokenizerStore(FileSystem fs, DatasetLayout layout) {
        this.fs = fs;
        this.layout = layout;
    }

    public Path root() {
        return layout.dataset("tokenizer");
    }

    public Path dir(String version) {
        return new Path(root(), DatasetLayout.checkChunkId(version));
    }

    public String current() throws IOException {
        Path p = new Path(root(), "CURRENT");
        return fs.exists(p) ? read(p).trim() : null;
    }

    public void setCurrent(String version) throws IOException {
        Path tmp = new Path(root(), "CURRENT.tmp");
        write(tmp, version + "\n");
        Path p = new Path(root(), "CURRENT");
        fs.delete(p, false);
        if (!fs.rename(tmp, p)) {
            throw new IOException("cannot rename " + tmp + " to " + p);
        }
    }

    /** Committed versions (directories with a manifest). */
    public List<String> versions() throws IOException {
        List<String> out = new ArrayList<>();
        if (fs.exists(root())) {
            for (FileStatus st : fs.listStatus(root())) {
                if (st.isDirectory() && fs.exists(new Path(st.getPath(), Manifest.FILE_NAME))) {
                    out.add(st.getPath().getName());
                }
            }
        }
        out.sort(null);
        return out;
    }

    /** The version named by config tokenizer.version ("current" = tokenizer/CURRENT), checked to be committed. */
    public String resolve(String configured) throws IOException {
        String v = "current".equals(configured) ? current() : configured;
        if (v == null) {
            throw new ConfigError("no tokenizer under " + root() + ": run tokenizer-train --chunk ID first (or set tokenizer.version)");
        }
        if (StageCommit.readManifest(fs, dir(v)) == null) {
            throw new ConfigError("tokenizer.version '" + v + "' is not a committed tokenizer under " + root() + "; committed: " + versions());
        }
        return v;
    }

    public BpeTokenizer load(String version) throws IOException {
        return HfTokenizerJson.read(read(new Path(dir(version), TOKENIZER_JSON)));
    }

    public Manifest manifest(String version) throws IOException {
        return StageCommit.readManifest(fs, dir(version));
    }

    String read(Path p) throws IOException {
        return StageCommit.readString(fs, p);
    }

    void write(Path p, String s) throws IOException {
        StageCommit.writeString(fs, p, s);
    }
}
