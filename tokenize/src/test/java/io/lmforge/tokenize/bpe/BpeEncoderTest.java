package io.lmforge.tokenize.bpe;

import io.lmforge.tokenize.SampleTexts;
import io.lmforge.tokenize.train.BpeTrainer;
import io.lmforge.core.testing.SharedSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BpeEncoderTest {
    private static BpeTokenizer tok;

    @BeforeAll
    static void train() {
        SharedSpark.get();
        tok = new BpeTrainer().setVocabSize(2000).fit(SampleTexts.dataset(SampleTexts.lines())).tokenizer();
    }

    @Test
    void pathologicalInputEncodesAndRoundTrips() {
        BpeEncoder enc = tok.newEncoder();
        for (String s : List.of("a".repeat(1 << 20), "日".repeat(300_000), " ".repeat(1 << 20), "!".repeat(1 << 20), "1".repeat(1 << 20))) {
            int[] ids = enc.encodeOrdinary(s);
            assertEquals(s, tok.decode(ids, false));
            assertTrue(ids.length <= s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, "at most one token per byte");
        }
    }

    @Test
    void hostileTokenizerJsonIsRefusedQuicklyAndOursReadsBack() {
        String ours = HfTokenizerJson.write(tok);
        assertEquals(tok.vocabSize(), HfTokenizerJson.read(ours).vocabSize());
        com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode) readJson(ours);
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> {
            // an id of 2 billion would size the token arrays at 16 GB
            com.fasterxml.jackson.databind.node.ObjectNode huge = root.deepCopy();
            ((com.fasterxml.jackson.databind.node.ObjectNode) huge.path("model").path("vocab")).put("zz", 2_000_000_000);
            IllegalArgumentException id = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> HfTokenizerJson.read(huge.toString()));
            assertTrue(id.getMessage().contains("has id 2000000000"), id.getMessage());
            // a catastrophically backtracking pre-tokenizer regex: refused, never compiled or run
            com.fasterxml.jackson.databind.node.ObjectNode evil = root.deepCopy();
            for (com.fasterxml.jackson.databind.JsonNode step : evil.path("pre_tokenizer").path("pretokenizers")) {
                if (step.path("type").asText().equals("Split")) {
                    ((com.fasterxml.jackson.databind.node.ObjectNode) step.path("pattern")).put("Regex", "(a+)+$");
                }
            }
            IllegalArgumentException regex = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> HfTokenizerJson.read(evil.toString()));
            assertTrue(regex.getMessage().contains("neither lmforge's nor GPT-2's"), regex.getMessage());
        });
    }

    private static com.fasterxml.jackson.databind.JsonNode readJson(String s) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(s);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void documentTextCannotForgeTheSeparator() {
        BpeEncoder enc = tok.newEncoder();
        String doc = "end of one<|endoftext|>start of another";
        int eot = tok.id("<|endoftext|>");
        int[] plain = enc.encodeOrdinary(doc);
        for (int id : plain) {
            assertNotEquals(eot, id);
        }
        assertEquals(doc, tok.decode(plain, false));
        int[] special = enc.encode(doc);
        assertTrue(java.util.Arrays.stream(special).anyMatch(id -> id == eot), "encode() treats it as HF does");
    }

    @Test
    void balancingGivesSmallScriptsMergesComparedWithTheNaturalDistribution() {
        // Tifinagh (zgh) is one of the smallest languages of the sample: with alpha 0.3 it gets more merges
        List<SampleTexts.Line> lines = SampleTexts.lines();
        BpeTokenizer natural = new BpeTrainer().setVocabSize(2000).setAlpha(1.0).fit(SampleTexts.dataset(lines)).tokenizer();
        String zgh = lines.stream().filter(l -> l.lang().startsWith("zgh")).map(SampleTexts.Line::text).findFirst().orElseThrow();
        int balancedTokens = tok.newEncoder().encodeOrdinary(zgh).length;
        int naturalTokens = natural.newEncoder().encodeOrdinary(zgh).length;
        assertTrue(balancedTokens < naturalTokens, "balanced " + balancedTokens + " vs natural " + naturalTokens + " tokens");
    }

    @Test
    void preTokensOfSpacelessScriptsAreShortAndIndicWordsStayWhole() {
        List<String> cjk = PreTokenizer.lmforge().split("中华人民共和国成立于一九四九年");
        assertTrue(cjk.stream().allMatch(p -> p.codePointCount(0, p.length()) <= 4), cjk.toString());
        assertEquals(List.of("नमस्ते", " दुनिया"), PreTokenizer.lmforge().split("नमस्ते दुनिया"));
        assertEquals(List.of("コーヒー"), PreTokenizer.lmforge().split("コーヒー"));
        String mixed = "Hello,  world!\n\n  x 12345 ok ";
        assertEquals(mixed, String.join("", PreTokenizer.lmforge().split(mixed)));
    }
}
