package io.lmforge.core.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmforge.core.testing.SharedSpark;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The table-driven segments equal ICU's wherever they answer; ICU answers the rest. */
class UaxWordBreaksTest {
    private final WordSegmenter icu = new WordSegmenter();

    private void assertSameAsIcu(String text) {
        List<WordSegmenter.Token> fast = UaxWordBreaks.tokens(text);
        if (fast != null) {
            assertEquals(icu.icuTokens(text), fast, () -> "segments of " + escape(text));
        }
    }

    @Test
    void everyBmpCharacterInContextSegmentsAsIcuDoes() {
        String[] left = {"", "a", "1", " ", "\n", "\r", "_", "a.", "1.", "a'", "é\u0301", "\u0301"};
        String[] right = {"", "a", "1", " ", "\n", "_", ".a", ",1", "\u0301", "\u0301a"};
        int answered = 0;
        for (int c = 0; c < 0x10000; c++) {
            if (UaxWordBreaks.classOf((char) c) == UaxWordBreaks.ICU) {
                continue;
            }
            answered++;
            String ch = String.valueOf((char) c);
            for (String l : left) {
                for (String r : right) {
                    assertSameAsIcu(l + ch + r);
                }
            }
            assertSameAsIcu(ch + ch + ch);
        }
        assertTrue(answered > 20_000, "the alphabets with spaces are answered without ICU: " + answered);
    }

    @Test
    void everySampleDocumentSegmentsAsIcuDoesAndMostAreAnswered() throws Exception {
        ObjectMapper json = new ObjectMapper();
        int docs = 0;
        int answered = 0;
        for (File f : new File(SharedSpark.repoRoot(), "data/sample").listFiles()) {
            File[] files = f.listFiles((d, name) -> name.endsWith(".jsonl.gz"));
            for (File g : files == null ? new File[0] : files) {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(new FileInputStream(g)), StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        String text = json.readTree(line).path("text").asText("");
                        docs++;
                        answered += UaxWordBreaks.tokens(text) != null ? 1 : 0;
                        assertSameAsIcu(text);
                        assertSameAsIcu(com.ibm.icu.text.Normalizer2.getNFKCCasefoldInstance().normalize(text));
                    }
                }
            }
        }
        assertTrue(docs > 3000, "sample documents read: " + docs);
        assertTrue(answered > docs / 2, answered + " of " + docs + " documents answered without ICU");
    }

    @Test
    void randomStringsOverEveryClassSegmentAsIcuDoes() {
        // characters of every class the table knows, and some that send the text to ICU
        String alphabet = "aZéßжωاकঅ\u0628\u0301\u0300\u094D\u064B\u00AD\u200B\u2060" // letters, Extend, Format
                + "09٣६" + ".,;:'\"_\u203F\u00B7\u2019\u2018\u0589\u066C\u2044@-/#$%&*+=()[]{}<>!?"
                + " \t\n\r\u000B\u000C\u0085\u2028\u2029\u00A0\u2009\u3000\u1680"
                + "\u05D0\u4E00\u3042\u30A2\uAC00\u0E01\u200D";
        Random rnd = new Random(20261206);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 300_000; i++) {
            sb.setLength(0);
            int len = rnd.nextInt(14);
            for (int j = 0; j < len; j++) {
                sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            assertSameAsIcu(sb.toString());
        }
    }

    @Test
    void textsWithDictionaryScriptsHebrewZwjOrSupplementaryCharactersGoToIcu() {
        for (String s : List.of("abc 中文", "ภาษาไทย", "שלום", "カタカナ", "한국어", "a\u200Db", "a 😀", "\uD835\uDC00")) {
            assertNull(UaxWordBreaks.tokens(s), s);
        }
        assertNotNull(UaxWordBreaks.tokens("Grüße, мир! 3.14 e.g. don't a_b"));
        List<String> words = new ArrayList<>();
        new WordSegmenter().tokens("Grüße, мир! 3.14 e.g. don't a_b __ _").forEach(t -> words.add(t.word() + ":" + t.text()));
        assertEquals(List.of("true:Grüße", "false:,", "true:мир", "false:!", "true:3.14", "true:e.g", "false:.", "true:don't",
                "true:a_b", "true:__", "false:_"), words);
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c < 0x20 || c > 0x7E ? String.format("\\u%04X", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }
}
