package io.lmforge.dedup.index;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lmforge.core.config.ConfigError;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.StageCommit;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
    public record Entry(String chunk, int seq) {
    }

    private final FileSystem fs;
    private final DatasetLayout layout;

    public DedupIndex(FileSystem fs, DatasetLayout layout) {
        this.fs = fs;
        this.layout = layout;
    }

    public Path root() {
        return layout.dataset("dedup/index");
    }

    public Path chunkDir(String chunk) {
        return layout.chunkDir("dedup/index", chunk);
    }

    /** Refuses to mix signatures built with different parameters; writes them on first use. */
    public void checkOrWriteParams(Map<String, Object> params) throws IOException {
        Path p = new Path(root(), PARAMS_FILE);
        if (fs.exists(p)) {
            Map<String, Object> existing;
            try (FSDataInputStream in = fs.open(p)) {
                existing = JSON.readValue(new String(in.readAllBytes(), StandardCharsets.UTF_8), new TypeReference<TreeMap<String, Object>>() {
                });
            }
            if (!new TreeMap<>(existing).toString().equals(new TreeMap<>(params).toString())) {
                throw new ConfigError("the dedup index at " + root() + " was built with " + new TreeMap<>(existing)
                        + ", but this run uses " + new TreeMap<>(params) + ": signatures would not be comparable. "
                        + "Use the index's dedup.fuzzy settings, or a new pipeline.root to rebuild from scratch");
            }
            return;
        }
        fs.mkdirs(root());
        try (FSDataOutputStream out = fs.create(p, false)) {
            out.write(JSON.writeValueAsString(params).getBytes(StandardCharsets.UTF_8));
        }
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
            Manifest m = StageCommit.readManifest(fs, st.getPath());
            if (m != null) {
                out.add(new Entry(name.substring("chunk=".length()), (int) m.count("seq")));
            }
        }
        out.sort((a, b) -> Integer.compare(a.seq(), b.seq()));
        return out;
    }

    /** This chunk's arrival number: its previous one on a re-run, else one past the last. */
    public int seqFor(String chunk, List<Entry> entries) {
        int max = 0;
        for (Entry e : entries) {
            if (e.chunk().equals(chunk)) {
                return e.seq();
            }
            max = Math.max(max, e.seq());
        }
        return max + 1;
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
