package io.lmforge.ingest.quality;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmforge.core.text.WordSegmenter;
import io.lmforge.ingest.SampleText;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QualitySignalCalculatorTest {
    private final QualitySignalCalculator calc = new QualitySignalCalculator(true);

    private static double d(Object[] v, Signal s) {
        return ((Number) v[s.ordinal()]).doubleValue();
    }

    @Test
    void repetitionSignalsFollowGopherDefinitions() {
        String line = "The same menu line repeats here.";
        String text = line + "\n" + line + "\n" + line + "\nA different closing line ends the page.";
        Object[] v = calc.compute(text, "en");
        assertEquals(4, ((Number) v[Signal.N_LINES.ordinal()]).intValue());
        assertEquals(2.0 / 4, d(v, Signal.DUP_LINE_FRAC), 1e-9);
        assertEquals(2.0 * line.length() / text.length(), d(v, Signal.DUP_LINE_CHAR_FRAC), 1e-9);
        double dup5 = d(v, Signal.DUP_5GRAM_CHAR_FRAC);
        // two repeats of 6 words; datatrove counts n-gram characters without the joining spaces
        assertTrue(dup5 > 0.25 && dup5 < 0.5, "repeated 5-grams cover a third of the text: " + dup5);
        assertEquals(1.0, d(v, Signal.LINE_PUNCT_RATIO), 1e-9);
    }

    @Test
    void duplicateNgramSkipsPastRepeatsLikeDatatrove() {
        // words a b c d e a b c d e: second "a b c d e" is a repeat of 5 words of length 1 each
        long[] h = {1, 2, 3, 4, 5, 1, 2, 3, 4, 5};
        int[] len = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        assertEquals(5, QualitySignalCalculator.duplicateNgramChars(h, len, 10, 5));
        // top 2-gram "a b" appears twice: len("a b") = 3, times 2
        assertEquals(6, QualitySignalCalculator.topNgramChars(h, len, 10, 2));
    }

    @Test
    void topNgramIsTheMostFrequentOneFirstSeenAmongTies() {
        // words "a b a b xxxxxxxx yyyyyyyy": 2-grams "a b" x2, "b a", "b xxxxxxxx", "xxxxxxxx yyyyyyyy" x1.
        // The most frequent is "a b": len("a b") * 2 = 6, though "xxxxxxxx yyyyyyyy" alone has 17 characters.
        long[] h = {1, 2, 1, 2, 3, 4};
        int[] len = {1, 1, 1, 1, 8, 8};
        assertEquals(6, QualitySignalCalculator.topNgramChars(h, len, 6, 2));
        // every 2-gram seen once: the first, "aa bbb" (6), not the longest, "bbb cccccc" (10)
        assertEquals(6, QualitySignalCalculator.topNgramChars(new long[]{1, 2, 3}, new int[]{2, 3, 6}, 3, 2));
        // "p q" at 0 and 6, "r s" at 2 and 4 (words p q r s r s p q): both twice; "p q" was seen first,
        // so 3 * 2 = 6 even though "r s" reached two occurrences first
        long[] tie = {1, 2, 3, 4, 3, 4, 1, 2};
        int[] tieLen = {1, 1, 1, 1, 1, 1, 1, 1};
        assertEquals(6, QualitySignalCalculator.topNgramChars(tie, tieLen, 8, 2));
        int[] longRs = {1, 1, 5, 5, 5, 5, 1, 1};
        assertEquals(6, QualitySignalCalculator.topNgramChars(tie, longRs, 8, 2), "the first seen, not the longer tie (11 * 2)");
    }

    @Test
    void finewebLinePunctuationIsDatatrovesSentenceTerminals() {
        // datatrove 0.10.1's FineWebQualityFilter counts [True, False, True, False, False, False, False] for these
        // lines (line.endswith(TERMINAL_PUNCTUATION)); we add the Tibetan shad, so the Tibetan line counts too: 3 of 7
        String text = String.join("\n", "One line ends here...", "He said \"yes.\"", "हिंदी में एक वाक्य।",
                "བོད་ཡིག་གི་ཚིག་གྲུབ།", "An ellipsis sign…", "No punctuation at all", "She wrote “fine”");
        Object[] v = calc.compute(text, "en");
        assertEquals(3.0 / 7, d(v, Signal.LINE_PUNCT_RATIO), 1e-9);
        // FineWeb's short lines are <= 30 characters as Python counts them: 20 emoji are 40 UTF-16 units, still short
        String emoji = "👍".repeat(20);
        assertEquals(1.0 / 2, d(calc.compute(emoji + "\n" + "a line that is longer than thirty characters.", "en"), Signal.SHORT_LINE_RATIO), 1e-9);
        // C4's line rule keeps its own ends: a closing quote ends a sentence, an ellipsis does not
        assertTrue(QualitySignalCalculator.endsWithTerminal("He said \"yes.\""));
        assertTrue(!QualitySignalCalculator.endsWithTerminal("One line ends here..."));
    }

    @Test
    void bulletAndEllipsisSharesAreOfEveryLineBlankOnesToo() {
        // datatrove: text.splitlines() = ["- first point", "", "- second point", "", "A closing line..."]:
        // 2 of 5 lines start with a bullet, 1 of 5 ends with an ellipsis
        Object[] v = calc.compute("- first point\n\n- second point\n\nA closing line...\n", "en");
        assertEquals(2.0 / 5, d(v, Signal.BULLET_LINES_RATIO), 1e-9);
        assertEquals(1.0 / 5, d(v, Signal.ELLIPSIS_LINES_RATIO), 1e-9);
    }

    @Test
    void stopWordsCountDistinctListWords() {
        // Gopher: "at least two of the following English words"; one word repeated is one
        String repeated = "the cat and the dog; the end";
        assertEquals(2, ((Number) calc.compute(repeated, "en")[Signal.STOP_WORDS.ordinal()]).intValue(), "the, and");
        assertEquals(1, ((Number) calc.compute("The dog saw the cat the day THE rain fell", "en")[Signal.STOP_WORDS.ordinal()]).intValue(),
                "the (any case) four times is one word");
    }

    @Test
    void realDocumentsPassTheDefaultRulesAndStopWordsArePerLanguage() {
        FilterThresholds t = FilterThresholds.from(io.lmforge.core.config.PipelineConfig.load(null, java.util.List.of()).getConfig("ingest.filters"));
        String de = SampleText.doc("gnome-help", "de", 1500);
        Object[] v = calc.compute(de, "de");
        assertTrue(((Number) v[Signal.STOP_WORDS.ordinal()]).intValue() > 5, "German stop words counted from Lucene's list");
        assertNull(QualityRules.firstFailure(s -> v[s.ordinal()], t.forLang("de")), "a real German help page is kept");

        Object[] wo = calc.compute(SampleText.doc("ud", "wo", 200), "wo");
        assertEquals(-1, ((Number) wo[Signal.STOP_WORDS.ordinal()]).intValue(), "no Wolof list: the rule is skipped, not failed");
    }

    @Test
    void thaiUsesItsOwnThresholds() {
        FilterThresholds t = FilterThresholds.from(io.lmforge.core.config.PipelineConfig.load(null, java.util.List.of()).getConfig("ingest.filters"));
        Map<String, Double> th = t.forLang("th");
        Map<String, Double> en = t.forLang("en");
        assertEquals(0.0, th.get("min-line-punct-ratio"));
        assertEquals(0.12, en.get("min-line-punct-ratio"));
        String thai = String.join("\n", SampleText.docs("ud", "th").subList(0, 3));
        Object[] v = calc.compute(thai, "th");
        assertEquals(null, QualityRules.firstFailure(s -> v[s.ordinal()], th), "Thai text without sentence punctuation passes Thai thresholds");
        assertEquals("fineweb_line_punct", QualityRules.firstFailure(s -> v[s.ordinal()], en), "but would fail the English default");
    }

    @Test
    void firstFailingRuleNamesTheReason() {
        FilterThresholds t = FilterThresholds.from(io.lmforge.core.config.PipelineConfig.load(null, java.util.List.of()).getConfig("ingest.filters"));
        Object[] shortDoc = calc.compute("Too short to keep.", "en");
        assertEquals("gopher_min_words", QualityRules.firstFailure(s -> shortDoc[s.ordinal()], t.forLang("en")));
        String lorem = SampleText.doc("gnome-help", "en", 1500) + "\nLorem ipsum dolor sit amet.";
        Object[] l = calc.compute(lorem, "en");
        assertEquals("c4_lorem_ipsum", QualityRules.firstFailure(s -> l[s.ordinal()], t.forLang("en")));
    }

    @Test
    void alphaRatioIgnoresPunctuationButCountsNumbersAgainstTheDocument() {
        Object[] prose = calc.compute("Hello, world! (Yes: \"really\".) It's fine...", "en");
        assertEquals(1.0, d(prose, Signal.ALPHA_WORDS_RATIO), 1e-9, "punctuation marks are not words");
        Object[] table = calc.compute("Total 12 34 56 78 90 11 22", "en");
        assertEquals(1.0 / 8, d(table, Signal.ALPHA_WORDS_RATIO), 1e-9, "one word with letters among eight tokens");
    }

    /** The C4 rule's words per line come from the whole text's segmentation: the same as segmenting each stripped line. */
    @Test
    void wordsPerLineFromTheWholeTextMatchSegmentingEachLine() throws Exception {
        List<String> texts = new ArrayList<>(List.of(
                "  \u0301abc def ghi.\n\u200D word two three\r\nx",          // a combining mark / ZWJ after stripped space, CRLF
                "สวัสดีครับ ยินดีต้อนรับ\n我们今天去北京。\n\n\n" + "a".repeat(1001) + " b c.", // dictionary scripts, blank lines, a long word
                "", "\n", "one\n\ntwo three four."));
        ObjectMapper json = new ObjectMapper();
        try (java.util.stream.Stream<Path> files = Files.walk(SampleText.sampleDir())) {
            for (Path f : files.filter(p -> p.toString().endsWith(".jsonl.gz") && p.getParent().getParent().equals(SampleText.sampleDir())).sorted().toList()) {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(f)), StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        JsonNode text = line.isBlank() ? null : json.readTree(line).get("text");
                        if (text != null && text.isTextual()) {
                            texts.add(text.asText());
                        }
                    }
                }
            }
        }
        assertTrue(texts.size() > 3000, "sample documents: " + texts.size());
        WordSegmenter seg = new WordSegmenter();
        for (String text : texts) {
            String[] lines = text.split("\n", -1);
            int[] got = QualitySignalCalculator.wordsPerLine(seg.tokens(text), lines);
            for (int i = 0; i < lines.length; i++) {
                List<String> words = seg.words(lines[i].strip());
                int want = words.stream().anyMatch(w -> w.length() > 1000) ? -1 : words.size();
                assertEquals(want, got[i], "line " + i + " of " + text.substring(0, Math.min(80, text.length())));
            }
        }
    }

    @Test
    void c4BadLinesAreThoseWithoutEndPunctuationWithFewWordsOrWithPolicyOrJavascriptText() {
        String text = "This line is perfectly fine and ends well.\n"
                + "Please enable JavaScript to view the comments.\n"   // javascript, any case
                + "By using this site you agree to our Privacy Policy.\n" // a policy phrase
                + "Too short.\n"                                         // fewer than 3 words
                + "No terminal punctuation on this line";
        assertEquals(4.0 / 5, d(calc.compute(text, "en"), Signal.C4_BAD_LINE_FRAC), 1e-9);
        String clean = "This line is perfectly fine and ends well.\nAnother good line follows right here.";
        assertEquals(0.0, d(calc.compute(clean, "en"), Signal.C4_BAD_LINE_FRAC), 1e-9);
        // the phrase must lie within one line: split over two, neither line is a policy line
        String split = "Read the terms of\nuse of this site before you go.\nThey say nothing of interest, really.";
        assertEquals(1.0 / 3, d(calc.compute(split, "en"), Signal.C4_BAD_LINE_FRAC), 1e-9);
    }
}
