package io.lmforge.bench;

import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;
import io.lmforge.ingest.langid.LanguageCodes;
import io.lmforge.ingest.langid.LanguageDetector;
import io.lmforge.ingest.langid.LanguageIdentifier;
import opennlp.tools.langdetect.LanguageDetectorME;
import opennlp.tools.langdetect.LanguageDetectorModel;

import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * `bin/bench langid`: accuracy and speed of the off-the-shelf detectors on a labelled set built
 * from the shipped sample (data/sample/chunk-0002/text/SOURCE-LANG.txt; nothing here trains on
 * it). Sentences (single lines of 20+ characters, up to 40 per file) and whole documents (up to
 * 15 per file); accuracy over all labels and over the labels each detector supports.
 */
public final class LangIdBench {
    record Item(String gold, String text) {
    }

    private LangIdBench() {
    }

    public static void main(String[] args) throws Exception {
        Path textDir = new File(System.getProperty("lmforge.home", ".")).toPath().resolve("data/sample/chunk-0002/text");
        List<Item> sentences = new ArrayList<>();
        List<Item> docs = new ArrayList<>();
        try (var files = Files.list(textDir)) {
            for (Path f : files.sorted().toList()) {
                String gold = gold(f.getFileName().toString());
                String[] ds = Files.readString(f, StandardCharsets.UTF_8).split("\n\\s*\n");
                int nd = 0;
                int ns = 0;
                for (String d : ds) {
                    if (d.isBlank()) {
                        continue;
                    }
                    if (nd++ < 15) {
                        docs.add(new Item(gold, d.strip()));
                    }
                    for (String line : d.split("\n")) {
                        if (line.strip().length() >= 20 && ns++ < 40) {
                            sentences.add(new Item(gold, line.strip()));
                        }
                    }
                }
            }
        }
        Set<String> golds = new HashSet<>();
        sentences.forEach(i -> golds.add(i.gold()));
        System.out.printf(Locale.ROOT, "labelled set: %d sentences, %d documents, %d labels (from data/sample chunk 0002)%n",
                sentences.size(), docs.size(), golds.size());

        Set<String> opennlpLangs = new HashSet<>();
        try (InputStream in = LangIdBench.class.getClassLoader().getResourceAsStream("langdetect-183.bin")) {
            for (String l : new LanguageDetectorME(new LanguageDetectorModel(in)).getSupportedLanguages()) {
                opennlpLangs.add(LanguageCodes.normalize(l));
            }
        }
        LanguageDetector opennlp = LanguageIdentifier.create("opennlp", 2000);
        evaluate("OpenNLP 2.5 langdetect-183", opennlpLangs, t -> opennlp.detect(t).lang(), sentences, docs);

        Set<String> linguaLangs = new HashSet<>();
        for (Language l : Language.all()) {
            linguaLangs.add(linguaCode(l));
        }
        for (boolean low : new boolean[]{true, false}) {
            LanguageDetectorBuilder b = LanguageDetectorBuilder.fromAllLanguages();
            com.github.pemistahl.lingua.api.LanguageDetector lingua = (low ? b.withLowAccuracyMode() : b).build();
            evaluate("Lingua 1.2.2 " + (low ? "low" : "high") + " accuracy", linguaLangs, t -> linguaCode(lingua.detectLanguageOf(t)), sentences, docs);
        }
    }

    /** "ud-fr.txt" -> fr, "gnome-help-pt-BR.txt" -> pt, "oldi-seed-ace_Latn.txt" -> ace (script suffixes dropped). */
    static String gold(String fileName) {
        String lang = fileName.substring(0, fileName.length() - 4);
        for (String source : new String[]{"gnome-help-", "oldi-seed-", "ud-"}) {
            if (lang.startsWith(source)) {
                lang = lang.substring(source.length());
            }
        }
        lang = lang.replace("-BR", "").replace("-Latn", "");
        int us = lang.indexOf('_');
        return LanguageCodes.normalize(us > 0 ? lang.substring(0, us) : lang);
    }

    static String linguaCode(Language l) {
        if (l == Language.UNKNOWN) {
            return "und";
        }
        String c1 = l.getIsoCode639_1().name().toLowerCase(Locale.ROOT);
        return c1.equals("none") ? l.getIsoCode639_3().name().toLowerCase(Locale.ROOT) : LanguageCodes.normalize(c1);
    }

    static void evaluate(String name, Set<String> supported, Function<String, String> detect, List<Item> sentences, List<Item> docs) {
        for (int i = 0; i < 200; i++) {
            detect.apply(sentences.get(i % sentences.size()).text()); // warm-up
        }
        Map<String, int[]> confusions = new TreeMap<>();
        long t = System.nanoTime();
        int[] s = score(detect, sentences, supported, confusions);
        double secs = (System.nanoTime() - t) / 1e9;
        int[] d = score(detect, docs, supported, new TreeMap<>());
        System.out.printf(Locale.ROOT, "%n%s (%d of the labels supported)%n", name, supported.stream().filter(x -> sentences.stream().anyMatch(i -> i.gold().equals(x))).count());
        System.out.printf(Locale.ROOT, "  sentences: accuracy %.3f all, %.3f on supported labels; %,.0f sentences/s on 1 thread%n",
                s[0] / (double) sentences.size(), s[1] / (double) Math.max(1, s[2]), sentences.size() / secs);
        System.out.printf(Locale.ROOT, "  documents: accuracy %.3f all, %.3f on supported labels%n",
                d[0] / (double) docs.size(), d[1] / (double) Math.max(1, d[2]));
        List<Map.Entry<String, int[]>> top = new ArrayList<>(confusions.entrySet());
        top.sort((a, b) -> b.getValue()[0] - a.getValue()[0]);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, top.size()); i++) {
            sb.append(i == 0 ? "" : ", ").append(top.get(i).getKey()).append(" ×").append(top.get(i).getValue()[0]);
        }
        System.out.println("  top sentence confusions (gold->predicted): " + sb);
    }

    /** [correct, correct on supported, n supported] */
    static int[] score(Function<String, String> detect, List<Item> items, Set<String> supported, Map<String, int[]> confusions) {
        int correct = 0;
        int correctSupported = 0;
        int nSupported = 0;
        for (Item it : items) {
            String p = detect.apply(it.text());
            boolean ok = it.gold().equals(p);
            correct += ok ? 1 : 0;
            if (supported.contains(it.gold())) {
                nSupported++;
                correctSupported += ok ? 1 : 0;
                if (!ok) {
                    confusions.computeIfAbsent(it.gold() + "->" + p, k -> new int[1])[0]++;
                }
            }
        }
        return new int[]{correct, correctSupported, nSupported};
    }

}
