package io.lmforge.tokenize.train;

import io.lmforge.tokenize.SampleTexts;
import io.lmforge.tokenize.bpe.BpeEncoder;
import io.lmforge.tokenize.bpe.BpeTokenizer;
import io.lmforge.tokenize.bpe.ByteLevel;
import io.lmforge.tokenize.bpe.HfTokenizerJson;
import io.lmforge.tokenize.bpe.MergeTable;
import io.lmforge.tokenize.bpe.PreTokenizer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MergeLearnerTest {
    /** Word table of the sample (unweighted), as the Spark half would produce it. */
    private static MergeLearner learnerOnSample(Map<String, Long> table) {
        for (SampleTexts.Line l : SampleTexts.lines()) {
            PreTokenizer.lmforge().split(l.text(), w -> table.merge(w, 1L, Long::sum));
        }
        return learner(List.of("<|endoftext|>"), table);
    }

    /** A learner over a word table (it counts the byte pairs itself). */
    private static MergeLearner learner(List<String> added, Map<String, Long> table) {
        List<byte[]> words = new ArrayList<>();
        long[] counts = new long[table.size()];
        int i = 0;
        for (Map.Entry<String, Long> e : table.entrySet()) {
            words.add(e.getKey().getBytes(StandardCharsets.UTF_8));
            counts[i++] = e.getValue();
        }
        return new MergeLearner(added, words, counts);
    }

    @Test
    void theEncoderReproducesTheLearnersSegmentationOfEveryTrainingWord() {
        Map<String, Long> table = new LinkedHashMap<>();
        MergeLearner learner = learnerOnSample(table);
        BpeTokenizer tok = learner.learn(4000, 2, null);
        assertEquals(4000, tok.vocabSize());
        assertEquals(0, tok.id("<|endoftext|>"));
        // the 256 byte characters follow the added tokens sorted by code point, as in HF's alphabet: '!' (0x21) first
        assertEquals(1, tok.id("!"));
        assertEquals(1 + ('a' - '!'), tok.id("a"));
        assertEquals(1 + 188, tok.id("\u0100"), "after the 188 bytes that stand for themselves, byte 0's character");
        BpeEncoder enc = tok.newEncoder();
        int w = 0;
        for (String word : table.keySet()) {
            assertArrayEquals(learner.segmentation(w++), enc.encodeOrdinary(word), word);
        }
    }

    @Test
    void incrementalPairCountsEqualARecountAfterLearning() {
        Map<String, Long> table = new LinkedHashMap<>();
        MergeLearner learner = learnerOnSample(table);
        learner.learn(1500, 2, null);
        Map<Long, Long> recount = new HashMap<>();
        int w = 0;
        for (long count : table.values()) {
            int[] s = learner.segmentation(w++);
            for (int k = 0; k + 1 < s.length; k++) {
                recount.merge(MergeTable.pair(s[k], s[k + 1]), count, Long::sum);
            }
        }
        assertEquals(recount, learner.pairCounts());
    }

    @Test
    void mostFrequentPairFirstAndDeterministic() {
        // "hug" x10, "pug" x5, "pun" x12, "bun" x4, "hugs" x5 (the HF course example)
        Map<String, Long> table = new LinkedHashMap<>(Map.of("hug", 10L, "pug", 5L, "pun", 12L, "bun", 4L, "hugs", 5L));
        BpeTokenizer a = learner(List.of(), table).learn(256 + 3, 1, null);
        assertEquals("ug", a.token(256), "u+g occurs 20 times");
        assertEquals("un", a.token(257), "u+n occurs 16 times");
        assertEquals("hug", a.token(258), "h+ug occurs 15 times");
        BpeTokenizer b = learner(List.of(), table).learn(256 + 3, 1, null);
        assertEquals(HfTokenizerJson.write(a), HfTokenizerJson.write(b));
        assertEquals("Ġ", String.valueOf(ByteLevel.charOf(' ')));
    }

    @Test
    void stopsWhenNoPairIsFrequentEnough() {
        List<byte[]> words = List.of("ab".getBytes(StandardCharsets.UTF_8));
        BpeTokenizer t = new MergeLearner(List.of(), words, new long[]{1}).learn(1000, 2, null);
        assertEquals(256, t.vocabSize());
        assertTrue(t.mergeCount() == 0);
    }
}
