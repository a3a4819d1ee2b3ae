package io.lmforge.tokenize.bpe;

import io.lmforge.tokenize.SampleTexts;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-written scanner cuts text exactly where our pattern does under java.util.regex. */
class PreTokenScannerTest {
    private static final PreTokenizer SCANNER = PreTokenizer.lmforge();
    private static final PreTokenizer REGEX = PreTokenizer.LMFORGE_REGEX;

    private static void assertSameCuts(String text) {
        List<String> expected = REGEX.split(text);
        List<String> actual = SCANNER.split(text);
        if (!expected.equals(actual)) {
            int k = 0;
            while (k < Math.min(expected.size(), actual.size()) && expected.get(k).equals(actual.get(k))) {
                k++;
            }
            int at = String.join("", expected.subList(0, k)).length();
            String near = text.substring(Math.max(0, at - 20), Math.min(text.length(), at + 40));
            assertEquals(expected.subList(k, Math.min(k + 3, expected.size())), actual.subList(k, Math.min(k + 3, actual.size())),
                    "cuts differ at char " + at + " near " + escaped(near));
        }
    }

    @Test
    void sameCutsOnEveryLineOfTheSample() {
        List<SampleTexts.Line> lines = SampleTexts.lines();
        StringBuilder all = new StringBuilder();
        for (SampleTexts.Line l : lines) {
            assertSameCuts(l.text());
            all.append(l.text()).append(l.text().length() % 3 == 0 ? "\r\n" : "\n \t");
        }
        assertSameCuts(all.toString());
        assertTrue(lines.size() > 1000, "the sample covers its languages: " + lines.size());
    }

    @Test
    void sameCutsForEveryBmpCharacterInContext() {
        String[][] contexts = {{"a", "b"}, {" ", "x"}, {"", ""}, {"  ", "  "}, {"1", "2"}, {"\u0E01", "\u0E01"},
                {"日", "カ"}, {"\n", "."}, {"e", "\u0301"}, {"\u00A0", "\r\n"}};
        for (int c = 0; c < 0x10000; c++) {
            String ch = String.valueOf((char) c);
            for (String[] ctx : contexts) {
                assertSameCuts(ctx[0] + ch + ctx[1]);
            }
            assertSameCuts(ch + ch + ch + ch + ch + ch + ch + ch);
        }
    }

    @Test
    void sameCutsOnRandomTextOverEveryClassThePatternDistinguishes() {
        String[] alphabet = {"a", "Z", "é", "\u0301", "\u0903", "\u20DD", "ß", "ǅ", "ʰ", "ー", "日", "𠀋", "ひ", "カ", "ｶ",
                "ก", "\u0E31", "\u0E48", "๑", "๏", "ລ", "\u0EB1", "ក", "\u17B6", "မ", "\u103A", "한", "ا", "\u064E",
                "5", "٣", "Ⅻ", "½", "𝟘", " ", "  ", "\t", "\n", "\r", "\r\n", "\u000B", "\u000C", "\u0085", "\u00A0",
                "\u1680", "\u2003", "\u2028", "\u2029", "\u202F", "\u205F", "\u3000", "\u200B", "\uFEFF", ".", ",", "'",
                "-", "…", "、", "。", "👍", "\uD83C\uDFFD", "\uD800", "\uDC00", "$", "<|", "\u0000", "\u001F"};
        SplittableRandom rnd = new SplittableRandom(24);
        for (int t = 0; t < 200_000; t++) {
            StringBuilder sb = new StringBuilder();
            for (int n = rnd.nextInt(16); n > 0; n--) {
                sb.append(alphabet[rnd.nextInt(alphabet.length)]);
            }
            assertSameCuts(sb.toString());
        }
    }

    @Test
    void longRunsAreCutAsThePatternCutsThem() {
        for (String s : List.of("", "x".repeat(5000), "日".repeat(2001), "ที่".repeat(500), "1".repeat(10), " ".repeat(7),
                " ".repeat(7) + "x", "\n\n \n  x", "a  \u3000\t b", "...\r\n\r\nword", " !!", " \u0301x", "x\uD800y")) {
            assertSameCuts(s);
        }
    }

    private static String escaped(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(c -> sb.append(c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("\\u{%X}", c)));
        return sb.toString();
    }
}
