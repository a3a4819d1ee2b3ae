package io.lmforge.dedup.shingle;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShinglerTest {
    private final Shingler words = new Shingler(Shingler.Kind.WORD, 5);

    @Test
    void scriptsWithoutSpacesGetWordNgrams() {
        // one whitespace "word" each, but many ICU words: a regex \W split would give a single shingle
        String zh = "我们今天在北京参观了很多有名的博物馆和公园然后吃了晚饭";
        String th = "วันนี้เราไปเที่ยวพิพิธภัณฑ์หลายแห่งในกรุงเทพมหานครแล้วก็กินข้าวเย็นด้วยกัน";
        String ja = "私たちは今日東京のたくさんの有名な博物館と公園を訪れてから夕食を食べました";
        for (String s : new String[]{zh, th, ja}) {
            assertTrue(words.shingles(s).length >= 5, s + " -> " + words.shingles(s).length + " shingles");
        }
    }

    @Test
    void caseAndCompatibilityFormsDoNotMatterAndShortDocsStillGetOneShingle() {
        assertArrayEquals(words.shingles("The Quick brown fox jumps over the lazy dog"),
                words.shingles("the quick BROWN ｆｏｘ jumps over the lazy dog"));
        assertEquals(1, words.shingles("only three words").length);
        assertEquals(0, words.shingles("  ").length);
    }

    @Test
    void charShinglesSlideOverCodePoints() {
        Shingler chars = new Shingler(Shingler.Kind.CHAR, 3);
        assertEquals(4, chars.shingles("abcdef").length);
        assertEquals(3, chars.shingles("ab ab ab").length, "distinct n-grams only: 'ab ', 'b a', ' ab'");
    }

    @Test
    void exactJaccardOfShingleSets() {
        assertEquals(1.0, Shingler.jaccard(new long[]{1, 2, 3}, new long[]{1, 2, 3}));
        assertEquals(2.0 / 4, Shingler.jaccard(new long[]{1, 2, 3}, new long[]{2, 3, 4}));
        assertEquals(0.0, Shingler.jaccard(new long[]{1}, new long[]{2}));
    }
}
