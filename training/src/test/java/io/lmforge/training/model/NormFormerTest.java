package io.lmforge.training.model;

import io.lmforge.training.export.HfGpt2Export;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.schedule.FixedSchedule;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train.model.normformer: the graph against the paper's equations, its gradients, parameters, checkpoints, export. */
class NormFormerTest {
    private static final Architecture NORMFORMER = new Architecture(true, false);
    private static final Architecture WITH_RESSCALE = new Architecture(true, true);

    private static Gpt2Model.Spec tiny(Architecture arch) {
        return new Gpt2Model.Spec(23, 5, 8, 2, 2, arch);
    }

    /** A double-precision model with every parameter random (gains and scales around 1), so no term is trivially 0 or 1. */
    static ComputationGraph randomDoubleModel(Gpt2Model.Spec spec) {
        ComputationGraph net = new ComputationGraph(Gpt2Model.gradientCheckConfiguration(spec, 3));
        net.init();
        Random r = new Random(11);
        for (Map.Entry<String, INDArray> e : net.getLayer("gpt").paramTable().entrySet()) {
            INDArray a = e.getValue();
            for (long i = 0; i < a.length(); i++) {
                double noise = 0.3 * r.nextGaussian();
                a.putScalar(i, Gpt2Params.startsAtOne(e.getKey()) ? 1 + noise : noise);
            }
        }
        return net;
    }

    static int[][] ids(int batch, Gpt2Model.Spec spec, long seed) {
        Random r = new Random(seed);
        int[][] ids = new int[batch][spec.seqLen()];
        for (int[] row : ids) {
            for (int i = 0; i < row.length; i++) {
                row[i] = r.nextInt(spec.vocabSize());
            }
        }
        return ids;
    }

    static INDArray input(int[][] ids, DataType dt) {
        INDArray x = Nd4j.create(dt, ids.length, 1, ids[0].length);
        for (int b = 0; b < ids.length; b++) {
            for (int i = 0; i < ids[b].length; i++) {
                x.putScalar(new int[]{b, 0, i}, ids[b][i]);
            }
        }
        return x;
    }

    @Test
    void logitsMatchThePapersEquationsComputedIndependently() {
        for (Architecture arch : List.of(Architecture.GPT2, NORMFORMER, WITH_RESSCALE)) {
            Gpt2Model.Spec spec = tiny(arch);
            ComputationGraph net = randomDoubleModel(spec);
            int[][] ids = ids(2, spec, 5);
            INDArray logits = net.outputSingle(input(ids, DataType.DOUBLE));
            double worst = largestLogitDifference(new ReferenceGpt2(net.getLayer("gpt").paramTable(), spec), ids, logits, spec);
            assertTrue(worst < 1e-9, arch.label() + ": largest logit difference from the reference " + worst);
        }
    }

    @Test
    void analyticGradientsMatchFiniteDifferences() {
        List<String> failed = gradientFailuresOfARandomModel(tiny(WITH_RESSCALE), 6);
        assertTrue(failed.isEmpty(), failed + " gradient check of NormFormer with residual scaling (every parameter random)");
    }

    /** max |reference − model| over the vocabulary's logits; {@code rows} is the model's output, one row per token. */
    static double largestLogitDifference(ReferenceGpt2 reference, int[][] ids, INDArray rows, Gpt2Model.Spec spec) {
        double worst = 0;
        for (int b = 0; b < ids.length; b++) {
            double[][] expected = reference.logits(ids[b]);
            for (int i = 0; i < spec.seqLen(); i++) {
                for (int v = 0; v < spec.vocabSize(); v++) {
                    worst = Math.max(worst, Math.abs(expected[i][v] - rows.getDouble((long) b * spec.seqLen() + i, v)));
                }
            }
        }
        return worst;
    }

    /** The sampled gradient check of a random double-precision model of {@code spec} on random tokens. */
    static List<String> gradientFailuresOfARandomModel(Gpt2Model.Spec spec, int perParam) {
        return SampledGradientCheck.inDoublePrecision(() -> {
            ComputationGraph net = randomDoubleModel(spec);
            INDArray x = input(ids(2, spec, 5), DataType.DOUBLE);
            INDArray y = input(ids(2, spec, 6), DataType.DOUBLE).reshape(2, spec.seqLen());
            return SampledGradientCheck.failures(net, x, y, perParam);
        });
    }

    @Test
    void addsTwoLayerNormsAndTheHeadScalesPerBlock() {
        Gpt2Model.Spec dense = new Gpt2Model.Spec(1000, 64, 32, 4, 3);
        Gpt2Model.Spec nf = new Gpt2Model.Spec(1000, 64, 32, 4, 3, NORMFORMER);
        Gpt2Model.Spec rs = new Gpt2Model.Spec(1000, 64, 32, 4, 3, WITH_RESSCALE);
        long base = parameters(dense);
        // per block: attention LN (2d), head scales (H), feed-forward LN over 4d (8d); residual scale (d)
        assertEquals(base + 3 * (2 * 32 + 4 + 8 * 32), parameters(nf));
        assertEquals(base + 3 * (2 * 32 + 4 + 8 * 32 + 32), parameters(rs));
    }

    static long parameters(Gpt2Model.Spec spec) {
        ComputationGraph net = new ComputationGraph(Gpt2Model.gradientCheckConfiguration(spec, 1));
        net.init();
        return net.numParams();
    }

    @Test
    void aCheckpointRoundTripsAndKeepsTraining(@TempDir Path dir) throws Exception {
        // NormFormer, and a NormFormer Mixture-of-Experts model (its loss layer carries the routing columns)
        for (Architecture arch : List.of(WITH_RESSCALE, new Architecture(true, true, new Moe(3, 2, 2, 1.0, 0.01)))) {
            Gpt2Model.Spec spec = new Gpt2Model.Spec(40, 8, 16, 2, 2, arch);
            Gpt2Model.Optimizer opt = new Gpt2Model.Optimizer(new FixedSchedule(1e-2), 0.9, 0.95, 1e-8, 0.1, 1.0);
            ComputationGraph net = Gpt2Model.create(spec, opt, 7);
            MultiDataSet batch = new MultiDataSet(input(ids(4, spec, 1), DataType.FLOAT), input(ids(4, spec, 2), DataType.FLOAT).reshape(4, 8));
            net.fit(batch);
            FileSystem fs = FileSystem.getLocal(new Configuration());
            org.apache.hadoop.fs.Path at = new org.apache.hadoop.fs.Path(dir.resolve(arch.label()).toUri());
            ModelFiles.save(fs, net, at);
            ComputationGraph back = ModelFiles.load(fs, new org.apache.hadoop.fs.Path(at, io.lmforge.core.dataset.RunCheckpoints.MODEL_FILE));
            assertEquals(arch, Gpt2Model.layerOf(back).architecture());
            assertEquals(net.params(), back.params());
            net.fit(batch);
            back.fit(batch);
            assertEquals(net.params(), back.params(), arch.label() + ": the restored model (weights and Adam state) takes the same next step");
        }
    }

    @Test
    void hfExportRefusesIt(@TempDir Path dir) {
        ComputationGraph net = Gpt2Model.create(tiny(NORMFORMER), new Gpt2Model.Optimizer(new FixedSchedule(1e-3), 0.9, 0.95, 1e-8, 0, 0), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HfGpt2Export.write(net, 0, dir.resolve("out")));
        assertTrue(e.getMessage().contains("normformer"), e.getMessage());
    }
}
