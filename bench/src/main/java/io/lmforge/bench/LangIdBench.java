package io.lmforge.bench;

import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;
import io.lmforge.core.config.PipelineConfig;
import io.lmforge.ingest.langid.LangIdEvaluation;
import io.lmforge.ingest.langid.LangIdModelStore;
import io.lmforge.ingest.langid.LangIdTrainStage;
import io.lmforge.ingest.langid.LanguageCodes;
import io.lmforge.ingest.langid.LanguageDetector;
import io.lmforge.ingest.langid.LanguageIdentifier;
import io.lmforge.ingest.langid.ScriptDetector;
import org.apache.spark.sql.SparkSession;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * `bin/bench langid [--model DIR]`: every detector on the same held-out documents of the shipped
 * labelled text (the split langid-train uses, so none of it was trained on): sentence and document
 * accuracy, per-language lows, confusions and single-thread speed.
 */
public final class LangIdBench {
    private LangIdBench() {
    }

    public static void main(String[] args) throws Exception {
        String model = "data/models/langid";
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--model")) {
                model = args[++i];
            }
        }
        SparkSession spark = SparkSession.builder().master("local[1]").appName("bench-langid").config("spark.ui.enabled", "false").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        PipelineConfig c = PipelineConfig.load(null, List.of());
        List<LangIdTrainStage.LabelledDoc> docs = LangIdTrainStage.readDocs(spark, c.getStringList("langid.train.paths"),
                Pattern.compile(c.getString("langid.train.label-regex")), c.getString("langid.train.label-field"));
        List<LangIdTrainStage.LabelledDoc> heldout = LangIdTrainStage.split(docs, c.getLong("langid.train.seed"),
                c.getDouble("langid.train.heldout-fraction")).get(2);
        List<LangIdTrainStage.LabelledDoc> sentences = LangIdTrainStage.sentences(heldout);
        long labels = heldout.stream().map(LangIdTrainStage.LabelledDoc::label).distinct().count();
        System.out.printf(Locale.ROOT, "held-out set: %d sentences, %d documents, %d languages (never trained on)%n",
                sentences.size(), heldout.size(), labels);

        LanguageDetector ours = LangIdModelStore.load(spark, io.lmforge.core.config.HomePaths.resolve(model));
        LangIdEvaluation.run(ours, sentences, heldout).print(System.out, "lmforge model " + model);
        LangIdEvaluation.run(LanguageIdentifier.create("opennlp", 2000), sentences, heldout).print(System.out, "OpenNLP langdetect-183");
        for (boolean low : new boolean[]{true, false}) {
            LanguageDetectorBuilder b = LanguageDetectorBuilder.fromAllLanguages();
            com.github.pemistahl.lingua.api.LanguageDetector lingua = (low ? b.withLowAccuracyMode() : b).build();
            LanguageDetector adapter = text -> new LanguageDetector.Detection(linguaCode(lingua.detectLanguageOf(text)), 1.0,
                    ScriptDetector.dominant(text), true);
            LangIdEvaluation.run(adapter, sentences, heldout).print(System.out, "Lingua 1.2.2 " + (low ? "low" : "high") + " accuracy");
        }
        spark.stop();
    }

    static String linguaCode(Language l) {
        if (l == Language.UNKNOWN) {
            return "und";
        }
        String c1 = l.getIsoCode639_1().name().toLowerCase(Locale.ROOT);
        return c1.equals("none") ? l.getIsoCode639_3().name().toLowerCase(Locale.ROOT) : LanguageCodes.normalize(c1);
    }
}
