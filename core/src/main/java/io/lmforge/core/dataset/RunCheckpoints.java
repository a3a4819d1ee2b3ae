package io.lmforge.core.dataset;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The committed checkpoints of a training run, models/&lt;run&gt;/chunk=ID/, in arrival order. A chunk
 * the schedule deferred (wait-k) has a committed manifest with counts.trained = 0 and no model.
 */
public final class RunCheckpoints {
    public static final String MODEL_FILE = "model.zip";
    private final FileSystem fs;
    private final DatasetLayout layout;
    private final String run;

    public RunCheckpoints(FileSystem fs, DatasetLayout layout, String run) {
        this.fs = fs;
        this.layout = layout;
        this.run = DatasetLayout.checkName(run, "train.run");
    }

    public String run() {
        return run;
    }

    public Path runDir() {
        return layout.modelRun(run);
    }

    public Path chunkDir(String chunk) {
        return layout.model(run, chunk);
    }

    public record Entry(String chunk, Manifest manifest) {
        public boolean trained() {
            return manifest.count("trained") == 1;
        }

        public long seq() {
            return manifest.lineageOrNone().requireSeq("checkpoint of chunk " + chunk);
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
                Manifest m = Manifests.read(fs, st.getPath());
                if (m != null) {
                    out.add(new Entry(name.substring("chunk=".length()), m));
                }
            }
        }
        out.sort(Comparator.comparingLong(Entry::seq).thenComparing(Entry::chunk));
        return out;
    }

    /** The model a user had at chunk {@code chunk} (arrival {@code seq}): its own checkpoint, else the latest trained one before it. */
    public Entry latestTrainedUpTo(String chunk, long seq) throws IOException {
        Entry model = null;
        for (Entry e : entries()) {
            if (e.trained() && (e.chunk().equals(chunk) || e.seq() < seq)) {
                model = e;
            }
        }
        return model;
    }

    public ModelHeader header(String chunk) throws IOException {
        return ModelHeader.fromJson(HadoopFiles.readString(fs, new Path(chunkDir(chunk), ModelHeader.FILE_NAME)));
    }

    public Path modelFile(String chunk) {
        return new Path(chunkDir(chunk), MODEL_FILE);
    }
}
