package io.lmforge.ingest.langid;

import io.lmforge.ingest.SampleText;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LanguageIdentificationTest {
    private final LanguageDetector d = LanguageIdentifier.create("opennlp", 2000);

    @Test
    void identifiesRealDocumentsAndReportsIso6391Codes() {
        // whole GNOME help pages: long enough that OpenNLP is confident; codes come out as 639-1
        for (String lang : new String[]{"de", "fr", "ru", "ja", "ko", "el", "uk", "ta"}) {
            LanguageDetector.Detection r = d.detect(SampleText.doc("gnome-help", lang, 800));
            assertEquals(lang, r.lang(), "detected " + r);
            assertTrue(r.score() > 0.5, lang + " score " + r.score());
        }
    }

    @Test
    void mapsMacrolanguageAndOverlongCodes() {
        assertEquals("zh", LanguageCodes.normalize("cmn"));
        assertEquals("de", LanguageCodes.normalize("deu"));
        assertEquals("fa", LanguageCodes.normalize("pes"));
        assertEquals("ace", LanguageCodes.normalize("ace"));
        assertEquals("und", LanguageCodes.normalize(""));
    }
}
