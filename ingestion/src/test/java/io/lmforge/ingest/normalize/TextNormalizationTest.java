package io.lmforge.ingest.normalize;

import io.lmforge.ingest.SampleText;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextNormalizationTest {
    @Test
    void composesToNfcAndFoldsCompatibilityFormsOnlyUnderNfkc() {
        String decomposed = "Cafe\u0301 ﬁne ＡＢＣ";
        assertEquals("Café ﬁne ＡＢＣ", TextNormalization.normalize(decomposed, TextNormalization.Form.NFC));
        assertEquals("Café fine ABC", TextNormalization.normalize(decomposed, TextNormalization.Form.NFKC));
    }

    @Test
    void stripsControlsAndNormalisesWhitespaceButKeepsParagraphsAndJoiners() {
        String in = "\uFEFF  Hello\u0000\u0007 \t world  \r\n\r\n\r\n\u00A0next\u2028line \u200Cجا\u200Dن\n";
        assertEquals("Hello world\n\nnext\nline \u200Cجا\u200Dن", TextNormalization.normalize(in, TextNormalization.Form.NFC));
    }

    @Test
    void realMultilingualDocumentsSurviveUnchangedWhenAlreadyClean() {
        for (String lang : new String[]{"th", "zh", "ar", "hi", "ko"}) {
            String doc = SampleText.doc("ud", lang, 100);
            String n = TextNormalization.normalize(doc, TextNormalization.Form.NFC);
            assertEquals(n, TextNormalization.normalize(n, TextNormalization.Form.NFC), "idempotent for " + lang);
            assertTrue(n.length() >= doc.length() * 0.9, lang);
        }
    }
}
