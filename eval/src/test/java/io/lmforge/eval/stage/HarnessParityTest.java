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
import io.lmforge.eval.task.LoadedTask;
import io.lmforge.training.stage.ExportHfStage;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our eval and lm-evaluation-harness (its own task definitions, python/lmeval_parity.py; the version
 * pinned in python/requirements-transformers.txt) on the same model (exported with export-hf) and the
 * same data, XCOPA, XStoryCloze and XWinograd on several languages, 0-shot and k-shot with each side
 * choosing its own demonstrations (ours: eval.fewshot.sampler = harness) at two seeds: the same request
 * strings, the same predictions, log-likelihoods within 1e-3, example by example. Runs with
 * LMFORGE_HARNESS_CHECK=1 (the torch env is 5.6 GB, so CI does not build it):
 * LMFORGE_HARNESS_CHECK=1 mvn -pl eval test -Dtest=HarnessParityTest
 */
class HarnessParityTest {
    private static final int LIMIT = 40;
    private static final List<Integer> KS = List.of(0, 1, 4);
    private static final List<Integer> SEEDS = List.of(1234, 7);
    private static final ObjectMapper JSON = new ObjectMapper();

    record Lang(String task, String lang) {
    }

    private static final List<Lang> LANGS = List.of(new Lang("xcopa", "et"), new Lang("xcopa", "zh"), new Lang("xstorycloze", "es"),
            new Lang("xstorycloze", "id"), new Lang("xwinograd", "en"), new Lang("xwinograd", "fr"));

    @Test
    void sameRequestsAndPredictionsAsTheHarnessAtEveryK() throws Exception {
        Assumptions.assumeTrue(System.getenv("LMFORGE_HARNESS_CHECK") != null, "set LMFORGE_HARNESS_CHECK=1 to run the lm-evaluation-harness parity check");
        Path repo = SharedSpark.repoRoot().toPath();
        System.setProperty("lmforge.home", repo.toString());
        Path root = EvalFixture.build("harness", 128); // the harness refuses continuations longer than the context
        Path hf = root.resolve("hf");
        run(root, List.of("train.run=trained", "export.out=" + hf), new ExportHfStage());
        Map<String, List<JsonNode>> ours = new LinkedHashMap<>(); // task_lang|k|seed -> samples by doc
        List<Map<String, Object>> cases = new ArrayList<>();
        for (Lang l : LANGS) {
            run(root, List.of("train.run=trained", "eval.tasks=[" + l.task() + "]", "eval.languages=[" + l.lang() + "]", "eval.fewshot.k=" + KS,
                    "eval.fewshot.seeds=" + SEEDS, "eval.fewshot.sampler=harness", "eval.limit=" + LIMIT, "eval.bpb.max-docs-per-language=1"), new EvalStage());
            for (String line : Files.readAllLines(root.resolve("eval/trained/chunk=0001/samples.jsonl"))) {
                JsonNode s = JSON.readTree(line);
                int seed = s.get("k").asInt() == 0 ? SEEDS.get(0) : s.get("seed").asInt(); // k = 0 runs once; the seed does not matter
                ours.computeIfAbsent(s.get("task").asText() + "|" + s.get("k").asInt() + "|" + seed, x -> new ArrayList<>()).add(s);
            }
            for (int k : KS) {
                for (int seed : k == 0 ? SEEDS.subList(0, 1) : SEEDS) {
                    cases.add(Map.of("task", l.task(), "lang", l.lang(), "k", k, "seed", seed, "limit", LIMIT, "files", files(repo, root, l)));
                }
            }
        }
        Path spec = root.resolve("harness-cases.json");
        JSON.writeValue(spec.toFile(), Map.of("model", hf.toString(), "cases", cases));
        JsonNode theirs = JSON.readTree(PythonEnv.runPython(PythonEnv.python("transformers"), "python/lmeval_parity.py", spec.toString()));

        int requests = 0;
        int sameRequests = 0;
        int examples = 0;
        int samePred = 0;
        double maxDiff = 0;
        for (JsonNode c : theirs.get("cases")) {
            String key = c.get("task").asText() + "_" + c.get("lang").asText() + "|" + c.get("k").asInt() + "|" + c.get("seed").asInt();
            List<JsonNode> mine = ours.get(key);
            JsonNode harness = c.get("examples");
            assertEquals(harness.size(), mine.size(), key);
            int caseSameRequests = 0;
            int caseRequests = 0;
            for (int i = 0; i < harness.size(); i++) {
                JsonNode o = mine.get(i);
                JsonNode t = harness.get(i);
                assertEquals(t.get("doc_id").asInt(), o.get("doc_id").asInt(), key);
                assertEquals(t.get("gold").asInt(), o.get("gold").asInt(), key + " doc " + i);
                for (int a = 0; a < t.get("arguments").size(); a++) {
                    caseRequests++;
                    if (o.get("contexts").get(a).asText().equals(t.get("arguments").get(a).get(0).asText())
                            && o.get("continuations").get(a).asText().equals(t.get("arguments").get(a).get(1).asText())) {
                        caseSameRequests++;
                        maxDiff = Math.max(maxDiff, Math.abs(o.get("loglikelihoods").get(a).asDouble() - t.get("lls").get(a).asDouble()));
                    }
                }
                samePred += o.get("pred").asInt() == t.get("pred").asInt() ? 1 : 0;
            }
            System.out.printf(Locale.ROOT, "harness parity %-22s: %d/%d identical requests, acc ours %.3f harness %.3f%n", key, caseSameRequests,
                    caseRequests, mine.stream().mapToDouble(j -> j.get("acc").asDouble()).average().orElse(Double.NaN), c.get("acc").asDouble());
            requests += caseRequests;
            sameRequests += caseSameRequests;
            examples += harness.size();
        }
        System.out.printf(Locale.ROOT, "harness parity (lm_eval %s): %d cases, %d/%d identical requests, %d/%d identical predictions, "
                + "max |log-likelihood diff| %.2e%n", theirs.get("harness").asText(), theirs.get("cases").size(), sameRequests, requests, samePred,
                examples, maxDiff);
        assertEquals(requests, sameRequests, "request strings (the demonstrations chosen, the templates)");
        assertEquals(examples, samePred, "per-example predictions");
        assertTrue(maxDiff < 1e-3, "max |loglikelihood diff| " + maxDiff);
    }

