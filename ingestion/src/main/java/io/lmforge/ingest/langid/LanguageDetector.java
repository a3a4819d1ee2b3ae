package io.lmforge.ingest.langid;

/** A language identifier: the most likely language of a text and a confidence in [0, 1]. */
public interface LanguageDetector {
    /**
     * @param script      dominant Unicode script (ISO 15924) of the text's letters
     * @param knownScript false when the detector has never seen the script: it cannot name the language
     */
    record Detection(String lang, double score, String script, boolean knownScript) {
        public Detection(String lang, double score) {
            this(lang, score, null, true);
        }
    }

    Detection detect(String text);
}
