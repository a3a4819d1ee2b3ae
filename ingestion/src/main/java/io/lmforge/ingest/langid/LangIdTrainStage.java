package io.lmforge.ingest.langid;

import com.dynatrace.hash4j.hashing.Hashing;
import io.lmforge.core.BuildInfo;
import io.lmforge.core.config.ConfigError;
import io.lmforge.core.config.PipelineConfig;
import io.lmforge.core.dataset.Lineage;
import io.lmforge.core.stage.Computed;
import io.lmforge.core.stage.DatasetStage;
import io.lmforge.core.stage.StageContext;
import io.lmforge.core.stage.StagePlan;
import io.lmforge.core.stage.StageRun;
import io.lmforge.core.stage.StageSpec;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.NaiveBayes;
import org.apache.spark.ml.feature.HashingTF;
import org.apache.spark.ml.feature.Normalizer;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * `langid-train`: trains the language identifier with Spark MLlib on labelled text (the shipped
 * sample by default), evaluates it on documents it never saw, fits the score calibration, and
 * writes a versioned model directory (MLlib PipelineModel + langid.json).
 */
public final class LangIdTrainStage extends DatasetStage<List<FileStatus>> {
    public static final String NAME = "langid-train";
    private static final StageSpec SPEC = StageSpec.of(NAME,
                    "train the language identifier (Spark MLlib, char n-grams) on labelled text; evaluate on held-out documents")
            .reads("langid.train.paths (JSONL with text + a label field, or one plain-text file per language; label from langid.train.label-regex)")
            .writes("langid.train.output, or <root>/models/langid/<version>/: pipeline/ (MLlib PipelineModel) + langid.json",
                    "(labels, script profile, calibration temperature, held-out accuracy per language and confusions)")
            .config("langid.train")
            .notes("""
                    langid.train.classifier = naive-bayes | logistic-regression; langid.train.calibrate: which off-the-shelf detectors get
                    score calibrations for ingest.langid.detector. Use the result with --set ingest.langid.model=DIR
                    (the shipped default is data/models/langid).""")
            .build();

    @Override
    public boolean readsRoot() {
        return false; // the first stage of a root: it may not exist yet
    }

    @Override
    public StageSpec spec() {
        return SPEC;
    }

    @Override
    public StagePlan<List<FileStatus>> plan(StageContext ctx) throws Exception {
        FileSystem rootFs = ctx.layout().fs(ctx.spark().sparkContext().hadoopConfiguration());
        StagePlan<List<FileStatus>> plan = new StagePlan<>(rootFs);
        List<FileStatus> files = inputFiles(ctx.spark(), ctx.config().getStringList("langid.train.paths"));
        for (FileStatus f : files) {
            plan.inputFile(f.getPath().toString(), "labelled-text", f.getLen(), f.getModificationTime());
        }
        String out = ctx.config().getString("langid.train.output");
        if (out.isBlank()) {
            plan.output("model", null); // models/langid/<version>: the version hashes what was trained on
            if (rootFs.exists(ctx.layout().langidModels())) {
                for (FileStatus st : rootFs.listStatus(ctx.layout().langidModels())) {
                    plan.upToDateAt(st.getPath());
                }
            }
        } else {
            plan.output("model", new Path(io.lmforge.core.config.HomePaths.resolve(out)));
        }
        return plan.payload(files);
    }

    public record LabelledDoc(String label, String id, String text) {
    }

