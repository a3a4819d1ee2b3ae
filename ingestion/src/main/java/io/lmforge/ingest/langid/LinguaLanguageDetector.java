package io.lmforge.ingest.langid;

import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;
import io.lmforge.core.config.ConfigError;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;

/**
 * Lingua 1.2.2 (75 languages, all of them loaded), in its low- or high-accuracy mode.
 *
 * <p>Lingua's confidence is relative: the top language is always 1.0. The raw score given here is
 * the margin over the runner-up (1 - its relative confidence), which does rise with how sure Lingua
 * is; {@link ScoreCalibration} turns it into held-out precision like every other detector's score.
 *
 * <p>One detector per mode per JVM: building one loads its n-gram models (≈80 MB low accuracy,
 * ≈1.5 GB high), and an instance is safe to share between threads (lingua#4, lingua#100).
 */
public final class LinguaLanguageDetector implements LanguageDetector, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /** Accuracy modes, as in ingest.langid.lingua-accuracy. */
    public static final java.util.List<String> MODES = java.util.List.of("low", "high");
    private static final Map<String, com.github.pemistahl.lingua.api.LanguageDetector> BY_MODE = new java.util.concurrent.ConcurrentHashMap<>();
    private final String mode;
    private final int maxChars;

    public LinguaLanguageDetector(String mode, int maxChars) {
        if (!MODES.contains(mode)) {
            throw new ConfigError("config key 'ingest.langid.lingua-accuracy' must be one of " + MODES + ", got '" + mode + "'");
        }
        this.mode = mode;
        this.maxChars = maxChars;
    }

    /** The calibration key of this detector in langid.json ("lingua-low", "lingua-high"). */
    public String calibrationName() {
        return "lingua-" + mode;
    }

    private com.github.pemistahl.lingua.api.LanguageDetector lingua() {
        return BY_MODE.computeIfAbsent(mode, m -> {
            LanguageDetectorBuilder b = LanguageDetectorBuilder.fromAllLanguages();
            return (m.equals("low") ? b.withLowAccuracyMode() : b).build();
        });
    }

    @Override
    public Detection detect(String text) {
        if (text == null || text.isBlank()) {
            return new Detection("und", 0.0);
        }
        String sample = text.length() > maxChars ? text.substring(0, maxChars) : text;
        String script = ScriptDetector.dominant(sample);
        SortedMap<Language, Double> confidences = lingua().computeLanguageConfidenceValues(sample);
        if (confidences.isEmpty()) {
            return new Detection("und", 0.0, script, true);
        }
        Iterator<Map.Entry<Language, Double>> it = confidences.entrySet().iterator();
        Map.Entry<Language, Double> top = it.next();
        double margin = it.hasNext() ? top.getValue() - it.next().getValue() : top.getValue();
        return new Detection(code(top.getKey()), Math.max(0.0, Math.min(1.0, margin)), script, true);
    }

    /** Lingua's language as our output code: ISO 639-1 where it exists, else 639-3. */
    static String code(Language l) {
        if (l == Language.UNKNOWN) {
            return "und";
        }
        String c1 = l.getIsoCode639_1().name().toLowerCase(Locale.ROOT);
        return c1.equals("none") ? l.getIsoCode639_3().name().toLowerCase(Locale.ROOT) : LanguageCodes.normalize(c1);
    }
}
