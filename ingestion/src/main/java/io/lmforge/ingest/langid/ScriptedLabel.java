package io.lmforge.ingest.langid;

/**
 * The classifier's classes are (language, script) pairs such as {@code sr:Latn} and {@code sr:Cyrl};
 * detection reports the language. Models trained before the split have plain language labels,
 * which {@link #language} returns unchanged.
 */
public final class ScriptedLabel {
    private ScriptedLabel() {
    }

    public static String of(String language, String script) {
        return language + ":" + script;
    }

    public static String language(String label) {
        int colon = label.indexOf(':');
        return colon < 0 ? label : label.substring(0, colon);
    }
}
