package io.lmforge.core.dataset;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Chunks that kept no document and arrived before any tokenizer: a first chunk whose every record was
 * rejected or removed as a duplicate. No tokenizer can be trained on them and none existed to tokenize
 * them with, and they hold nothing a later chunk could mix, replay, train on or evaluate, so the stages
 * that need a tokenizer (tokenize, mix, train, eval, report) pass over them: nothing to do, nothing
 * committed, exit 0, and the arrival-order check lets later chunks go on. The answer is read from the
 * root alone and does not change once later chunks have gone on: it depends only on the chunk's dedup
 * commit and on which chunks the current tokenizer was trained on.
 */
public final class ChunksBeforeTokenizer {
    /** How tokenizer-train labels each training chunk among its manifest's inputs (followed by the chunk id). */
    public static final String TRAINING_INPUT = "dedup/docs ";

    private ChunksBeforeTokenizer() {
    }

    /**
     * Why {@code chunk} has nothing for a stage that needs the tokenizer, or null when it is an ordinary
     * chunk: null unless its dedup commit kept 0 documents and either no tokenizer is committed or every
     * chunk the current one was trained on arrived after it.
     */
    public static String reason(FileSystem fs, DatasetLayout layout, String chunk) throws IOException {
        Manifest dedup = Manifests.read(fs, layout.dedupDocs(chunk));
        if (dedup == null || dedup.count("kept") != 0) {
            return null;
        }
        String current = currentVersion(fs, layout);
        if (current == null) {
            return "chunk " + chunk + " kept no document and no tokenizer exists yet (the first chunk with text trains it)";
        }
        Manifest tokenizer = Manifests.read(fs, layout.tokenizer(current));
        List<String> trainedOn = tokenizer == null ? List.of() : trainingChunks(tokenizer);
        ChunkRegistry registry = new ChunkRegistry(fs, layout);
        long arrival = registry.arrival(chunk);
        if (trainedOn.isEmpty() || arrival == Long.MAX_VALUE) {
            return null;
        }
        for (String t : trainedOn) {
            if (registry.arrival(t) <= arrival) {
                return null;
            }
        }
        return "chunk " + chunk + " kept no document and arrived before the tokenizer's training chunks " + trainedOn
                + " (tokenizer " + current + ")";
    }

    /** The version tokenizer/CURRENT names, or null before the first tokenizer-train commit. */
    public static String currentVersion(FileSystem fs, DatasetLayout layout) throws IOException {
        Path p = new Path(layout.tokenizerRoot(), "CURRENT");
        return fs.exists(p) ? HadoopFiles.readString(fs, p).trim() : null;
    }

    /** The chunks a tokenizer's manifest says it was trained on. */
    static List<String> trainingChunks(Manifest tokenizer) {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> in : tokenizer.inputs() == null ? List.<Map<String, Object>>of() : tokenizer.inputs()) {
            if (in.get("label") instanceof String label && label.startsWith(TRAINING_INPUT)) {
                out.add(label.substring(TRAINING_INPUT.length()));
            }
        }
        return out;
    }
}
