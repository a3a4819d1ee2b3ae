package io.lmforge.training.model;

import io.lmforge.core.testing.SharedSpark;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.schedule.FixedSchedule;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Gpt2ModelTest {
    private static final Gpt2Model.Spec TINY = new Gpt2Model.Spec(31, 6, 8, 2, 2);

    private static INDArray ids(DataType dt, int batch, int t, int vocab, long seed) {
        Random r = new Random(seed);
        INDArray a = Nd4j.create(dt, batch, 1, t);
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < t; i++) {
                a.putScalar(new int[]{b, 0, i}, r.nextInt(vocab));
            }
        }
        return a;
    }

    @Test
    void changingALaterTokenLeavesEarlierOutputsIdentical() {
        Gpt2Model.Spec spec = new Gpt2Model.Spec(50, 8, 16, 2, 2);
        ComputationGraph net = Gpt2Model.create(spec, new Gpt2Model.Optimizer(new FixedSchedule(1e-3), 0.9, 0.95, 1e-8, 0.0, 1.0), 7);
        INDArray x = ids(DataType.FLOAT, 2, 8, 50, 1);
        for (int t = 0; t < 7; t++) {
            INDArray before = net.outputSingle(x.dup()).reshape(2, 8, 50); // logit rows [b*T, V] -> [b, T, V]
            INDArray changed = x.dup();
            changed.putScalar(new int[]{0, 0, t + 1}, (changed.getInt(0, 0, t + 1) + 1) % 50);
            INDArray after = net.outputSingle(changed).reshape(2, 8, 50);
            INDArray prefixBefore = before.get(NDArrayIndex.all(), NDArrayIndex.interval(0, t + 1), NDArrayIndex.all());
            INDArray prefixAfter = after.get(NDArrayIndex.all(), NDArrayIndex.interval(0, t + 1), NDArrayIndex.all());
            assertEquals(prefixBefore, prefixAfter, "outputs at positions <= " + t + " must not see token " + (t + 1));
            assertNotEquals(before.get(NDArrayIndex.point(0), NDArrayIndex.point(t + 1), NDArrayIndex.all()),
                    after.get(NDArrayIndex.point(0), NDArrayIndex.point(t + 1), NDArrayIndex.all()), "position t+1 does see it");
        }
    }

    @Test
    void analyticGradientsMatchFiniteDifferences() {
        java.util.List<String> failed = SampledGradientCheck.inDoublePrecision(() -> {
            ComputationGraph net = new ComputationGraph(Gpt2Model.gradientCheckConfiguration(TINY, 3));
            net.init();
            INDArray x = ids(DataType.DOUBLE, 2, TINY.seqLen(), TINY.vocabSize(), 5);
            INDArray y = ids(DataType.DOUBLE, 2, TINY.seqLen(), TINY.vocabSize(), 6).reshape(2, TINY.seqLen()); // targets [b, T]
            return SampledGradientCheck.failures(net, x, y, 12);
        });
        assertTrue(failed.isEmpty(), failed + " gradient check of the real model with its loss (tiny size); without the SameDiffLayer 0.5 fix every gradient is 2x");
    }

    @Test
    void configurationSurvivesDl4jJson() {
        ComputationGraphConfiguration conf = Gpt2Model.configuration(new Gpt2Model.Spec(1000, 64, 32, 4, 3),
                new Gpt2Model.Optimizer(new WarmupCosineSchedule(3e-4, 10, 100, 0.1), 0.9, 0.95, 1e-8, 0.1, 1.0), 11, DataType.FLOAT);
        String json = conf.toJson();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(json, back.toJson());
        org.deeplearning4j.nn.conf.graph.LayerVertex vertex = (org.deeplearning4j.nn.conf.graph.LayerVertex) back.getVertices().get("gpt");
        Gpt2Layer layer = (Gpt2Layer) vertex.getLayerConf().getLayer();
        assertEquals(4, layer.getNumHeads());
        assertEquals(3, layer.getNumLayers());
        assertEquals(64, layer.getContextLength());
        assertEquals(1000, layer.getVocabSize());
        assertTrue(Gpt2Model.hasTokenLoss(new ComputationGraph(back)), "the loss function survives the JSON round trip");
    }

    @Test
    void lossOnSampleTextDropsWellBelowTheUnigramEntropy() throws Exception {
        // bytes of real sample text as tokens (vocab 256): the model must learn more than byte frequencies
        byte[] text = Files.readAllBytes(SharedSpark.repoRoot().toPath().resolve("data/sample/chunk-0002/text/ud-en.txt"));
        double[] freq = new double[256];
        for (byte b : text) {
            freq[b & 0xFF]++;
        }
        double unigram = 0;
        for (double f : freq) {
            if (f > 0) {
                unigram -= f / text.length * Math.log(f / text.length);
            }
        }
        int t = 32;
        int batch = 16;
        Gpt2Model.Spec spec = new Gpt2Model.Spec(256, t, 64, 4, 2);
        ComputationGraph net = Gpt2Model.create(spec, new Gpt2Model.Optimizer(new WarmupCosineSchedule(3e-3, 20, 200, 0.1), 0.9, 0.95, 1e-8, 0.01, 1.0), 1);
        Random r = new Random(1);
        double last = 0;
        for (int step = 0; step < 200; step++) {
            INDArray f = Nd4j.create(DataType.FLOAT, batch, 1, t);
            INDArray l = Nd4j.create(DataType.FLOAT, batch, t);
            for (int b = 0; b < batch; b++) {
                int off = r.nextInt(text.length - t - 1);
                for (int i = 0; i < t; i++) {
                    f.putScalar(new int[]{b, 0, i}, text[off + i] & 0xFF);
                    l.putScalar(new int[]{b, i}, text[off + i + 1] & 0xFF);
                }
            }
            net.fit(new MultiDataSet(f, l));
            double perToken = net.score(); // mean cross-entropy per token
            last = step == 0 ? perToken : 0.95 * last + 0.05 * perToken;
        }
        assertTrue(last < 0.85 * unigram, "loss " + last + " nats vs unigram entropy " + unigram + " nats");
        assertTrue(new String(text, StandardCharsets.UTF_8).length() > 10_000);
    }
}
