package io.lmforge.training.spark;

import io.lmforge.core.testing.SharedSpark;
import io.lmforge.training.data.SequenceBatches;
import io.lmforge.training.model.Gpt2Model;
import io.lmforge.training.model.WarmupCosineSchedule;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** dl4j-spark parameter averaging on Spark local[2], on byte tokens of real sample text. */
class ParameterAveragingTest {
    private static final int T = 16;

    private static List<MultiDataSet> batches(int n, int batch) throws Exception {
        byte[] text = Files.readAllBytes(SharedSpark.repoRoot().toPath().resolve("data/sample/chunk-0002/text/ud-de.txt"));
        List<MultiDataSet> out = new ArrayList<>();
        int off = 0;
        for (int i = 0; i < n; i++) {
            List<int[]> rows = new ArrayList<>();
            for (int b = 0; b < batch; b++) {
                int[] s = new int[T + 1];
                for (int k = 0; k <= T; k++) {
                    s[k] = text[off + k] & 0xFF;
                }
                off += T;
                rows.add(s);
            }
            out.add(SequenceBatches.toBatch(rows));
        }
        return out;
    }

    private static ComputationGraph tinyModel() {
        return Gpt2Model.create(new Gpt2Model.Spec(256, T, 32, 2, 1),
                new Gpt2Model.Optimizer(new WarmupCosineSchedule(3e-3, 5, 100, 0.1), 0.9, 0.95, 1e-8, 0.0, 1.0), 3);
    }

    @Test
    void repeatedFitsSurviveSparkClosingBroadcastsAndLeaveNoExportFiles() throws Exception {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext());
        Path export = SharedSpark.tempDir("dl4j-export").resolve("batches");
        ComputationGraph net = tinyModel();
        ParameterAveraging pa = new ParameterAveraging(sc, 2, 8, 2, export.toUri().toString(), 1);
        JavaRDD<MultiDataSet> rdd = sc.parallelize(batches(16, 8), 2).cache();
        double first = Double.NaN;
        double last = Double.NaN;
        for (int round = 0; round < 4; round++) {
            ParameterAveraging.Result r = pa.fit(net, rdd);
            net = r.net();
            first = round == 0 ? r.score() : first;
            last = r.score();
            for (int k = 0; k < 3; k++) { // Spark's ContextCleaner closes collected broadcast values; the params must survive
                System.gc();
                Thread.sleep(300);
            }
            net.outputSingle(rdd.first().getFeatures(0));
            assertFalse(Files.exists(export), "exported minibatch files are removed after each fit");
        }
        assertTrue(last < first, "loss went down over rounds: " + first + " -> " + last);
        assertTrue(net.getUpdater().getStateViewArray() != null && net.getUpdater().getStateViewArray().sumNumber().doubleValue() != 0,
                "Adam state travels back from the workers (saveUpdater)");
    }

    @Test
    void autoApproachExportsWhereDl4jCanAndGoesDirectOnAClusterWithALocalDefaultFileSystem() throws Exception {
        org.apache.hadoop.fs.FileSystem local = org.apache.hadoop.fs.FileSystem.getLocal(new org.apache.hadoop.conf.Configuration());
        assertEquals(RDDTrainingApproach.Export, ParameterAveraging.approach("auto", "local[2]", local));
        // a standalone cluster with file:// as default FS: DL4J's Export refuses ("Export training approach is not supported")
        assertEquals(RDDTrainingApproach.Direct, ParameterAveraging.approach("auto", "spark://127.0.0.1:7077", local));
        assertEquals(RDDTrainingApproach.Export, ParameterAveraging.approach("export", "local[2]", local));
        assertEquals(RDDTrainingApproach.Direct, ParameterAveraging.approach("DIRECT", "local[2]", local));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> ParameterAveraging.approach("shared", "local[2]", local));
        assertTrue(bad.getMessage().contains("train.rdd-approach"), bad.getMessage());
    }

    @Test
    void directApproachTrainsAndLeavesNoExportFiles() throws Exception {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext());
        Path export = SharedSpark.tempDir("dl4j-direct").resolve("batches");
        ComputationGraph net = tinyModel();
        ParameterAveraging pa = new ParameterAveraging(sc, 2, 8, 2, export.toUri().toString(), 1, RDDTrainingApproach.Direct);
        // not cached: Direct persists the RDD itself (MEMORY_ONLY_SER), and Spark refuses a second storage level
        JavaRDD<MultiDataSet> rdd = sc.parallelize(batches(16, 8), 2);
        ParameterAveraging.Result r0 = pa.fit(net, rdd);
        net = r0.net();
        double first = r0.score();
        double last = first;
        for (int round = 0; round < 3; round++) {
            ParameterAveraging.Result r = pa.fit(net, rdd);
            net = r.net();
            last = r.score();
        }
        assertTrue(last < first, "loss went down over rounds: " + first + " -> " + last);
        assertFalse(Files.exists(export));
    }

    @Test
    void batchesAreShiftedByOneToken() {
        MultiDataSet m = SequenceBatches.toBatch(List.of(new int[]{5, 6, 7, 8}, new int[]{1, 2, 3, 4}));
        assertArrayEquals(new long[]{2, 1, 3}, m.getFeatures(0).shape());
        assertArrayEquals(new float[]{5, 6, 7, 1, 2, 3}, m.getFeatures(0).data().asFloat());
        assertArrayEquals(new float[]{6, 7, 8, 2, 3, 4}, m.getLabels(0).data().asFloat());
    }
}
