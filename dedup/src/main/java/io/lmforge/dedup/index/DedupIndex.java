package io.lmforge.dedup.index;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lmforge.core.config.ConfigError;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.HadoopFiles;
import io.lmforge.core.dataset.Manifests;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The persisted dedup index: dedup/index/chunk=ID/{exact,bands,docs,lines}/ per chunk plus
 * dedup/index/_PARAMS.json. Each chunk gets an arrival sequence number when it is first
 * deduplicated; a chunk is deduplicated against the chunks with a smaller number, so re-running
 * chunk 2 after chunk 3 still compares it only with chunk 1.
 */
public final class DedupIndex {
    public static final String PARAMS_FILE = "_PARAMS.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A committed chunk of the index. */
    public record Entry(String chunk, int seq, Manifest manifest) {
    }

    private final FileSystem fs;
    private final DatasetLayout layout;

    public DedupIndex(FileSystem fs, DatasetLayout layout) {
        this.fs = fs;
        this.layout = layout;
    }

    public Path root() {
        return layout.dedupIndexRoot();
    }

    public Path chunkDir(String chunk) {
        return layout.dedupIndex(chunk);
    }

    /** Refuses to mix signatures built with different parameters (read-only: a plan may call it). */
    public void checkParams(Map<String, Object> params) throws IOException {
        Path p = new Path(root(), PARAMS_FILE);
        if (!fs.exists(p)) {
            return;
        }
        Map<String, Object> existing = JSON.readValue(HadoopFiles.readString(fs, p), new TypeReference<TreeMap<String, Object>>() {
        });
        if (!new TreeMap<>(existing).toString().equals(new TreeMap<>(params).toString())) {
            throw new ConfigError("the dedup index at " + root() + " was built with " + new TreeMap<>(existing)
                    + ", but this run uses " + new TreeMap<>(params) + ": signatures would not be comparable. "
                    + "Use the index's dedup.fuzzy settings, or a new pipeline.root to rebuild from scratch");
        }
    }

    /** Fixes the index's parameters on first use (exclusive create: the first run's values win), then checks them. */
    public void fixParams(Map<String, Object> params) throws IOException {
        HadoopFiles.createExclusive(fs, new Path(root(), PARAMS_FILE), JSON.writeValueAsString(params));
        checkParams(params);
    }

    /** Committed index chunks with their arrival numbers, in arrival order. */
    public List<Entry> entries() throws IOException {
        List<Entry> out = new ArrayList<>();
        if (!fs.exists(root())) {
            return out;
        }
        for (FileStatus st : fs.listStatus(root())) {
            String name = st.getPath().getName();
            if (!st.isDirectory() || !name.startsWith("chunk=")) {
                continue;
            }
            Manifest m = Manifests.read(fs, st.getPath()); // committed only: a run that died before its marker is not history
            if (m != null) {
                out.add(new Entry(name.substring("chunk=".length()), (int) m.lineageOrNone().requireSeq("dedup index chunk " + name), m));
            }
        }
        out.sort((a, b) -> Integer.compare(a.seq(), b.seq()));
        return out;
    }

    /** One table (exact, bands, docs, lines) over every index chunk that arrived before seq; null if none. */
    public Dataset<Row> history(SparkSession spark, List<Entry> entries, int seq, String table) {
        List<String> paths = new ArrayList<>();
        for (Entry e : entries) {
            if (e.seq() < seq) {
                paths.add(new Path(chunkDir(e.chunk()), table).toString());
            }
        }
        return paths.isEmpty() ? null : spark.read().parquet(paths.toArray(new String[0]));
    }

    /** The node id used in the graph: arrival number then doc_id, so the smallest id is the earliest document. */
    public static String docKey(int seq, String docId) {
        return String.format("%06d:%s", seq, docId);
    }
}
