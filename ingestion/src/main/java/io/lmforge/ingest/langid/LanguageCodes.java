package io.lmforge.ingest.langid;

import com.ibm.icu.util.ULocale;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Output language codes: ISO 639-1 where one exists, else ISO 639-3. ICU's canonicalisation maps
 * overlong codes (deu -> de) and individual languages to their macrolanguage's code where CLDR
 * says so (cmn -> zh, pes -> fa, arb -> ar, ekk -> et).
 */
public final class LanguageCodes {
    private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

    private LanguageCodes() {
    }

    public static String normalize(String code) {
        if (code == null || code.isBlank()) {
            return "und";
        }
        return CACHE.computeIfAbsent(code, c -> {
            String lang = ULocale.createCanonical(c.replace('_', '-')).getLanguage();
            return lang.isEmpty() ? c.toLowerCase(java.util.Locale.ROOT) : lang;
        });
    }
}
