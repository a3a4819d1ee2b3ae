package io.lmforge.ingest.langid;

/** A language identifier: the most likely language of a text and a confidence in [0, 1]. */
public interface LanguageDetector {
    record Detection(String lang, double score) {
    }

    Detection detect(String text);
}
