package io.lmforge.ingest.langid;

import io.lmforge.ingest.SampleText;
import org.apache.spark.ml.feature.HashingTF;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class CharNgramsTest {
    @Test
    void hashedIndicesAreHashingTfsIndicesOfTheNgramsInOrder() {
        List<String> texts = List.of(SampleText.doc("gnome-help", "de", 300), SampleText.doc("ud", "zh", 100), SampleText.doc("gnome-help", "ru", 200),
                SampleText.doc("ud", "hi", 200), "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✓ emoji 😀 and ß, İstanbul, ǅ", "", "123 !!!");
        for (int numFeatures : new int[]{65536, 1000}) {
            HashingTF tf = new HashingTF().setNumFeatures(numFeatures);
            for (String t : texts) {
                List<String> grams = CharNgrams.of(t, 4, 2000);
                int[] expected = grams.stream().mapToInt(tf::indexOf).toArray();
                assertArrayEquals(expected, CharNgrams.hashedIndices(t, 4, 2000, numFeatures), t);
            }
        }
        assertEquals(0, CharNgrams.hashedIndices("123 !!!", 4, 2000, 64).length, "no letters, no n-grams");
    }

    /** The ASCII fast path must give what ICU gives: every ASCII character beside letters from other scripts. */
    @Test
    void asciiCharactersAreCleanedAsIcuCleansThem() {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x80; c++) {
            all.append(c).append("é");
        }
        StringBuilder expected = new StringBuilder(" ");
        for (char c = 0; c < 0x80; c++) {
            boolean letter = com.ibm.icu.lang.UCharacter.isLetter(c);
            if (letter) {
                expected.appendCodePoint(com.ibm.icu.lang.UCharacter.toLowerCase(c));
            } else if (expected.charAt(expected.length() - 1) != ' ') {
                expected.append(' ');
            }
            expected.append('é');
        }
        List<String> unigrams = CharNgrams.of(all.toString(), 1, 10_000);
        assertEquals(expected.toString().replace(" ", ""), String.join("", unigrams), "letters lower-cased, everything else a boundary");
        assertEquals(List.of(" hello world "), CharNgrams.of("HELLO, World! 42", 13, 100).stream().filter(g -> g.length() == 13).toList());
        assertEquals("Latn", ScriptDetector.dominant("Plain ASCII text, 123."));
        assertEquals("Cyrl", ScriptDetector.dominant("Привет, мир: hi"));
        assertEquals("Zyyy", ScriptDetector.dominant("123 !!! ..."));
    }
}
