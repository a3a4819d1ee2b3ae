package io.lmforge.dedup;

import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hashing;
import com.ibm.icu.text.Normalizer2;
import io.lmforge.core.testing.SharedSpark;
import io.lmforge.dedup.line.LineDedup;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The single-loop keys equal their regular-expression definitions (the code they replaced), on real and adversarial text. */
class TextKeysTest {
    private static final Normalizer2 NFKC_CF = Normalizer2.getNFKCCasefoldInstance();

    static String exactKeyByRegex(String text) {
        String s = NFKC_CF.normalize(text).replaceAll("\\s+", " ").strip();
        HashValue128 h = Hashing.xxh3_128().hashCharsTo128Bits(s);
        return String.format("%016x%016x", h.getMostSignificantBits(), h.getLeastSignificantBits());
    }

    static String normaliseLineByRegex(String line) {
        String s = NFKC_CF.normalize(line).replaceAll("\\s+", " ").strip();
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> sb.appendCodePoint(Character.isDigit(cp) ? '0' : cp));
        return sb.toString();
    }

    static long[] lineHashesBySet(String text, int minLineChars) {
        Set<Long> out = new LinkedHashSet<>();
        for (String line : text.split("\n")) {
            String n = normaliseLineByRegex(line);
            if (n.length() >= minLineChars) {
                out.add(TextKeys.lineHash(n));
            }
        }
        return out.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    static List<String> sampleTexts() throws Exception {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(SharedSpark.repoRoot().toPath().resolve("data/sample/chunk-0002/text"))) {
            for (Path f : files.sorted().toList()) {
                out.addAll(Arrays.asList(Files.readString(f, StandardCharsets.UTF_8).split("\n\\s*\n")));
            }
        }
        return out;
    }

    /** Every kind of character the definitions treat differently: regex \s, other Unicode spaces, digits of several scripts, surrogates. */
    static String randomText(Random rnd, int length) {
        String[] pieces = {" ", "\t", "\n", "\u000B", "\f", "\r", "\u00A0", "\u2003", "\u3000", "\u1680", "\u2028", "\u001C", "\u0085",
                "a", "Z", "ß", "İ", "Ǆ", "ﬁ", "7", "٣", "३", "３", "𝟘", "\uD801\uDCA0", "😀", "\uD800", "\uDC00", "é", "e\u0301", "ｶ", "ﾞ", "한", "."};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sb.append(pieces[rnd.nextInt(pieces.length)]);
        }
        return sb.toString();
    }

    @Test
    void exactKeyAndLineNormalisationEqualTheirRegexDefinitionsOnEverySampleLine() throws Exception {
        int lines = 0;
        for (String doc : sampleTexts()) {
            assertEquals(exactKeyByRegex(doc), TextKeys.exactKey(doc));
            for (String line : doc.split("\n", -1)) {
                assertEquals(normaliseLineByRegex(line), TextKeys.normaliseLine(line), line);
                lines++;
            }
            assertArrayEquals(lineHashesBySet(doc, 10), new LineDedup(10).lineHashes(doc));
        }
        assertTrue(lines > 10_000, lines + " sample lines");
    }

    @Test
    void exactKeyAndLineNormalisationEqualTheirRegexDefinitionsOnAdversarialText() {
        Random rnd = new Random(7);
        for (int i = 0; i < 100_000; i++) {
            String s = randomText(rnd, rnd.nextInt(12));
            assertEquals(normaliseLineByRegex(s), TextKeys.normaliseLine(s), () -> s.codePoints().mapToObj(Integer::toHexString).toList().toString());
            assertEquals(exactKeyByRegex(s), TextKeys.exactKey(s));
            assertEquals(s.replaceAll("\\s+", " "), TextKeys.collapseWhitespace(s, false));
        }
        assertEquals("0 abc 00", TextKeys.normaliseLine("  ３\t\r\nABC  ٣𝟘 "));
    }
}