    @Override
    public Computed compute(StageRun<List<FileStatus>> ctx) throws Exception {
        PipelineConfig c = ctx.config();
        Pattern labelRegex = Pattern.compile(c.getString("langid.train.label-regex"));
        double heldout = c.getDouble("langid.train.heldout-fraction");
        long seed = c.getLong("langid.train.seed");
        int maxLines = c.getInt("langid.train.max-lines-per-label");
        int maxN = c.getInt("langid.train.ngram-max");
        int numFeatures = c.getInt("langid.train.num-features");
        String classifier = c.getEnum("langid.train.classifier");
        List<String> calibrate = c.getStringList("langid.train.calibrate");
        calibrate.forEach(name -> LangIdModelStore.offTheShelf(name, 2000)); // fail on a typo before the fit, not after
        long t0 = System.nanoTime();

        List<LabelledDoc> docs = readDocs(ctx.spark(), ctx.payload(), labelRegex, c.getString("langid.train.label-field"));
        List<List<LabelledDoc>> parts = split(docs, seed, heldout);
        List<LabelledDoc> train = parts.get(0);
        List<LabelledDoc> calib = parts.get(1);
        List<LabelledDoc> test = parts.get(2);
        // One class per (language, script): a language written in two scripts (Serbian, Kashmiri,
        // Acehnese) would otherwise spread its n-gram mass over both and lose to a one-script neighbour.
        Map<String, List<String>> linesByLabel = new TreeMap<>();
        Map<String, Map<String, Integer>> scriptDocs = new TreeMap<>();
        for (LabelledDoc d : train) {
            String script = ScriptDetector.dominant(d.text());
            if (script.equals("Zyyy")) {
                continue; // no letters: nothing to learn a language from
            }
            String cls = ScriptedLabel.of(d.label(), script);
            for (String line : d.text().split("\n")) {
                if (line.strip().length() >= 10) {
                    linesByLabel.computeIfAbsent(cls, k -> new ArrayList<>()).add(line.strip());
                }
            }
            scriptDocs.computeIfAbsent(script, k -> new TreeMap<>()).merge(cls, 1, Integer::sum);
        }
        Random rnd = new Random(seed);
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : linesByLabel.entrySet()) {
            List<String> l = new ArrayList<>(e.getValue());
            Collections.shuffle(l, rnd);
            for (String line : l.subList(0, Math.min(maxLines, l.size()))) {
                rows.add(RowFactory.create(e.getKey(), line));
            }
        }
        ctx.console().printf(Locale.ROOT, "langid-train: %d languages in %d (language, script) classes, %d documents (%d train, %d calibration, %d held out), %d training lines%n",
                linesByLabel.keySet().stream().map(ScriptedLabel::language).distinct().count(), linesByLabel.size(),
                docs.size(), train.size(), calib.size(), test.size(), rows.size());

        Dataset<Row> df = ctx.spark().createDataFrame(rows, new StructType().add("label", DataTypes.StringType).add("text", DataTypes.StringType));
        List<PipelineStage> stages = new ArrayList<>(List.of(new CharNgramTokenizer().setMaxN(maxN),
                new HashingTF().setInputCol("ngrams").setOutputCol("tf").setNumFeatures(numFeatures),
                new StringIndexer().setInputCol("label").setOutputCol("label_idx").setStringOrderType("alphabetAsc")));
        if (classifier.equals("naive-bayes")) {
            stages.add(new NaiveBayes().setFeaturesCol("tf").setLabelCol("label_idx").setSmoothing(0.1));
        } else {
            stages.add(new Normalizer().setInputCol("tf").setOutputCol("tf_l1").setP(1.0)); // the model averages over n-grams
            stages.add(new LogisticRegression().setFeaturesCol("tf_l1").setLabelCol("label_idx").setMaxIter(100).setRegParam(1e-5));
        }
        PipelineModel pm = new Pipeline().setStages(stages.toArray(new PipelineStage[0])).fit(df);
        double fitSeconds = (System.nanoTime() - t0) / 1e9;

        // script profile: a script seen in a training document of a language admits that language
        LinearLanguageModel probe = LangIdModelStore.fromPipeline(pm, Map.of(), 1.0);
        Map<String, Integer> indexOf = new TreeMap<>();
        for (int i = 0; i < probe.labels().length; i++) {
            indexOf.put(probe.labels()[i], i);
        }
        Map<String, int[]> labelsOfScript = new TreeMap<>();
        scriptDocs.forEach((script, counts) -> {
            int[] idx = counts.entrySet().stream().filter(e -> indexOf.containsKey(e.getKey()))
                    .mapToInt(e -> indexOf.get(e.getKey())).sorted().toArray();
            if (idx.length > 0 && !script.equals("Zyyy")) {
                labelsOfScript.put(script, idx);
            }
        });
        LinearLanguageModel model = LangIdModelStore.fromPipeline(pm, labelsOfScript, 1.0);
        double temperature = LangIdEvaluation.fitTemperature(model, sentences(calib), indexOf);
        model.setTemperature(temperature);
        // per-language score calibration of each detector ingest can combine, on the calibration split
        List<LabelledDoc> calibSentences = calibrationSamples(calib);
        CombinedLanguageDetector.Member ours = new CombinedLanguageDetector.Member("lmforge", model, ScoreCalibration.fit(model, calibSentences));
        LangIdEvaluation eval = LangIdEvaluation.run(new CombinedLanguageDetector(List.of(ours)), sentences(test), test);
        Map<String, Object> calibrations = new LinkedHashMap<>();
        calibrations.put("lmforge", ours.calibration().toMap());
        Map<String, LangIdEvaluation> votes = new LinkedHashMap<>();
        for (String name : calibrate) {
            long tc = System.nanoTime();
            LanguageDetector other = LangIdModelStore.offTheShelf(name, 2000);
            CombinedLanguageDetector.Member theirs = new CombinedLanguageDetector.Member(name, other, ScoreCalibration.fit(other, calibSentences));
            calibrations.put(name, theirs.calibration().toMap());
            votes.put(name, LangIdEvaluation.run(new CombinedLanguageDetector(List.of(ours, theirs)), sentences(test), test));
            ctx.console().printf(Locale.ROOT, "langid-train: calibrated %s on %d samples and evaluated the vote lmforge+%s (%.0f s)%n",
                    name, calibSentences.size(), name, (System.nanoTime() - tc) / 1e9);
        }

