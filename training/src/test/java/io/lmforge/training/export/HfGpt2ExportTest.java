package io.lmforge.training.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmforge.core.testing.PythonEnv;
import io.lmforge.core.testing.SharedSpark;
import io.lmforge.training.data.SequenceBatches;
import io.lmforge.training.model.Gpt2Model;
import io.lmforge.training.model.WarmupCosineSchedule;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Export to the HF GPT-2 layout, checked by an independent numpy implementation of
 * GPT2LMHeadModel's forward pass reading model.safetensors (python/gpt2_numpy_check.py) and by
 * transformers loading the directory as FlaxGPT2LMHeadModel (CPU JAX, pinned in the export env), and
 * with LMFORGE_TRANSFORMERS_CHECK=1 by transformers' PyTorch GPT2LMHeadModel (pinned torch, 5.6 GB).
 */
class HfGpt2ExportTest {
    @Test
    void exportedCheckpointGivesOurLogits() throws Exception {
        int t = 12;
        ComputationGraph net = Gpt2Model.create(new Gpt2Model.Spec(300, t, 32, 4, 2),
                new Gpt2Model.Optimizer(new WarmupCosineSchedule(1e-2, 10, 150, 0.1), 0.9, 0.95, 1e-8, 0.01, 1.0), 5);
        byte[] text = Files.readAllBytes(SharedSpark.repoRoot().toPath().resolve("data/sample/chunk-0002/text/ud-el.txt"));
        List<int[]> rows = new ArrayList<>();
        for (int b = 0; b < 4; b++) {
            int[] s = new int[t + 1];
            for (int k = 0; k <= t; k++) {
                s[k] = text[b * 97 + k] & 0xFF;
            }
            rows.add(s);
        }
        MultiDataSet batch = SequenceBatches.toBatch(rows);
        for (int i = 0; i < 150; i++) {
            // trained well past the initialisation (logits of several units), so that a wrong head split,
            // layer order or activation in the export moves the logits by far more than the 1e-3 tolerance
            net.fit(batch);
        }
        INDArray logits = net.feedForward(new INDArray[]{batch.getFeatures(0)}, false, false).get("gpt").reshape(rows.size(), t, 300); // rows [b*T, V] -> [b, T, V]
        List<List<Integer>> ids = new ArrayList<>();
        List<double[][]> out = new ArrayList<>();
        for (int b = 0; b < rows.size(); b++) {
            List<Integer> seq = new ArrayList<>();
            double[][] l = new double[t][];
            for (int i = 0; i < t; i++) {
                seq.add(rows.get(b)[i]);
                l[i] = logits.get(NDArrayIndex.point(b), NDArrayIndex.point(i), NDArrayIndex.all()).toDoubleVector();
            }
            ids.add(seq);
            out.add(l);
        }
        Path dir = SharedSpark.tempDir("hf-export");
        HfGpt2Export.write(net, 0, dir.resolve("model"));
        Map<String, Object> cases = new LinkedHashMap<>();
        cases.put("ids", ids);
        cases.put("logits", out);
        Path casesFile = dir.resolve("cases.json");
        new ObjectMapper().writeValue(casesFile.toFile(), cases);
        // LMFORGE_TRANSFORMERS_CHECK=1: also load the directory with transformers' GPT2LMHeadModel (a 5.6 GB env)
        boolean transformers = System.getenv("LMFORGE_TRANSFORMERS_CHECK") != null;
        String python = PythonEnv.python(transformers ? "transformers" : "export");
        JsonNode r = new ObjectMapper().readTree(PythonEnv.runPython(python, "python/gpt2_numpy_check.py", dir.resolve("model").toString(), casesFile.toString()));
        System.out.println("HF export check (python/gpt2_numpy_check.py): " + r);
        assertEquals(4, r.get("sequences").asInt());
        assertTrue(r.get("max_abs_diff").asDouble() < 1e-3, "max |logit difference| = " + r.get("max_abs_diff"));
        if (transformers) {
            assertTrue(r.has("transformers_max_abs_diff"), r.toString());
            assertTrue(r.get("transformers_max_abs_diff").asDouble() < 1e-3, "GPT2LMHeadModel vs ours: " + r);
        } else {
            // transformers itself loads the export (its Flax GPT-2: same config.json, same safetensors names)
            assertTrue(r.has("transformers_flax_max_abs_diff"), r.toString());
            assertTrue(r.get("transformers_flax_max_abs_diff").asDouble() < 1e-3, "FlaxGPT2LMHeadModel vs ours: " + r);
        }
        JsonNode config = new ObjectMapper().readTree(dir.resolve("model/config.json").toFile());
        assertEquals("gpt2", config.get("model_type").asText());
        assertEquals(2, config.get("n_layer").asInt());
    }
}
