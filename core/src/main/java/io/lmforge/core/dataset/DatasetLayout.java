package io.lmforge.core.dataset;

import io.lmforge.core.config.ConfigError;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.Serializable;
import java.util.regex.Pattern;

/**
 * Where every dataset lives under the one root (local path or Hadoop URI). Every path a stage reads
 * or writes comes from an accessor here, so the layout in the README is the layout on disk.
 */
public final class DatasetLayout implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Chunk ids, run names and versions become directory names and partition values: keep them boring. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** The pseudo-chunk of a run's untrained model (models/&lt;run&gt;/initial, eval --chunk initial): the anytime curve's first point. */
    public static final String INITIAL = "initial";

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
        if (chunk == null || !NAME.matcher(chunk).matches() || chunk.contains("..")) {
            throw new ConfigError("--chunk '" + chunk + "' is not a valid chunk id (letters, digits, '.', '_', '-'; e.g. 0003 or 2026-11-22)");
        }
        return chunk;
    }

    /** A run name or version used as one directory name (train.run, tokenizer versions): no separators, no "..". */
    public static String checkName(String value, String key) {
        if (value == null || !NAME.matcher(value).matches() || value.contains("..")) {
            throw new ConfigError("config key '" + key + "' must be a plain name (letters, digits, '.', '_', '-'; at most 64), got '" + value + "'");
        }
        return value;
    }

    public Path root() {
        return new Path(root);
    }

    /** A top-level dataset directory, e.g. dataset("docs"). */
    public Path dataset(String name) {
        return new Path(root(), name);
    }

    /** e.g. docs/chunk=0001 */
    public Path chunkDir(String dataset, String chunk) {
        return chunkUnder(dataset(dataset), chunk);
    }

    public Path docs(String chunk) {
        return chunkDir("docs", chunk);
    }

    public Path rejected(String chunk) {
        return chunkDir("rejected", chunk);
    }

    public Path dedupDocs(String chunk) {
        return chunkDir("dedup/docs", chunk);
    }

    public Path dedupDuplicates(String chunk) {
        return chunkDir("dedup/duplicates", chunk);
    }

    public Path dedupIndexRoot() {
        return dataset("dedup/index");
    }

    public Path dedupIndex(String chunk) {
        return chunkDir("dedup/index", chunk);
    }

    public Path tokenizerRoot() {
        return dataset("tokenizer");
    }

    public Path tokenizer(String version) {
        return new Path(tokenizerRoot(), checkName(version, "tokenizer.version"));
    }

    public Path tokens(String chunk) {
        return chunkDir("tokens", chunk);
    }

    public Path mix(String chunk) {
        return chunkDir("mix", chunk);
    }

    public Path mixTrain(String chunk) {
        return new Path(mix(chunk), "train");
    }

    public Path mixHeldout(String chunk) {
        return new Path(mix(chunk), "heldout");
    }

    /** shards/chunk=ID: a chunk's packed training sequences for other trainers (megatron/tokens.{bin,idx}, hf/*.parquet). */
    public Path shards(String chunk) {
        return chunkDir("shards", chunk);
    }

    /** models/&lt;run&gt;: a training run's checkpoints (chunk=ID) and metrics. */
    public Path modelRun(String run) {
        return dataset("models/" + checkName(run, "train.run"));
    }

    public Path model(String run, String chunk) {
        return chunkUnder(modelRun(run), chunk);
    }

    /** The untrained model of a run, as its first train wrote it (the anytime curve's starting point). */
    public Path modelInitial(String run) {
        return new Path(modelRun(run), INITIAL);
    }

    /** pbt/&lt;run&gt;/lineage: a population-based run's ready points, one row per member (train.mode = pbt). */
    public Path pbtLineageRoot(String run) {
        return dataset("pbt/" + checkName(run, "train.run") + "/lineage");
    }

    public Path pbtLineage(String run, String chunk) {
        return chunkUnder(pbtLineageRoot(run), chunk);
    }

    public Path metricsRoot(String run) {
        return new Path(modelRun(run), "metrics");
    }

    public Path metrics(String run, String chunk) {
        return chunkUnder(metricsRoot(run), chunk);
    }

    public Path evalRun(String run) {
        return dataset("eval/" + checkName(run, "train.run"));
    }

    public Path eval(String run, String chunk) {
        return chunkUnder(evalRun(run), chunk);
    }

    public Path anytimeRoot(String run) {
        return new Path(evalRun(run), "anytime");
    }

    public Path anytime(String run, String chunk) {
        return chunkUnder(anytimeRoot(run), chunk);
    }

    private static Path chunkUnder(Path dir, String chunk) {
        return new Path(dir, "chunk=" + checkChunkId(chunk));
    }

    public Path report(String run) {
        return dataset("report/" + checkName(run, "train.run"));
    }

    public Path export(String run, String chunk) {
        return chunkUnder(dataset("export/" + checkName(run, "train.run")), chunk);
    }

    /** models/langid/: language-ID models trained by langid-train, one directory per version. */
    public Path langidModels() {
        return dataset("models/langid");
    }

    /** Staging area for uncommitted outputs, one directory per stage run; never read by any stage. */
    public Path staging() {
        return dataset("_staging");
    }

    /** Lock files of running stages. */
    public Path locks() {
        return dataset("_locks");
    }

    /** The chunk registry: arrival numbers. */
    public Path chunkRegistry() {
        return dataset("_chunks");
    }

    /** Whether {@code p} lies under the root (outputs outside it, e.g. export-hf --out, stage beside themselves). */
    public boolean contains(FileSystem fs, Path p) {
        String r = fs.makeQualified(root()).toString();
        String q = fs.makeQualified(p).toString();
        return q.equals(r) || q.startsWith(r.endsWith("/") ? r : r + "/");
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