        String version = io.lmforge.core.ids.StableId.hash(c.hashOf("langid.train") + "|" + docs.size() + "|" + rows.size()).substring(0, 12);
        if (ctx.output("model") == null) {
            ctx.decideOutput("model", new Path(ctx.layout().langidModels(), version));
        }
        Path dir = ctx.staged("model");
        FileSystem fs = dir.getFileSystem(ctx.spark().sparkContext().hadoopConfiguration());
        pm.write().overwrite().save(new Path(dir, "pipeline").toString());
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("version", version);
        info.put("code_version", BuildInfo.version());
        info.put("classifier", classifier);
        info.put("labels", List.of(model.labels()));
        Map<String, List<Integer>> scripts = new TreeMap<>();
        labelsOfScript.forEach((k, v) -> scripts.put(k, java.util.Arrays.stream(v).boxed().toList()));
        info.put("labels_of_script", scripts);
        info.put("temperature", temperature);
        info.put("training", Map.of("documents", train.size(), "calibration_documents", calib.size(), "heldout_documents", test.size(),
                "lines", rows.size(), "fit_seconds", fitSeconds, "config", c.renderJson("langid.train")));
        info.put("calibration", calibrations);
        info.put("heldout", eval.toMap());
        votes.forEach((name, v) -> info.put("heldout_lmforge+" + name, v.toMap()));
        LangIdModelStore.writeInfo(fs, dir, info);
        LangIdModelStore.writeListing(fs, dir);
        eval.print(ctx.console(), classifier);
        votes.forEach((name, v) -> v.print(ctx.console(), classifier + " + " + name + ", calibrated vote (ingest.langid.detector=lmforge+"
                + name.replaceFirst("-(low|high)$", "") + ")"));
        return new Computed(Map.of("documents", docs.size(), "lines", rows.size(), "labels", model.labels().length,
                "sentence_accuracy", eval.sentenceAccuracy(), "document_accuracy", eval.documentAccuracy()), Lineage.NONE,
                String.format(Locale.ROOT, "model %s: sentence accuracy %.3f, document accuracy %.3f -> %s",
                        version, eval.sentenceAccuracy(), eval.documentAccuracy(), ctx.output("model")));
    }

    /** [train, calibration (10%), held out] by a seeded hash of each document's id: held-out text is never trained on. */
    public static List<List<LabelledDoc>> split(List<LabelledDoc> docs, long seed, double heldout) {
        List<LabelledDoc> train = new ArrayList<>();
        List<LabelledDoc> calib = new ArrayList<>();
        List<LabelledDoc> test = new ArrayList<>();
        for (LabelledDoc d : docs) {
            double u = (Hashing.xxh3_64().hashCharsToLong(seed + "/" + d.id()) >>> 11) / (double) (1L << 53);
            (u < heldout ? test : u < heldout + 0.1 ? calib : train).add(d);
        }
        return List.of(train, calib, test);
    }

    /**
     * What score calibrations are fitted on: the calibration documents whole (ingest scores
     * documents) and their sentences (short records), so every raw-score bin sees both lengths.
     */
    public static List<LabelledDoc> calibrationSamples(List<LabelledDoc> calibDocs) {
        List<LabelledDoc> out = new ArrayList<>(calibDocs);
        out.addAll(sentences(calibDocs));
        return out;
    }

    /** Held-out sentences: lines of 20+ characters, with their document's label. */
    public static List<LabelledDoc> sentences(List<LabelledDoc> docs) {
        List<LabelledDoc> out = new ArrayList<>();
        for (LabelledDoc d : docs) {
            for (String line : d.text().split("\n")) {
                if (line.strip().length() >= 20) {
                    out.add(new LabelledDoc(d.label(), d.id(), line.strip()));
                }
            }
        }
        return out;
    }

    static String label(String raw) {
        return LanguageCodes.normalize(raw.replaceAll("[_-](Latn|Cyrl|Arab|Deva|Beng|Tibt|Nkoo|Tfng|Mymr|BR)$", ""));
    }

    /** The files of langid.train.paths (files, directories, globs), each spec's sorted by path. */
    public static List<FileStatus> inputFiles(org.apache.spark.sql.SparkSession spark, List<String> specs) throws java.io.IOException {
        List<FileStatus> all = new ArrayList<>();
        for (String spec : specs) {
            Path p = new Path(io.lmforge.core.config.HomePaths.resolve(spec));
            FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            FileStatus[] matches = fs.globStatus(p);
            if (matches == null || matches.length == 0) {
                throw new ConfigError("langid.train.paths: '" + spec + "' matches no file");
            }
            List<FileStatus> files = new ArrayList<>();
            for (FileStatus m : matches) {
                if (m.isDirectory()) {
                    RemoteIterator<LocatedFileStatus> it = fs.listFiles(m.getPath(), true);
                    while (it.hasNext()) {
                        files.add(it.next());
                    }
                } else {
                    files.add(m);
                }
            }
            files.sort((a, b) -> a.getPath().toString().compareTo(b.getPath().toString()));
            all.addAll(files);
        }
        return all;
    }

    public static List<LabelledDoc> readDocs(org.apache.spark.sql.SparkSession spark, List<FileStatus> files, Pattern labelRegex, String labelField) throws Exception {
        List<LabelledDoc> docs = new ArrayList<>();
        {
            for (FileStatus f : files) {
                FileSystem fs = f.getPath().getFileSystem(spark.sparkContext().hadoopConfiguration());
                String name = f.getPath().getName();
                String plain = io.lmforge.ingest.read.Compression.withoutSuffix(name); // the compressions ingest reads
                if (plain.endsWith(".jsonl")) {
                    readJsonl(fs, f.getPath(), labelField, docs);
                    continue;
                }
                Matcher m = labelRegex.matcher(plain);
                if (!m.matches()) {
                    continue;
                }
                String label = label(m.group(1));
                String text;
                try (var in = io.lmforge.ingest.read.Compression.open(name, fs.open(f.getPath()))) {
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                int i = 0;
                for (String d : text.split("\n\\s*\n")) {
                    if (!d.isBlank()) {
                        docs.add(new LabelledDoc(label, name + "#" + i++, d.strip()));
                    }
                }
            }
        }
        if (docs.isEmpty()) {
            throw new ConfigError("langid.train.paths: no labelled document (JSONL with text + " + labelField
                    + ", or text files matching langid.train.label-regex)");
        }
        return docs;
    }

    /** JSONL records with a string `text` and label field; others (bad lines, no label) are skipped. */
    private static void readJsonl(FileSystem fs, Path p, String labelField, List<LabelledDoc> docs) throws java.io.IOException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        try (var in = io.lmforge.ingest.read.Compression.open(p.getName(), fs.open(p));
             var r = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8))) {
            int i = 0;
            for (String line = r.readLine(); line != null; line = r.readLine(), i++) {
                try {
                    var node = json.readTree(line);
                    if (node != null && node.path("text").isTextual() && node.path(labelField).isTextual() && !node.get("text").asText().isBlank()) {
                        docs.add(new LabelledDoc(label(node.get(labelField).asText()), p.getName() + "#" + i, node.get("text").asText().strip()));
                    }
                } catch (java.io.IOException notJson) {
                    // not a labelled record: skipped
                }
            }
        } catch (java.io.IOException unreadable) {
            // a truncated or mislabelled compressed file: its readable records are kept, the rest is not labelled text
        }
    }
}
