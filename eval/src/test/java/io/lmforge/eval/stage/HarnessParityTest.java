package io.lmforge.eval.stage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmforge.core.config.PipelineConfig;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.stage.StageContext;
import io.lmforge.core.stage.StageRegistry;
import io.lmforge.core.testing.PythonEnv;
import io.lmforge.core.testing.SharedSpark;
import io.lmforge.eval.EvalFixture;
import io.lmforge.training.stage.ExportHfStage;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our eval and lm-evaluation-harness (pinned, python/requirements-transformers.txt) on the same
 * model (exported with export-hf) and the same XCOPA data give the same per-example
 * log-likelihoods and predictions, 0-shot. Runs with LMFORGE_HARNESS_CHECK=1 (the torch env is
 * 5.6 GB, so CI does not build it):
 * LMFORGE_HARNESS_CHECK=1 mvn -pl eval test -Dtest=HarnessParityTest
 */
class HarnessParityTest {
    private static final int LIMIT = 60;

    @Test
    void sameLogLikelihoodsAndPredictionsAsTheHarnessOnXcopa() throws Exception {
        Assumptions.assumeTrue(System.getenv("LMFORGE_HARNESS_CHECK") != null, "set LMFORGE_HARNESS_CHECK=1 to run the lm-evaluation-harness parity check");
        System.setProperty("lmforge.home", SharedSpark.repoRoot().getPath());
        Path root = EvalFixture.build("harness", 128); // the harness refuses continuations longer than the context
        Path hf = root.resolve("hf");
        List<String> sets = List.of("train.run=trained", "export.out=" + hf, "eval.tasks=[xcopa]", "eval.languages=[et]", "eval.fewshot.k=[0]",
                "eval.limit=" + LIMIT);
        StageContext ctx = new StageContext(SharedSpark.get(), PipelineConfig.load(null, sets), new DatasetLayout(root.toString()), "0001", false,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new StageRegistry());
        new ExportHfStage().run(ctx);
        new EvalStage().run(ctx);
        List<JsonNode> ours = Files.readAllLines(root.resolve("eval/trained/chunk=0001/samples.jsonl")).stream().map(HarnessParityTest::json).toList();

        String python = PythonEnv.python("transformers");
        JsonNode theirs = new ObjectMapper().readTree(PythonEnv.runPython(python, "python/lmeval_parity.py", hf.toString(),
                SharedSpark.repoRoot().toPath().resolve("data/eval/xcopa/data/et/test.et.jsonl").toString(), "et", String.valueOf(LIMIT)));
        JsonNode examples = theirs.get("examples");
        assertEquals(LIMIT, ours.size());
        assertEquals(LIMIT, examples.size());
        double maxDiff = 0;
        int samePred = 0;
        for (int i = 0; i < LIMIT; i++) {
            JsonNode o = ours.get(i);
            JsonNode t = examples.get(i);
            assertEquals(o.get("doc_id").asInt(), t.get("doc_id").asInt());
            assertEquals(o.get("gold").asInt(), t.get("gold").asInt());
            for (int c = 0; c < 2; c++) {
                // same request strings as the harness built
                assertEquals(o.get("contexts").get(c).asText(), t.get("arguments").get(c).get(0).asText());
                assertEquals(o.get("continuations").get(c).asText(), t.get("arguments").get(c).get(1).asText());
                maxDiff = Math.max(maxDiff, Math.abs(o.get("loglikelihoods").get(c).asDouble() - t.get("lls").get(c).asDouble()));
            }
            if (o.get("pred").asInt() == t.get("pred").asInt()) {
                samePred++;
            }
        }
        System.out.printf("harness parity: %d/%d identical predictions, max |loglikelihood diff| %.2e, acc ours %.3f harness %.3f%n",
                samePred, LIMIT, maxDiff, ours.stream().mapToDouble(j -> j.get("acc").asDouble()).average().orElse(0), theirs.get("acc").asDouble());
        assertTrue(maxDiff < 1e-3, "max |loglikelihood diff| " + maxDiff);
        assertEquals(LIMIT, samePred, "per-example predictions");
    }

    private static JsonNode json(String line) {
        try {
            return new ObjectMapper().readTree(line);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
