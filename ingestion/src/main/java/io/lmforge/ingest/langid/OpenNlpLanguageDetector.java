package io.lmforge.ingest.langid;

import opennlp.tools.langdetect.Language;
import opennlp.tools.langdetect.LanguageDetectorME;
import opennlp.tools.langdetect.LanguageDetectorModel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Apache OpenNLP's langdetect-183 model (103 languages, from the opennlp-models-langdetect jar).
 * The model is loaded once per JVM; LanguageDetectorME is not documented as thread-safe, so each
 * thread gets its own.
 */
public final class OpenNlpLanguageDetector implements LanguageDetector, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private static volatile LanguageDetectorModel model;
    private static final ThreadLocal<LanguageDetectorME> DETECTOR = ThreadLocal.withInitial(() -> new LanguageDetectorME(model()));
    private final int maxChars;

    public OpenNlpLanguageDetector(int maxChars) {
        this.maxChars = maxChars;
    }

    static LanguageDetectorModel model() {
        if (model == null) {
            synchronized (OpenNlpLanguageDetector.class) {
                if (model == null) {
                    try (InputStream in = OpenNlpLanguageDetector.class.getClassLoader().getResourceAsStream("langdetect-183.bin")) {
                        if (in == null) {
                            throw new IllegalStateException("langdetect-183.bin not on the classpath (opennlp-models-langdetect jar missing)");
                        }
                        model = new LanguageDetectorModel(in);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot load OpenNLP langdetect model", e);
                    }
                }
            }
        }
        return model;
    }

    @Override
    public Detection detect(String text) {
        if (text == null || text.isBlank()) {
            return new Detection("und", 0.0);
        }
        String sample = text.length() > maxChars ? text.substring(0, maxChars) : text;
        Language best = DETECTOR.get().predictLanguage(sample);
        return new Detection(LanguageCodes.normalize(best.getLang()), best.getConfidence(), ScriptDetector.dominant(sample), true);
    }
}
