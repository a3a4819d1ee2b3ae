package io.lmforge.ingest.langid;

import io.lmforge.core.config.ConfigError;
import io.lmforge.ingest.SampleText;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lingua behind our detector interface: our language codes and a raw score that is a margin, not Lingua's always-1.0 top. */
class LinguaLanguageDetectorTest {
    private final LinguaLanguageDetector lingua = new LinguaLanguageDetector("low", 2000);

    @Test
    void answersInOurCodesWithTheMarginOverTheRunnerUp() {
        LanguageDetector.Detection de = lingua.detect(SampleText.doc("gnome-help", "de", 800));
        assertEquals("de", de.lang());
        assertEquals("Latn", de.script());
        // Lingua's relative confidences sit close together (top 1.0, runner-up often 0.7-0.9), so margins are small numbers;
        // the calibration maps them to precision
        assertTrue(de.score() > 0.1 && de.score() <= 1.0, "a long German text is ahead of the runner-up: " + de.score());
        assertEquals("Cyrl", lingua.detect(SampleText.doc("gnome-help", "ru", 300)).script());
        assertEquals("ru", lingua.detect(SampleText.doc("gnome-help", "ru", 300)).lang());
        // Danish and Norwegian Bokmål are near neighbours: a short shared-vocabulary phrase has a small margin
        double close = lingua.detect("Det er en god dag i dag").score();
        System.out.printf("lingua low margins: long German %.3f, short Danish/Bokmål phrase %.3f%n", de.score(), close);
        assertTrue(close < de.score(), "an ambiguous short phrase scores below a clear long text: " + close + " vs " + de.score());
        assertEquals("und", lingua.detect("   ").lang());
        assertEquals("lingua-low", lingua.calibrationName());
    }

    @Test
    void rejectsAnUnknownMode() {
        ConfigError e = assertThrows(ConfigError.class, () -> new LinguaLanguageDetector("medium", 2000));
        assertTrue(e.getMessage().contains("ingest.langid.lingua-accuracy"), e.getMessage());
    }
}
