package io.lmforge.ingest.langid;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScoreCalibrationTest {
    /** A detector that says "mag" for every hne/bho/mag text and "de" for German, always with raw score 0.95. */
    private static final LanguageDetector OVERCONFIDENT = text -> new LanguageDetector.Detection(text.startsWith("de") ? "de" : "mag", 0.95);

    private static List<LangIdTrainStage.LabelledDoc> sentences() {
        List<LangIdTrainStage.LabelledDoc> l = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            l.add(new LangIdTrainStage.LabelledDoc("de", "d" + i, "de sentence " + i));
            l.add(new LangIdTrainStage.LabelledDoc(i % 3 == 0 ? "mag" : i % 3 == 1 ? "hne" : "bho", "m" + i, "x sentence " + i));
        }
        return l;
    }

    @Test
    void scoresBecomeHeldOutPrecisionPerAnsweredLanguage() {
        ScoreCalibration c = ScoreCalibration.fit(OVERCONFIDENT, sentences());
        double de = c.calibrated("de", 0.95);
        double mag = c.calibrated("mag", 0.95);
        assertTrue(de > 0.85, "de is always right: " + de);
        assertTrue(mag < 0.45, "mag is right one time in three: " + mag);
        // a language never answered on the calibration set gets the detector's precision at that score
        assertEquals((80 + 1.0) / (120 + 2), c.calibrated("xx", 0.95), 1e-9);
        // an empty score bin: the m-estimate of nothing, 1/2
        assertEquals(0.5, c.calibrated("de", 0.05), 1e-9);
    }

    @Test
    void roundTripsThroughTheModelsJson() {
        ScoreCalibration c = ScoreCalibration.fit(OVERCONFIDENT, sentences());
        Map<String, Object> m = c.toMap();
        ScoreCalibration back = ScoreCalibration.fromMap(m);
        for (String lang : List.of("de", "mag", "hne", "xx")) {
            for (double s : new double[]{0.05, 0.5, 0.95, 1.0}) {
                assertEquals(c.calibrated(lang, s), back.calibrated(lang, s), 1e-12, lang + " " + s);
            }
        }
    }

    @Test
    void theCombinedAnswerIsTheMostPreciseOneAndUnknownScriptsStayUnknown() {
        List<LangIdTrainStage.LabelledDoc> s = sentences();
        LanguageDetector alwaysHne = text -> new LanguageDetector.Detection("hne", 0.3);
        ScoreCalibration over = ScoreCalibration.fit(OVERCONFIDENT, s);
        ScoreCalibration hne = ScoreCalibration.fit(alwaysHne, s.stream().filter(x -> !x.label().equals("de")).toList());
        CombinedLanguageDetector both = new CombinedLanguageDetector(List.of(
                new CombinedLanguageDetector.Member("first", OVERCONFIDENT, over), new CombinedLanguageDetector.Member("second", alwaysHne, hne)));
        LanguageDetector.Detection d = both.detect("de text");
        assertEquals("de", d.lang(), "the first detector is precise on German");
        LanguageDetector.Detection m = both.detect("x text");
        // both are right a third of the time here: a tie goes to the earlier detector
        assertEquals(over.calibrated("mag", 0.95) >= hne.calibrated("hne", 0.3) ? "mag" : "hne", m.lang());
        assertEquals(Math.max(over.calibrated("mag", 0.95), hne.calibrated("hne", 0.3)), m.score(), 1e-12);

        LanguageDetector unknownScript = text -> new LanguageDetector.Detection("und", 0.0, "Cher", false);
        CombinedLanguageDetector gated = new CombinedLanguageDetector(List.of(
                new CombinedLanguageDetector.Member("ours", unknownScript, null), new CombinedLanguageDetector.Member("guesser", alwaysHne, null)));
        LanguageDetector.Detection g = gated.detect("ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ");
        assertEquals("und", g.lang(), "a script our model never saw is not handed to a guesser");
        assertTrue(!g.knownScript());
    }
}
