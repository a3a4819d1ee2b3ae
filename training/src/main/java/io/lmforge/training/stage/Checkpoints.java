package io.lmforge.training.stage;

import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.StageCommit;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * models/&lt;run&gt;/chunk=ID/: model.zip (DL4J, with updater state), training_state.json and the
 * manifest. A chunk the schedule deferred has a manifest with counts.trained = false and no model.
 */
public final class Checkpoints {
    public static final String MODEL = "model.zip";
    private final FileSystem fs;
    private final DatasetLayout layout;
    private final String run;

    public Checkpoints(FileSystem fs, DatasetLayout layout, String run) {
        this.fs = fs;
        this.layout = layout;
        this.run = DatasetLayout.checkChunkId(run);
    }

    public Path runDir() {
        return layout.dataset("models/" + run);
    }

    public Path chunkDir(String chunk) {
        return new Path(runDir(), "chunk=" + DatasetLayout.checkChunkId(chunk));
    }

    public record Entry(String chunk, Manifest manifest) {
        public boolean trained() {
            return manifest.count("trained") == 1;
        }

        public long seq() {
            return manifest.count("seq");
        }
    }

    /** Committed entries of this run in arrival order. */
    public List<Entry> entries() throws IOException {
        List<Entry> out = new ArrayList<>();
        if (!fs.exists(runDir())) {
            return out;
        }
        for (FileStatus st : fs.listStatus(runDir())) {
            String name = st.getPath().getName();
            if (name.startsWith("chunk=")) {
                Manifest m = StageCommit.readManifest(fs, st.getPath());
                if (m != null) {
                    out.add(new Entry(name.substring("chunk=".length()), m));
                }
            }
        }
        out.sort(Comparator.comparingLong(Entry::seq).thenComparing(Entry::chunk));
        return out;
    }

    static void save(FileSystem fs, ComputationGraph net, Path dir) throws IOException {
        File tmp = Files.createTempFile("lmforge-model", ".zip").toFile();
        try {
            ModelSerializer.writeModel(net, tmp, true);
            fs.copyFromLocalFile(new Path(tmp.toURI()), new Path(dir, MODEL));
        } finally {
            tmp.delete();
        }
    }

    /** model.zip of a chunk as bytes, e.g. to broadcast to executors. */
    public byte[] modelBytes(String chunk) throws IOException {
        try (var in = fs.open(new Path(chunkDir(chunk), MODEL))) {
            return in.readAllBytes();
        }
    }

    public ComputationGraph load(String chunk) throws IOException {
        File tmp = Files.createTempFile("lmforge-model", ".zip").toFile();
        try {
            fs.copyToLocalFile(new Path(chunkDir(chunk), MODEL), new Path(tmp.toURI()));
            return ModelSerializer.restoreComputationGraph(tmp, true);
        } finally {
            tmp.delete();
        }
    }
}
