package io.lmforge.core.stage;

import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.Manifests;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run's declaration, resolved for its chunk and config: the inputs it reads (committed datasets
 * with their fingerprints, raw files with size and time, other facts), the outputs it writes (the
 * first is primary and carries the commit marker), and a typed payload the stage hands itself from
 * planning to computing. The runner fingerprints the inputs; the stage never does.
 */
public final class StagePlan<P> {
    /** An output: a final path, or null while only the computation can name it (tokenizer versions). */
    public static final class Output {
        private final String label;
        private Path finalPath;

        Output(String label, Path finalPath) {
            this.label = label;
            this.finalPath = finalPath;
        }

        public String label() {
            return label;
        }

        public Path finalPath() {
            return finalPath;
        }

        void decide(Path p) {
            finalPath = p;
        }
    }

    private final FileSystem fs;
    private final List<Map<String, Object>> inputs = new ArrayList<>();
    private final Map<String, String> facts = new LinkedHashMap<>();
    private final List<Output> outputs = new ArrayList<>();
    private final List<Path> upToDateAt = new ArrayList<>();
    private P payload;

    public StagePlan(FileSystem fs) {
        this.fs = fs;
    }

    /**
     * A committed dataset this run reads; its fingerprint becomes part of this run's.
     *
     * @param howToMake what to run when it is missing, e.g. "run ingest --chunk 0001 first"
     */
    public Manifest input(String label, Path dir, String howToMake) throws IOException {
        Manifest m = Manifests.read(fs, dir);
        if (m == null) {
            throw Datasets.notCommitted(dir, label + " (" + howToMake + ")");
        }
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("label", label);
        in.put("path", dir.toString());
        in.put("fingerprint", m.fingerprint());
        inputs.add(in);
        return m;
    }

    /** A raw input file, identified by path, size and modification time. */
    public Map<String, Object> inputFile(String path, String format, long bytes, long modifiedMillis) {
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("path", path);
        in.put("format", format);
        in.put("bytes", bytes);
        in.put("modified", Instant.ofEpochMilli(modifiedMillis).toString());
        inputs.add(in);
        return in;
    }

    /** Anything else the outputs depend on (a model version, the text of task files, an arrival number). */
    public StagePlan<P> fact(String key, Object value) {
        facts.put(key, String.valueOf(value));
        return this;
    }

    /** An output directory; the first one declared is the primary (its commit marker makes all visible). */
    public StagePlan<P> output(String label, Path finalPath) {
        for (Output o : outputs) {
            if (o.label.equals(label)) {
                throw new IllegalArgumentException("output " + label + " declared twice");
            }
        }
        outputs.add(new Output(label, finalPath));
        return this;
    }

    /** Where an up-to-date result would be, when not at the primary output (a versioned output under a pointer). */
    public StagePlan<P> upToDateAt(Path dir) {
        upToDateAt.add(dir);
        return this;
    }

    public StagePlan<P> payload(P p) {
        payload = p;
        return this;
    }

    public P payload() {
        return payload;
    }

    public List<Map<String, Object>> inputs() {
        return inputs;
    }

    public Map<String, String> facts() {
        return facts;
    }

    public List<Output> outputs() {
        return outputs;
    }

    public Output output(String label) {
        for (Output o : outputs) {
            if (o.label.equals(label)) {
                return o;
            }
        }
        throw new IllegalArgumentException("no output named " + label + " in this plan");
    }

    /** Directories whose manifest, when its fingerprint equals this run's, means "up to date". */
    public List<Path> upToDateCandidates() {
        if (!upToDateAt.isEmpty()) {
            return upToDateAt;
        }
        Path primary = outputs.isEmpty() ? null : outputs.get(0).finalPath;
        return primary == null ? List.of() : List.of(primary);
    }
}
