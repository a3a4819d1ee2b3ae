package io.lmforge.training.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where each named parameter of the "gpt" layer sits in the flat parameter vector and in DL4J's
 * updater state, so that state kept per parameter (Adam's m and v, the outer momentum) can be moved
 * by name into a model of another shape (a grown one) whose flat order differs.
 */
public final class ParamLayout {
    /** A parameter's place: [offset, offset + length) of the flat parameters. */
    public record Slot(long offset, long length) {
    }

    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final long numParams;

    public ParamLayout(ComputationGraph net) {
        long base = net.params().offset();
        for (Map.Entry<String, INDArray> e : net.getLayer("gpt").paramTable().entrySet()) {
            slots.put(e.getKey(), new Slot(e.getValue().offset() - base, e.getValue().length()));
        }
        numParams = net.numParams();
    }

    public Map<String, Slot> slots() {
        return slots;
    }

    /**
     * A state of k sections, each one value per parameter in flat order (the outer momentum: k = 1),
     * rewritten for {@code to}: a parameter's values are copied where {@code to} has it, the rest are 0.
     */
    public float[] moveSections(float[] state, ParamLayout to) {
        if (state.length % numParams != 0) {
            throw new IllegalArgumentException("a state of " + state.length + " values is not whole sections of " + numParams + " parameters");
        }
        int k = (int) (state.length / numParams);
        float[] out = new float[(int) (k * to.numParams)];
        for (Map.Entry<String, Slot> e : slots.entrySet()) {
            Slot dst = to.slots.get(e.getKey());
            for (int s = 0; dst != null && s < k; s++) {
                System.arraycopy(state, (int) (s * numParams + e.getValue().offset()), out, (int) (s * to.numParams + dst.offset()),
                        (int) e.getValue().length());
            }
        }
        return out;
    }

    /**
     * DL4J's updater state of {@code from} rewritten for {@code to}, parameter by parameter. Each updater
     * block holds k sections of its own parameters (Adam: m then v), blocks in parameter order; a
     * parameter {@code to} adds starts from zeros (a fresh Adam state).
     */
    public static float[] moveUpdaterState(ComputationGraph from, float[] state, ComputationGraph to) {
        Map<String, float[][]> byName = new LinkedHashMap<>();
        for (UpdaterBlock b : from.getUpdater().getUpdaterBlocks()) {
            int blockLen = b.getParamOffsetEnd() - b.getParamOffsetStart();
            int k = (b.getUpdaterViewOffsetEnd() - b.getUpdaterViewOffsetStart()) / blockLen;
            for (UpdaterBlock.ParamState p : b.getLayersAndVariablesInBlock()) {
                int len = p.getParamOffsetEnd() - p.getParamOffsetStart();
                float[][] sections = new float[k][len];
                for (int s = 0; s < k; s++) {
                    System.arraycopy(state, b.getUpdaterViewOffsetStart() + s * blockLen + p.getParamOffsetStart() - b.getParamOffsetStart(),
                            sections[s], 0, len);
                }
                byName.put(p.getParamName(), sections);
            }
        }
        float[] out = new float[(int) to.getUpdater().getStateViewArray().length()];
        for (UpdaterBlock b : to.getUpdater().getUpdaterBlocks()) {
            int blockLen = b.getParamOffsetEnd() - b.getParamOffsetStart();
            for (UpdaterBlock.ParamState p : b.getLayersAndVariablesInBlock()) {
                float[][] sections = byName.get(p.getParamName());
                for (int s = 0; sections != null && s < sections.length; s++) {
                    System.arraycopy(sections[s], 0, out, b.getUpdaterViewOffsetStart() + s * blockLen + p.getParamOffsetStart() - b.getParamOffsetStart(),
                            sections[s].length);
                }
            }
        }
        return out;
    }
}
