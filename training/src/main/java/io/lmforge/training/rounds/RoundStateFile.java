package io.lmforge.training.rounds;

import io.lmforge.training.export.SafeTensors;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * optimizer_state.safetensors in a checkpoint: the inner optimiser state(s) ("inner.0", … one per
 * worker when kept apart) and the outer momentum ("outer.momentum"), with the optimiser kind in the
 * metadata. Safetensors, not Java serialisation: plain floats any tool can read, nothing to execute.
 */
public final class RoundStateFile {
    public static final String FILE_NAME = "optimizer_state.safetensors";

    private RoundStateFile() {
    }

    public static void write(FileSystem fs, Path dir, RoundState state, String optimizerKind) throws IOException {
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
        for (int i = 0; i < state.inner().length; i++) {
            t.put("inner." + i, new SafeTensors.Tensor(state.inner()[i], new long[]{state.inner()[i].length}));
        }
        t.put("outer.momentum", new SafeTensors.Tensor(state.outerMomentum(), new long[]{state.outerMomentum().length}));
        byte[] bytes = SafeTensors.write(t, Map.of("optimizer", optimizerKind, "inner_states", String.valueOf(state.inner().length)));
        try (FSDataOutputStream out = fs.create(new Path(dir, FILE_NAME), true)) {
            out.write(bytes);
        }
    }

    /** The state saved with a checkpoint, or null for a checkpoint without one (written before rounds were ours). */
    public static RoundState read(FileSystem fs, Path dir, String expectedKind) throws IOException {
        Path p = new Path(dir, FILE_NAME);
        if (!fs.exists(p)) {
            return null;
        }
        byte[] bytes;
        try (var in = fs.open(p)) {
            bytes = in.readAllBytes();
        }
        String kind = SafeTensors.metadata(bytes).get("optimizer");
        if (!expectedKind.equals(kind)) {
            throw new io.lmforge.core.config.ConfigError("the checkpoint in " + dir + " was trained with train.optimizer.kind = " + kind
                    + ", this run asks for " + expectedKind + ": continue with " + kind + " or start a new train.run");
        }
        Map<String, SafeTensors.Tensor> t = SafeTensors.read(bytes);
        int n = Integer.parseInt(SafeTensors.metadata(bytes).get("inner_states"));
        float[][] inner = new float[n][];
        for (int i = 0; i < n; i++) {
            inner[i] = t.get("inner." + i).values();
        }
        return new RoundState(inner, t.get("outer.momentum").values());
    }
}
