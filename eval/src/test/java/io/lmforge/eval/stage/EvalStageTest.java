package io.lmforge.eval.stage;

import io.lmforge.training.score.TokenWindow;
import io.lmforge.training.score.LmScorer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmforge.core.config.PipelineConfig;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.stage.StageContext;
import io.lmforge.core.stage.StageRegistry;
import io.lmforge.core.stage.StageResult;
import io.lmforge.core.testing.SharedSpark;
import io.lmforge.eval.EvalFixture;
import io.lmforge.eval.score.ContinuationWindow;
import io.lmforge.tokenize.bpe.BpeEncoder;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `eval` on real held-out text and the shipped tasks, with a tiny model before and after training. */
class EvalStageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path root;

    @BeforeAll
    static void fixture() throws Exception {
        System.setProperty("lmforge.home", SharedSpark.repoRoot().getPath());
        root = EvalFixture.build("eval");
    }

    private static StageResult eval(String run, String... sets) throws Exception {
        List<String> s = new ArrayList<>(List.of("train.run=" + run, "eval.limit=3", "eval.fewshot.k=[0,1]", "eval.fewshot.seeds=[0,1]"));
        s.addAll(List.of(sets));
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        StageContext ctx = new StageContext(SharedSpark.get(), PipelineConfig.load(null, s), new DatasetLayout(root.toString()), "0001", false,
                new PrintStream(console, true, StandardCharsets.UTF_8), new StageRegistry());
        StageResult r = new EvalStage().run(ctx);
        System.out.print(console.toString(StandardCharsets.UTF_8));
        return r;
    }

    private static JsonNode results(String run) throws Exception {
        return JSON.readTree(Files.readString(root.resolve("eval/" + run + "/chunk=0001/results.json")));
    }

    @Test
    void untrainedModelIsUniformAndTrainingLowersBitsPerByte() throws Exception {
        eval("untrained", "eval.tasks=[]");
        eval("trained", "eval.tasks=[]");
        JsonNode before = results("untrained").path("bits_per_byte");
        JsonNode after = results("trained").path("bits_per_byte");
        for (String lang : EvalFixture.LANGS) {
            // initial logits are ~0: a uniform distribution over 258 byte-level tokens, one token per byte
            assertEquals(Math.log(258) / Math.log(2), before.path(lang).path("bits_per_byte").asDouble(), 0.05, lang);
            assertEquals(8, before.path(lang).path("docs").asLong());
            assertEquals(before.path(lang).path("bytes").asLong(), before.path(lang).path("tokens").asLong(), "byte tokens");
            double trained = after.path(lang).path("bits_per_byte").asDouble();
            assertTrue(trained < 6.0, lang + " trained bpb " + trained);
            // the baselines on the same documents: uniform over 258 tokens is log2(258) bits per byte-token exactly;
            // the unigram of the training bytes sits between the trained model and uniform guessing
            double uniform = after.path(lang).path("uniform_bits_per_byte").asDouble();
            double unigram = after.path(lang).path("unigram_bits_per_byte").asDouble();
            assertEquals(Math.log(258) / Math.log(2), uniform, 1e-9, lang);
            assertTrue(unigram < uniform && unigram > 3.0, lang + " unigram " + unigram);
            assertTrue(trained < unigram, lang + ": the trained model beats the unigram baseline: " + trained + " vs " + unigram);
        }
        eval("trained", "eval.tasks=[]", "eval.bpb.heldout=chunk:0001"); // a fixed chunk's split: here the same documents
        assertEquals(after.path("fr").path("bits_per_byte").asDouble(), results("trained").path("bits_per_byte").path("fr").path("bits_per_byte").asDouble(), 1e-9);
        io.lmforge.core.config.ConfigError bad = org.junit.jupiter.api.Assertions.assertThrows(io.lmforge.core.config.ConfigError.class,
                () -> eval("trained", "eval.tasks=[]", "eval.bpb.heldout=yesterday"));
        assertTrue(bad.getMessage().contains("eval.bpb.heldout"), bad.getMessage());
    }

    @Test
    void fewShotResultsSamplesAndAnytimeRowsAreConsistent() throws Exception {
        StageResult r = eval("trained");
        assertEquals(StageResult.Outcome.COMMITTED, r.outcome());
        JsonNode res = results("trained");
        int langs = 11 + 10 + 6;
        assertEquals(langs * 2, res.path("results").size(), "every task x language x k");
        int withMetrics = 0;
        for (var it = res.path("results").fields(); it.hasNext(); ) {
            var e = it.next();
            int n = e.getValue().path("sample_len").asInt();
            assertEquals(3, n + e.getValue().path("skipped_overlong").asInt(), e.getKey() + ": every item scored or counted as skipped");
            if (n > 0) {
                double acc = e.getValue().path("acc,none").asDouble();
                assertTrue(acc >= 0 && acc <= 1, e.getKey());
                withMetrics++;
            } else {
                assertTrue(e.getValue().path("acc,none").isNull(), e.getKey());
                assertTrue(e.getValue().path("note").asText().contains("every item skipped"), e.getKey());
            }
            int k = res.path("n-shot").path(e.getKey()).asInt();
            assertEquals(k == 0 ? 1 : 2, e.getValue().path("seeds").size(), e.getKey());
        }
        JsonNode et1 = res.path("results").path("xcopa_et|1-shot");
        assertEquals(2, et1.path("acc_per_seed").size());
        double a0 = et1.path("acc_per_seed").get(0).asDouble();
        double a1 = et1.path("acc_per_seed").get(1).asDouble();
        assertEquals(Math.abs(a0 - a1) / Math.sqrt(2), et1.path("acc_seed_std").asDouble(), 1e-12, "sample standard deviation over the 2 seeds");
        assertTrue(res.path("results").path("xcopa_et|0-shot").path("acc_seed_std").isNull(), "k = 0 runs once: no spread");
        List<String> samples = Files.readAllLines(root.resolve("eval/trained/chunk=0001/samples.jsonl"));
        assertEquals(langs * 3 * (1 + 2), samples.size(), "3 examples x (k=0 once + k=1 for 2 seeds)");
        // the byte-level tokenizer: a continuation's tokens are its bytes; one longer than the context (32) is never scored
        int skipped = 0;
        List<String> scoredSamples = new ArrayList<>();
        for (String line : samples) {
            JsonNode s = JSON.readTree(line);
            int longest = 0;
            for (JsonNode cont : s.path("continuations")) {
                longest = Math.max(longest, cont.asText().getBytes(StandardCharsets.UTF_8).length);
            }
            boolean overlong = longest > EvalFixture.SEQ;
            assertEquals(overlong, s.has("skipped"), line);
            if (overlong) {
                skipped++;
                assertTrue(s.path("skipped").asText().contains("continuation of " + longest + " tokens"), line);
                assertTrue(!s.has("pred"), line);
            } else {
                scoredSamples.add(line);
            }
        }
        assertTrue(skipped > 0 && !scoredSamples.isEmpty(), "this fixture has both: " + skipped + " skipped");

        // a sample's log-likelihoods, recomputed on the driver from its prompt, are what the executors returned
        LmScorer scorer = LmScorer.fromBytes(Files.readAllBytes(root.resolve("models/trained/chunk=0001/model.zip")), 4);
        BpeEncoder enc = EvalFixture.byteTokenizer().newEncoder();
        for (String line : List.of(scoredSamples.get(0), scoredSamples.get(scoredSamples.size() - 1))) {
            JsonNode s = JSON.readTree(line);
            List<TokenWindow> ws = new ArrayList<>();
            for (int c = 0; c < s.path("contexts").size(); c++) {
                ws.add(ContinuationWindow.window(ContinuationWindow.encode(enc::encode, s.path("contexts").get(c).asText(),
                        s.path("continuations").get(c).asText(), 0), scorer.contextLength()));
            }
            double[] ll = scorer.logLikelihoods(ws);
            for (int c = 0; c < ll.length; c++) {
                assertEquals(ll[c], s.path("loglikelihoods").get(c).asDouble(), 1e-4, line);
                assertTrue(ll[c] < 0);
            }
            int pred = ll[1] > ll[0] ? 1 : 0;
            assertEquals(pred, s.path("pred").asInt());
            assertEquals(pred == s.path("gold").asInt() ? 1.0 : 0.0, s.path("acc").asDouble());
        }

        List<Row> anytime = SharedSpark.get().read().parquet(root.resolve("eval/trained/anytime/chunk=0001").toString()).collectAsList();
        assertEquals(EvalFixture.LANGS.size() * 3 + withMetrics * 3, anytime.size(),
                "bpb, bpb_uniform and bpb_unigram per language + acc/acc_norm/acc_bytes per task x language x k with a metric");

        StageResult again = eval("trained");
        assertEquals(StageResult.Outcome.SKIPPED, again.outcome(), "same model, data and config: up to date");

        // a Mixture-of-Experts run's training metrics carry its routing (TrainStageTest checks the train stage writes them): the
        // report shows each chunk's last round
        DatasetLayout layout = new DatasetLayout(root.toString());
        io.lmforge.core.testing.Fixtures.commit(SharedSpark.get(), layout, "train", "0001", layout.metrics("trained", "0001"),
                staged -> SharedSpark.get().createDataFrame(List.of(
                        org.apache.spark.sql.RowFactory.create(10L, "0001", 0, 5.0, 1e-3, 100L, 50.0, 100L, 2.0, 1.2, List.of(0.5, 0.25, 0.25, 0.0), 0.1),
                        org.apache.spark.sql.RowFactory.create(20L, "0001", 1, 4.5, 1e-3, 100L, 50.0, 200L, 4.0, 1.05, List.of(0.3, 0.25, 0.25, 0.2), 0.05)),
                        io.lmforge.core.dataset.DatasetSchemas.TRAIN_METRICS).write().parquet(staged.toString()), java.util.Map.of(),
                io.lmforge.core.dataset.Lineage.NONE);
        // a population-based run's lineage (TrainStageTest checks the train stage writes it): member 2 copies member 1 at the
        // first ready point and is the best at the second, so the best member's lineage goes 2 <- 1
        io.lmforge.core.testing.Fixtures.commit(SharedSpark.get(), layout, "train", "0001", layout.pbtLineage("trained", "0001"),
                staged -> SharedSpark.get().createDataFrame(List.of(lineageRow(0, 0, 1e-3, 5.0, 0, 1e-3), lineageRow(0, 1, 2e-3, 4.0, 1, 2e-3),
                                lineageRow(0, 2, 3e-3, 6.0, 1, 2.4e-3), lineageRow(1, 0, 1e-3, 4.5, 0, 1e-3), lineageRow(1, 1, 2e-3, 3.9, 1, 2e-3),
                                lineageRow(1, 2, 2.4e-3, 3.5, 2, 2.4e-3)), io.lmforge.core.dataset.DatasetSchemas.PBT_LINEAGE)
                        .write().parquet(staged.toString()), java.util.Map.of(), io.lmforge.core.dataset.Lineage.NONE);
        StageContext ctx = new StageContext(SharedSpark.get(), PipelineConfig.load(null, List.of("train.run=trained")), layout,
                null, false, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new StageRegistry());
        new io.lmforge.eval.report.ReportStage().run(ctx);
        Path report = root.resolve("report/trained");
        String md = Files.readString(report.resolve("report.md"));
        assertTrue(md.contains("| 0001 | 0001 | 57,344 |"), md);
        assertTrue(md.contains("| cumulative error |"), md);
        assertTrue(md.contains("## Expert utilisation") && md.contains("| 0001 | 2 | 1.050 | 5.0% | 0.30 0.25 0.25 0.20 |"), md);
        assertTrue(md.contains("| xcopa_et") || md.contains("| et | 0-shot |"), md);
        assertTrue(md.contains("## Population based training") && md.contains("3 members, 2 ready points, 1 copies"), md);
        assertTrue(md.contains("| 2 | 0001 | 2 | learning-rate 0.00240 | 3.5000 |") && md.contains("| 1 | 0001 | 1 | learning-rate 0.00200 | 4.0000 | member 2 |"), md);
        for (String png : List.of("pbt_members.png", "pbt_learning_rate.png", "anytime_bpb.png", "anytime_accuracy.png", "bpb_by_language.png", "accuracy_xcopa.png", "accuracy_xwinograd.png")) {
            byte[] b = Files.readAllBytes(report.resolve(png));
            assertTrue(b.length > 1000 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G', png);
        }
        assertTrue(Files.readString(report.resolve("report.html")).contains("<img src=\"bpb_by_language.png\""));
    }

    private static org.apache.spark.sql.Row lineageRow(long ready, int member, double lr, double score, int parent, double nextLr) {
        return org.apache.spark.sql.RowFactory.create("0001", ready, (int) ready, 2 * (ready + 1), 64 * (ready + 1), member,
                java.util.Map.of("learning-rate", lr), 5.0, score, parent, parent != member, java.util.Map.of("learning-rate", nextLr), 1.0);
    }

    @Test
    void overlongFailPolicyNamesTheItem() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> eval("trained", "eval.tasks=[xstorycloze]", "eval.fewshot.k=[0]", "eval.overlong=fail", "eval.bpb.max-docs-per-language=1"));
        assertTrue(e.getMessage().contains("xstorycloze_") && e.getMessage().contains("tokens, the model's context is " + EvalFixture.SEQ)
                && e.getMessage().contains("eval.overlong"), e.getMessage());
        io.lmforge.core.config.ConfigError bad = org.junit.jupiter.api.Assertions.assertThrows(io.lmforge.core.config.ConfigError.class,
                () -> eval("trained", "eval.tasks=[xcopa]", "eval.overlong=truncate"));
        assertTrue(bad.getMessage().contains("'eval.overlong' must be one of skip|fail"), bad.getMessage()); // refused when the config loads
    }
}
