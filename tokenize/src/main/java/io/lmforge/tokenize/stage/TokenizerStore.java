package io.lmforge.tokenize.stage;

import io.lmforge.core.config.ConfigError;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.HadoopFiles;
import io.lmforge.core.dataset.Manifests;
import io.lmforge.core.dataset.TokenizerHeader;
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
    public static final String TOKENIZER_JSON = TokenizerHeader.TOKENIZER_JSON;
    private final FileSystem fs;
    private final DatasetLayout layout;

    public TokenizerStore(FileSystem fs, DatasetLayout layout) {
        this.fs = fs;
        this.layout = layout;
    }

    public Path root() {
        return layout.tokenizerRoot();
    }

    public Path dir(String version) {
        return layout.tokenizer(version);
    }

    public String current() throws IOException {
        return io.lmforge.core.dataset.ChunksBeforeTokenizer.currentVersion(fs, layout);
    }

    /** Points CURRENT at a committed version: the old pointer is replaced atomically, never deleted first. */
    public void setCurrent(String version) throws IOException {
        HadoopFiles.writeAtomically(fs, new Path(root(), "CURRENT"), version + "\n");
    }

    /** Committed versions. */
    public List<String> versions() throws IOException {
        List<String> out = new ArrayList<>();
        if (fs.exists(root())) {
            for (FileStatus st : fs.listStatus(root())) {
                if (st.isDirectory() && Manifests.read(fs, st.getPath()) != null) {
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
        if (Manifests.read(fs, dir(v)) == null) {
            throw new ConfigError("tokenizer.version '" + v + "' is not a committed tokenizer under " + root() + "; committed: " + versions());
        }
        return v;
    }

    public BpeTokenizer load(String version) throws IOException {
        return HfTokenizerJson.read(TokenizerHeader.read(fs, layout, version).json());
    }

    public Manifest manifest(String version) throws IOException {
        return Manifests.read(fs, dir(version));
    }
}
