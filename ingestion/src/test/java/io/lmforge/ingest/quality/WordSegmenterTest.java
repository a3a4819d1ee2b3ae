package io.lmforge.ingest.quality;

import io.lmforge.core.text.WordSegmenter;

import io.lmforge.ingest.SampleText;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WordSegmenterTest {
    private final WordSegmenter seg = new WordSegmenter();

    @Test
    void languagesWithoutSpacesGetRealWords() {
        // a whitespace split sees one or two "words" in a Thai or Chinese sentence; ICU's dictionaries see many
        for (String lang : new String[]{"th", "zh", "ja"}) {
            String doc = SampleText.doc("ud", lang, 60);
            String firstLine = doc.lines().findFirst().orElseThrow();
            int spaceWords = firstLine.split("\\s+").length;
            int icuWords = seg.words(firstLine).size();
            assertTrue(icuWords >= 3 * spaceWords && icuWords >= 8, lang + ": " + icuWords + " ICU words vs " + spaceWords + " space-separated");
        }
    }

    @Test
    void punctuationIsASymbolTokenNotAWord() {
        List<WordSegmenter.Token> t = seg.tokens("Hello, world! 42 times…");
        assertEquals(List.of("Hello", "world", "42", "times"), seg.words("Hello, world! 42 times…"));
        assertTrue(t.stream().anyMatch(x -> !x.word() && x.text().equals(",")));
    }
}