    /** The harness's splits for a task and language, as local files (XWinograd: our loader's docs, in the HF copy's fields). */
    private static Map<String, String> files(Path repo, Path root, Lang l) throws Exception {
        String lang = l.lang();
        return switch (l.task()) {
            case "xcopa" -> Map.of("test", repo.resolve("data/eval/xcopa/data/" + lang + "/test." + lang + ".jsonl").toString(),
                    "validation", repo.resolve("data/eval/xcopa/data/" + lang + "/val." + lang + ".jsonl").toString());
            case "xstorycloze" -> Map.of("eval", repo.resolve("data/eval/xstorycloze/spring2016.val." + lang + ".tsv.split_20_80_eval.tsv").toString(),
                    "train", repo.resolve("data/eval/xstorycloze/spring2016.val." + lang + ".tsv.split_20_80_train.tsv").toString());
            case "xwinograd" -> {
                StringBuilder sb = new StringBuilder();
                for (Map<String, String> d : LoadedTask.load("conf/tasks", "xwinograd", List.of(lang)).evalDocs().get(lang)) {
                    sb.append(JSON.writeValueAsString(Map.of("sentence", d.get("sentence"), "option1", d.get("option1"), "option2", d.get("option2"),
                            "answer", d.get("answer")))).append('\n');
                }
                Path f = root.resolve("xwinograd_" + lang + ".jsonl");
                Files.writeString(f, sb.toString());
                yield Map.of("test", f.toString());
            }
            default -> throw new IllegalArgumentException(l.task());
        };
    }

    private static void run(Path root, List<String> sets, io.lmforge.core.stage.Stage stage) throws Exception {
        StageContext ctx = new StageContext(SharedSpark.get(), PipelineConfig.load(null, sets), new DatasetLayout(root.toString()), "0001", false,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new StageRegistry());
        stage.run(ctx);
    }
}
