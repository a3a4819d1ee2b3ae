package io.lmforge.tokenize.bpe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmforge.core.testing.PythonEnv;
import io.lmforge.core.testing.SharedSpark;
import io.lmforge.tokenize.SampleTexts;
import io.lmforge.tokenize.train.BpeTrainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parity with Hugging Face tokenizers (pinned in python/requirements-tokenizers.txt): HF loads our
 * tokenizer.json and gives the same ids on text in every language of the sample plus hostile
 * cases, and decodes our ids back to the text; we load an HF-trained tokenizer.json and give
 * HF's ids.
 */
class TokenizerParityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static String python;
    private static BpeTokenizer ours;
    private static List<String> cases;
    private static Path dir;

    @BeforeAll
    static void setUp() throws IOException {
        python = PythonEnv.python("tokenizers");
        dir = SharedSpark.tempDir("parity");
        ours = new BpeTrainer().setVocabSize(3000).fit(SampleTexts.dataset(SampleTexts.lines())).tokenizer();
        cases = new ArrayList<>();
        for (SampleTexts.Line l : SampleTexts.docs(4, 3)) {
            cases.add(l.text());
        }
        cases.addAll(List.of(
                "", " ", "  leading and trailing  ", "tabs\tand\r\nwindows\r\n\r\nlines\n\n\n",
                "no\u00A0break\u3000ideographic\u2009thin\u202Fnarrow space", "digits 1234567890 ١٢٣٤ ०१२३",
                "emoji 👍🏽 and 𝕏 𠀋𠀌 (supplementary)", "combining e\u0301 a\u0308 and Hangul 한국어 jamo \u1100\u1161",
                "日本語のテキスト、コーヒーとカタカナ。中文句子没有空格。ภาษาไทยไม่มีช่องว่าง ພາສາລາວ ភាសាខ្មែរ မြန်မာ",
                "a <|endoftext|> in the middle and at the end<|endoftext|>", "<|pad|><|endoftext|>",
                "URL https://example.org/a/b?c=d&e=f#g e-mail |||EMAIL_ADDRESS|||",
                "x".repeat(5000), "ab".repeat(3000) + "\n" + "日".repeat(2000) + " " + "ที่".repeat(500)));
    }

    @Test
    void hfLoadsOurTokenizerAndGivesTheSameIds() throws IOException {
        Path tokJson = dir.resolve("ours.json");
        Files.writeString(tokJson, HfTokenizerJson.write(ours), StandardCharsets.UTF_8);
        BpeEncoder enc = ours.newEncoder();
        StringBuilder jsonl = new StringBuilder();
        long tokens = 0;
        for (String text : cases) {
            int[] ids = enc.encode(text);
            tokens += ids.length;
            assertEquals(text, ours.decode(ids, false), "our round trip");
            jsonl.append(JSON.writeValueAsString(java.util.Map.of("text", text, "ids", ids))).append('\n');
        }
        Path casesFile = dir.resolve("cases.jsonl");
        Files.writeString(casesFile, jsonl, StandardCharsets.UTF_8);
        JsonNode r = JSON.readTree(PythonEnv.runPython(python, "python/hf_tokenizers.py", "check", tokJson.toString(), casesFile.toString()));
        assertEquals(cases.size(), r.get("cases").asInt());
        assertEquals(tokens, r.get("tokens").asLong());
        assertEquals(0, r.get("mismatches").asInt(), () -> "HF gives other ids: " + r.get("examples"));
        assertEquals(0, r.get("decode_mismatches").asInt(), () -> "HF decodes our ids differently: " + r.get("decode_examples"));
        assertTrue(cases.size() > 250, "cases cover the sample's languages: " + cases.size());
    }

    @Test
    void trainingOnTheSameTextGivesHfsVocabularyIdsAndMerges() throws IOException {
        // natural language balance: HF's trainer knows no languages, so both count the same words
        BpeTokenizer natural = new BpeTrainer().setVocabSize(3000).setAlpha(1.0)
                .fit(SampleTexts.dataset(SampleTexts.lines())).tokenizer();
        Path oursJson = dir.resolve("natural.json");
        Files.writeString(oursJson, HfTokenizerJson.write(natural), StandardCharsets.UTF_8);
        StringBuilder jsonl = new StringBuilder();
        for (SampleTexts.Line l : SampleTexts.lines()) {
            jsonl.append(JSON.writeValueAsString(java.util.Map.of("text", l.text()))).append('\n');
        }
        Path texts = dir.resolve("train-texts.jsonl");
        Files.writeString(texts, jsonl, StandardCharsets.UTF_8);
        Path hfJson = dir.resolve("hf-like.json");
        PythonEnv.runPython(python, "python/hf_tokenizers.py", "train-like", oursJson.toString(), texts.toString(), hfJson.toString());
        JsonNode hf = JSON.readTree(hfJson.toFile()).get("model");
        JsonNode ours = JSON.readTree(oursJson.toFile()).get("model");
        assertEquals(hf.get("vocab").size(), ours.get("vocab").size());
        List<String> differ = new ArrayList<>();
        hf.get("vocab").fields().forEachRemaining(e -> {
            if (!e.getValue().equals(ours.get("vocab").get(e.getKey()))) {
                differ.add(e.getKey() + ": HF " + e.getValue() + ", ours " + ours.get("vocab").get(e.getKey()));
            }
        });
        assertTrue(differ.isEmpty(), () -> differ.size() + " tokens differ, first " + differ.subList(0, Math.min(5, differ.size())));
        assertEquals(2742, hf.get("merges").size());
        for (int i = 0; i < hf.get("merges").size(); i++) {
            assertEquals(mergeText(hf.get("merges").get(i)), mergeText(ours.get("merges").get(i)), "merge " + i);
        }
    }

    /** A merge as "left right": HF writes [left, right] since 0.20, and reads both forms. */
    private static String mergeText(JsonNode m) {
        return m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText();
    }

    @Test
    void weLoadAnHfTrainedTokenizerAndGiveTheSameIds() throws IOException {
        Path corpus = dir.resolve("corpus.txt");
        StringBuilder sb = new StringBuilder();
        for (SampleTexts.Line l : SampleTexts.lines()) {
            sb.append(l.text()).append('\n');
        }
        Files.writeString(corpus, sb, StandardCharsets.UTF_8);
        Path hfJson = dir.resolve("hf.json");
        PythonEnv.runPython(python, "python/hf_tokenizers.py", "train-gpt2", corpus.toString(), "2000", hfJson.toString());
        BpeTokenizer hf = HfTokenizerJson.read(Files.readString(hfJson, StandardCharsets.UTF_8));
        assertEquals(2000, hf.vocabSize());

        Path texts = dir.resolve("texts.jsonl");
        StringBuilder jsonl = new StringBuilder();
        for (String text : cases) {
            jsonl.append(JSON.writeValueAsString(java.util.Map.of("text", text))).append('\n');
        }
        Files.writeString(texts, jsonl, StandardCharsets.UTF_8);
        Path out = dir.resolve("hf-ids.jsonl");
        PythonEnv.runPython(python, "python/hf_tokenizers.py", "encode", hfJson.toString(), texts.toString(), out.toString());
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertEquals(cases.size(), lines.size());
        BpeEncoder enc = hf.newEncoder();
        for (int i = 0; i < cases.size(); i++) {
            JsonNode ids = JSON.readTree(lines.get(i)).get("ids");
            int[] expected = new int[ids.size()];
            for (int k = 0; k < expected.length; k++) {
                expected[k] = ids.get(k).asInt();
            }
            String text = cases.get(i);
            assertArrayEquals(expected, enc.encode(text), () -> "case: " + text.substring(0, Math.min(80, text.length())));
        }
    }
}
