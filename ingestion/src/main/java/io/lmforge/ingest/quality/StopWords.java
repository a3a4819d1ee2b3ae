package io.lmforge.ingest.quality;

import org.apache.lucene.analysis.CharArraySet;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stop-word lists per language for the Gopher stop-word rule: Apache Lucene's lists (loaded from
 * each analyzer's getDefaultStopSet), English from Gopher itself. Languages without a list
 * skip the rule instead of being judged by English words.
 */
public final class StopWords {
    /** Gopher's English list (Rae et al. 2021). */
    static final Set<String> GOPHER_EN = Set.of("the", "be", "to", "of", "and", "that", "have", "with");

    private static final Map<String, String> LUCENE = new HashMap<>();
    static {
        String p = "org.apache.lucene.analysis.";
        String[][] table = {
                {"ar", "ar.ArabicAnalyzer"}, {"bg", "bg.BulgarianAnalyzer"}, {"bn", "bn.BengaliAnalyzer"},
                {"ca", "ca.CatalanAnalyzer"}, {"ckb", "ckb.SoraniAnalyzer"}, {"cs", "cz.CzechAnalyzer"},
                {"da", "da.DanishAnalyzer"}, {"de", "de.GermanAnalyzer"}, {"el", "el.GreekAnalyzer"},
                {"es", "es.SpanishAnalyzer"}, {"et", "et.EstonianAnalyzer"}, {"eu", "eu.BasqueAnalyzer"},
                {"fa", "fa.PersianAnalyzer"}, {"fi", "fi.FinnishAnalyzer"}, {"fr", "fr.FrenchAnalyzer"},
                {"ga", "ga.IrishAnalyzer"}, {"gl", "gl.GalicianAnalyzer"}, {"hi", "hi.HindiAnalyzer"},
                {"hu", "hu.HungarianAnalyzer"}, {"hy", "hy.ArmenianAnalyzer"}, {"id", "id.IndonesianAnalyzer"},
                {"it", "it.ItalianAnalyzer"}, {"lt", "lt.LithuanianAnalyzer"}, {"lv", "lv.LatvianAnalyzer"},
                {"ne", "ne.NepaliAnalyzer"}, {"nl", "nl.DutchAnalyzer"}, {"nb", "no.NorwegianAnalyzer"},
                {"no", "no.NorwegianAnalyzer"}, {"pt", "pt.PortugueseAnalyzer"}, {"ro", "ro.RomanianAnalyzer"},
                {"ru", "ru.RussianAnalyzer"}, {"sr", "sr.SerbianAnalyzer"}, {"sv", "sv.SwedishAnalyzer"},
                {"ta", "ta.TamilAnalyzer"}, {"te", "te.TeluguAnalyzer"}, {"th", "th.ThaiAnalyzer"},
                {"tr", "tr.TurkishAnalyzer"}};
        for (String[] e : table) {
            LUCENE.put(e[0], p + e[1]);
        }
    }

    private static final Map<String, Set<String>> CACHE = new ConcurrentHashMap<>();
    private static final Set<String> NONE = Set.of();

    private StopWords() {
    }

    /** The list for a language, or an empty set when there is none (the rule is then skipped). */
    public static Set<String> forLanguage(String lang, boolean enabled) {
        if (!enabled || lang == null) {
            return NONE;
        }
        if (lang.equals("en")) {
            return GOPHER_EN;
        }
        return CACHE.computeIfAbsent(lang, StopWords::load);
    }

    private static Set<String> load(String lang) {
        String cls = LUCENE.get(lang);
        if (cls == null) {
            return NONE;
        }
        try {
            CharArraySet set = (CharArraySet) Class.forName(cls).getMethod("getDefaultStopSet").invoke(null);
            Set<String> out = new java.util.HashSet<>();
            for (Object o : set) {
                out.add(o instanceof char[] c ? new String(c) : String.valueOf(o));
            }
            return Set.copyOf(out);
        } catch (ReflectiveOperationException | ClassCastException e) {
            return NONE; // analyzer not in this Lucene version
        }
    }
}
