package io.lmforge.training.model;

import io.lmforge.core.dataset.RunCheckpoints;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;

/**
 * model.zip (DL4J's format, with the updater state) on any Hadoop file system: written by train,
 * read by train (to continue), eval and export-hf. Where checkpoints live is core's
 * {@link RunCheckpoints}; this class only knows DL4J's bytes.
 */
public final class ModelFiles {
    private ModelFiles() {
    }

    /** Writes {@code net} with its updater state as dir/model.zip. */
    public static void save(FileSystem fs, ComputationGraph net, Path dir) throws IOException {
        File tmp = Files.createTempFile("lmforge-model", ".zip").toFile();
        try {
            ModelSerializer.writeModel(net, tmp, true);
            fs.copyFromLocalFile(new Path(tmp.toURI()), new Path(dir, RunCheckpoints.MODEL_FILE));
        } finally {
            tmp.delete();
        }
    }

    /** model.zip as bytes, e.g. to broadcast to executors. */
    public static byte[] bytes(FileSystem fs, Path modelFile) throws IOException {
        long len = fs.getFileStatus(modelFile).getLen();
        if (len > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(modelFile + ": " + len + " bytes, larger than a model this version can broadcast");
        }
        byte[] zip;
        try (var in = fs.open(modelFile)) {
            zip = in.readAllBytes();
        }
        ModelZipCheck.check(zip, modelFile.toString());
        return zip;
    }

    /** The network with its updater state. */
    public static ComputationGraph load(FileSystem fs, Path modelFile) throws IOException {
        File tmp = Files.createTempFile("lmforge-model", ".zip").toFile();
        try {
            fs.copyToLocalFile(modelFile, new Path(tmp.toURI()));
            try (var in = new java.io.FileInputStream(tmp)) {
                ModelZipCheck.check(in, modelFile.toString()); // before DL4J reads a byte of it
            }
            return ModelSerializer.restoreComputationGraph(tmp, true);
        } finally {
            tmp.delete();
        }
    }
}
