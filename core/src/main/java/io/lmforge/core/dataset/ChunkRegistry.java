package io.lmforge.core.dataset;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Arrival order of chunks: each chunk gets a number the first time it is deduplicated, and every
 * stage that needs "the chunks before this one" (dedup history, replay, training history, eval)
 * asks here. A number is claimed by creating _chunks/arrival/&lt;number&gt; exclusively, so two
 * chunks can never get the same one; _chunks/by-chunk/&lt;chunk&gt; is the lookup the other way.
 */
public final class ChunkRegistry {
    private final FileSystem fs;
    private final DatasetLayout layout;

    public ChunkRegistry(FileSystem fs, DatasetLayout layout) {
        this.fs = fs;
        this.layout = layout;
    }

    private Path arrivalDir() {
        return new Path(layout.chunkRegistry(), "arrival");
    }

    private Path byChunkDir() {
        return new Path(layout.chunkRegistry(), "by-chunk");
    }

    /** The chunk's arrival number, or Long.MAX_VALUE when it has not arrived (not deduplicated) yet. */
    public long arrival(String chunk) throws IOException {
        importLegacy();
        Path p = new Path(byChunkDir(), DatasetLayout.checkChunkId(chunk));
        if (fs.exists(p)) {
            return Long.parseLong(HadoopFiles.readString(fs, p).trim());
        }
        Long claimed = claims().entrySet().stream().filter(e -> e.getValue().equals(chunk)).map(Map.Entry::getKey).findFirst().orElse(null);
        return claimed == null ? Long.MAX_VALUE : claimed;
    }

    /** The number {@link #register} would give the chunk now (its own, or the next free one), without claiming it. */
    public long arrivalOrNext(String chunk) throws IOException {
        long existing = arrival(chunk);
        return existing != Long.MAX_VALUE ? existing : claims().keySet().stream().mapToLong(Long::longValue).max().orElse(0) + 1;
    }

    /** The chunk's number: its existing one, else the next free one (claimed exclusively). */
    public long register(String chunk) throws IOException {
        DatasetLayout.checkChunkId(chunk);
        if (chunk.equals(DatasetLayout.INITIAL)) {
            throw new io.lmforge.core.config.ConfigError("chunk id '" + DatasetLayout.INITIAL
                    + "' is reserved (it names the untrained model in eval --chunk initial); choose another id");
        }
        importLegacy();
        long existing = arrival(chunk);
        if (existing != Long.MAX_VALUE) {
            writeLookup(chunk, existing);
            return existing;
        }
        long next = claims().keySet().stream().mapToLong(Long::longValue).max().orElse(0) + 1;
        while (!HadoopFiles.createExclusive(fs, new Path(arrivalDir(), String.format("%06d", next)), chunk + "\n")) {
            next++; // another chunk took it between listing and claiming
        }
        writeLookup(chunk, next);
        return next;
    }

    /** Registered chunks in arrival order. */
    public List<String> inArrivalOrder() throws IOException {
        importLegacy();
        return new ArrayList<>(claims().values());
    }

    /** Registered chunks that arrived before {@code chunk} (all registered ones if it has not arrived). */
    public List<String> before(String chunk) throws IOException {
        long seq = arrival(chunk);
        List<String> out = new ArrayList<>();
        claims().forEach((n, c) -> {
            if (n < seq && !c.equals(chunk)) {
                out.add(c);
            }
        });
        return out;
    }

    /**
     * Ingested chunks (a docs/chunk=ID directory with a manifest; {@code committedOnly}: a committed one) that have
     * no arrival number yet, by id: they arrive when dedup numbers them.
     */
    public List<String> unnumberedIngested(boolean committedOnly) throws IOException {
        List<String> out = new ArrayList<>();
        Path docs = layout.dataset("docs");
        if (!fs.exists(docs)) {
            return out;
        }
        java.util.Set<String> numbered = new java.util.HashSet<>(inArrivalOrder());
        for (FileStatus st : fs.listStatus(docs)) {
            String name = st.getPath().getName();
            if (st.isDirectory() && name.startsWith("chunk=") && !numbered.contains(name.substring("chunk=".length()))
                    && (committedOnly ? Manifests.read(fs, st.getPath()) : Manifests.readAny(fs, st.getPath())) != null) {
                out.add(name.substring("chunk=".length()));
            }
        }
        out.sort(null);
        return out;
    }

    private TreeMap<Long, String> claims() throws IOException {
        TreeMap<Long, String> out = new TreeMap<>();
        if (!fs.exists(arrivalDir())) {
            return out;
        }
        for (FileStatus st : fs.listStatus(arrivalDir())) {
            String name = st.getPath().getName();
            if (st.isFile() && name.matches("\\d{6,}")) {
                out.put(Long.parseLong(name), HadoopFiles.readString(fs, st.getPath()).trim());
            }
        }
        return out;
    }

    private void writeLookup(String chunk, long seq) throws IOException {
        Path p = new Path(byChunkDir(), chunk);
        if (!fs.exists(p)) {
            HadoopFiles.writeAtomically(fs, p, seq + "\n");
        }
    }

    /** A root deduplicated before the registry existed kept the numbers in dedup/docs manifests. */
    private void importLegacy() throws IOException {
        if (fs.exists(arrivalDir()) || !fs.exists(layout.dataset("dedup/docs"))) {
            return;
        }
        for (FileStatus st : fs.listStatus(layout.dataset("dedup/docs"))) {
            String name = st.getPath().getName();
            Manifest m = name.startsWith("chunk=") ? Manifests.read(fs, st.getPath()) : null;
            if (m != null && m.runId() == null && m.count("seq") > 0) {
                String chunk = name.substring("chunk=".length());
                if (HadoopFiles.createExclusive(fs, new Path(arrivalDir(), String.format("%06d", m.count("seq"))), chunk + "\n")) {
                    writeLookup(chunk, m.count("seq"));
                }
            }
        }
    }
}
