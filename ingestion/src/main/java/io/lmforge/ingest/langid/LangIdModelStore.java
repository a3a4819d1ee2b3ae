package io.lmforge.ingest.langid;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lmforge.core.config.ConfigError;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.classification.NaiveBayesModel;
import org.apache.spark.ml.feature.HashingTF;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A language-ID model directory: `pipeline/` (the MLlib PipelineModel, MLlib persistence) and
 * `langid.json` (version, script profile, calibration temperature, held-out evaluation).
 */
public final class LangIdModelStore {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private LangIdModelStore() {
    }

    public static void writeInfo(FileSystem fs, Path dir, Map<String, Object> info) throws IOException {
        try (FSDataOutputStream out = fs.create(new Path(dir, "langid.json"), true)) {
            out.write(JSON.writeValueAsString(info).getBytes(StandardCharsets.UTF_8));
        }
    }

    public static Map<String, Object> readInfo(FileSystem fs, Path dir) throws IOException {
        try (FSDataInputStream in = fs.open(new Path(dir, "langid.json"))) {
            return JSON.readValue(new String(in.readAllBytes(), StandardCharsets.UTF_8), new TypeReference<LinkedHashMap<String, Object>>() {
            });
        }
    }

    /** The executor-side model from a fitted pipeline (CharNgramTokenizer, HashingTF, StringIndexer, classifier). */
    public static LinearLanguageModel fromPipeline(PipelineModel pm, Map<String, int[]> scripts, double temperature) {
        CharNgramTokenizer tok = null;
        HashingTF tf = null;
        StringIndexerModel idx = null;
        Transformer clf = null;
        for (Transformer t : pm.stages()) {
            if (t instanceof CharNgramTokenizer c) {
                tok = c;
            } else if (t instanceof HashingTF h) {
                tf = h;
            } else if (t instanceof StringIndexerModel s) {
                idx = s;
            } else if (t instanceof NaiveBayesModel || t instanceof LogisticRegressionModel) {
                clf = t;
            }
        }
        if (tok == null || tf == null || idx == null || clf == null) {
            throw new IllegalStateException("not a language-ID pipeline: " + List.of(pm.stages()));
        }
        String[] labels = idx.labelsArray()[0];
        if (clf instanceof NaiveBayesModel nb) {
            return fromParts(labels, nb.theta(), null, tf.getNumFeatures(), tok.getMaxN(), tok.getMaxChars(), scripts, temperature);
        }
        LogisticRegressionModel lr = (LogisticRegressionModel) clf;
        return fromParts(labels, lr.coefficientMatrix(), lr.interceptVector().toArray(), tf.getNumFeatures(), tok.getMaxN(), tok.getMaxChars(),
                scripts, temperature);
    }

    /**
     * The model from its parts: per label, the weights of the hashed n-grams (naive Bayes: log P(feature | label),
     * with no bias: priors are balanced by sampling; logistic regression: coefficients and intercepts).
     */
    static LinearLanguageModel fromParts(String[] labels, Matrix m, double[] intercepts, int numFeatures, int maxN, int maxChars,
                                         Map<String, int[]> scripts, double temperature) {
        double[] bias = intercepts == null ? new double[labels.length] : intercepts;
        float[][] w = new float[labels.length][m.numCols()];
        for (int c = 0; c < labels.length; c++) {
            for (int f = 0; f < m.numCols(); f++) {
                w[c][f] = (float) m.apply(c, f);
            }
        }
        return new LinearLanguageModel(labels, w, bias, numFeatures, maxN, maxChars, scripts, temperature);
    }

    /**
     * The model from the pipeline's files (what fromPipeline makes of PipelineModel.load, without Spark jobs:
     * {@link MllibStageFiles}). Throws IllegalStateException for a pipeline or data layout it does not know.
     */
    @SuppressWarnings("unchecked")
    static LinearLanguageModel fromPipelineFiles(FileSystem fs, Path pipelineDir, org.apache.hadoop.conf.Configuration conf,
                                                 Map<String, int[]> scripts, double temperature) throws IOException {
        Map<String, Object> pipeline = MllibStageFiles.metadata(fs, pipelineDir);
        List<String> uids = (List<String>) ((Map<String, Object>) pipeline.get("paramMap")).get("stageUids");
        Integer maxN = null;
        Integer maxChars = null;
        Integer numFeatures = null;
        String[] labels = null;
        Matrix weights = null;
        double[] intercepts = null;
        for (int i = 0; i < uids.size(); i++) {
            MllibStageFiles stage = MllibStageFiles.of(fs, pipelineDir, i, uids.get(i));
            switch (stage.className()) {
                case "io.lmforge.ingest.langid.CharNgramTokenizer" -> {
                    maxN = stage.intParam("maxN");
                    maxChars = stage.intParam("maxChars");
                }
                case "org.apache.spark.ml.feature.HashingTF" -> numFeatures = stage.intParam("numFeatures");
                case "org.apache.spark.ml.feature.StringIndexerModel" -> {
                    Map<String, MllibStageFiles.Leaf> data = stage.data(fs, conf);
                    labels = MllibStageFiles.firstOfNestedStrings(data, "labelsArray");
                }
                case "org.apache.spark.ml.classification.NaiveBayesModel" -> {
                    weights = MllibStageFiles.matrix(stage.data(fs, conf), "theta");
                    intercepts = null;
                }
                case "org.apache.spark.ml.classification.LogisticRegressionModel" -> {
                    Map<String, MllibStageFiles.Leaf> data = stage.data(fs, conf);
                    weights = MllibStageFiles.matrix(data, "coefficientMatrix");
                    intercepts = MllibStageFiles.vector(data, "interceptVector").toArray();
                }
                default -> {
                    // stages the model does not use (the logistic regression's Normalizer)
                }
            }
        }
        if (maxN == null || numFeatures == null || labels == null || weights == null) {
            throw new IllegalStateException("not a language-ID pipeline: " + uids);
        }
        return fromParts(labels, weights, intercepts, numFeatures, maxN, maxChars, scripts, temperature);
    }

    /** The model shipped inside the jar (data/models/langid when the jar was built). */
    public static final String BUILTIN = "builtin";
    private static final String BUNDLE = "lmforge/models/langid/";
    private static volatile String extracted;

    /**
     * The model directory for a config value: `builtin` is the model bundled in the jar, extracted
     * to the local temporary directory (so spark-submit in cluster mode needs no file beside the jar)
     * once per machine and model version, not once per JVM: every executor and stage run reuses it,
     * so nothing accumulates in /tmp. Anything else is a path (relative ones against the lmforge
     * checkout) or URI.
     */
    public static String resolve(String configured) throws IOException {
        if (!BUILTIN.equals(configured)) {
            return io.lmforge.core.config.HomePaths.resolve(configured);
        }
        if (extracted == null) {
            synchronized (LangIdModelStore.class) {
                if (extracted == null) {
                    extracted = extractBundled().toString();
                }
            }
        }
        return extracted;
    }

    private static java.nio.file.Path extractBundled() throws IOException {
        ClassLoader cl = LangIdModelStore.class.getClassLoader();
        String listing;
        try (var list = cl.getResourceAsStream(BUNDLE + "files.txt")) {
            if (list == null) {
                throw new ConfigError("ingest.langid.model=builtin: this build has no bundled model (data/models/langid was empty)");
            }
            listing = new String(list.readAllBytes(), StandardCharsets.UTF_8);
        }
        String info;
        try (var in = cl.getResourceAsStream(BUNDLE + "langid.json")) {
            info = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        java.nio.file.Path tmpRoot = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
        java.nio.file.Path target = tmpRoot.resolve("lmforge-langid-" + io.lmforge.core.ids.StableId.hash(listing + info).substring(0, 16));
        if (java.nio.file.Files.exists(target.resolve(".complete"))) {
            return target;
        }
        java.nio.file.Path partial = java.nio.file.Files.createTempDirectory(tmpRoot, target.getFileName() + ".partial");
        for (String f : listing.split("\n")) {
            if (f.isBlank()) {
                continue;
            }
            java.nio.file.Path file = partial.resolve(f.strip());
            java.nio.file.Files.createDirectories(file.getParent());
            try (var in = cl.getResourceAsStream(BUNDLE + f.strip())) {
                java.nio.file.Files.copy(in, file);
            }
        }
        java.nio.file.Files.writeString(partial.resolve(".complete"), "");
        try {
            java.nio.file.Files.move(partial, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException other) {
            // another JVM extracted the same version first: use its copy, drop ours
            try (var left = java.nio.file.Files.walk(partial)) {
                left.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
            }
        }
        return target;
    }

    /** Writes files.txt, the listing that lets the model be bundled in the jar and extracted again. */
    static void writeListing(FileSystem fs, Path dir) throws IOException {
        StringBuilder sb = new StringBuilder();
        var it = fs.listFiles(dir, true);
        String base = dir.toUri().getPath();
        java.util.List<String> files = new java.util.ArrayList<>();
        while (it.hasNext()) {
            String p = it.next().getPath().toUri().getPath().substring(base.length() + 1);
            String name = p.substring(p.lastIndexOf('/') + 1);
            if (!name.endsWith(".crc") && !name.equals("files.txt")) {
                files.add(p);
            }
        }
        java.util.Collections.sort(files);
        files.forEach(f -> sb.append(f).append('\n'));
        try (FSDataOutputStream out = fs.create(new Path(dir, "files.txt"), true)) {
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Detector names ingest.langid.detector accepts: one detector, or our model voting with others. */
    public static final List<String> DETECTORS = List.of("lmforge", "opennlp", "lingua",
            "lmforge+opennlp", "lmforge+lingua", "lmforge+opennlp+lingua");

    /** Off-the-shelf detectors langid-train can calibrate (langid.train.calibrate), by calibration name. */
    public static final List<String> CALIBRATABLE = List.of("opennlp", "lingua-low", "lingua-high");

    /** An off-the-shelf detector by calibration name (opennlp, lingua-low, lingua-high). */
    public static LanguageDetector offTheShelf(String calibrationName, int maxChars) {
        return switch (calibrationName) {
            case "opennlp" -> new OpenNlpLanguageDetector(maxChars);
            case "lingua-low", "lingua-high" -> new LinguaLanguageDetector(calibrationName.substring("lingua-".length()), maxChars);
            default -> throw new ConfigError("config key 'langid.train.calibrate': unknown detector '" + calibrationName
                    + "', expected some of " + CALIBRATABLE);
        };
    }

    /**
     * The detector ingest uses (built on the driver, then broadcast): lmforge, opennlp, lingua or our
     * model voting with them ({@link CombinedLanguageDetector}), each with the score calibration
     * stored with the model (langid.json "calibration", key lmforge / opennlp / lingua-low /
     * lingua-high). A single detector without a stored calibration (models trained before it) uses
     * raw scores; a vote needs every member calibrated, since raw scores of different detectors
     * are not comparable.
     */
    @SuppressWarnings("unchecked")
    public static CombinedLanguageDetector detector(SparkSession spark, String name, String modelPath, int maxChars, String linguaAccuracy) {
        if (!DETECTORS.contains(name)) {
            throw new ConfigError("config key 'ingest.langid.detector' must be one of " + DETECTORS + ", got '" + name + "'");
        }
        Map<String, Object> calibration;
        try {
            Path dir = new Path(resolve(modelPath));
            FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
            calibration = fs.exists(new Path(dir, "langid.json"))
                    ? (Map<String, Object>) readInfo(fs, dir).getOrDefault("calibration", Map.of()) : Map.of();
        } catch (IOException e) {
            throw new ConfigError("ingest.langid.model: cannot read " + modelPath + ": " + e.getMessage());
        }
        String[] parts = name.split("\\+");
        List<CombinedLanguageDetector.Member> members = new java.util.ArrayList<>();
        for (String part : parts) {
            String key = part.equals("lingua") ? "lingua-" + linguaAccuracy : part;
            LanguageDetector d = switch (part) {
                case "lmforge" -> load(spark, modelPath);
                case "lingua" -> new LinguaLanguageDetector(linguaAccuracy, maxChars);
                default -> offTheShelf(part, maxChars);
            };
            Map<String, Object> cal = (Map<String, Object>) calibration.get(key);
            if (cal == null && parts.length > 1) {
                throw new ConfigError("ingest.langid.detector=" + name + ": the model at " + modelPath + " has no score calibration for '"
                        + key + "' (it has " + calibration.keySet() + "); retrain it with bin/pipeline langid-train and "
                        + "langid.train.calibrate including \"" + key + "\"");
            }
            members.add(new CombinedLanguageDetector.Member(key, d, cal == null ? null : ScoreCalibration.fromMap(cal)));
        }
        return new CombinedLanguageDetector(members);
    }

    /**
     * Models this JVM has loaded, by directory and the sizes and times of its files: the pipeline daemon
     * reads one once, not per ingest. A model retrained in place has other files and is read again.
     */
    private static final Map<String, LinearLanguageModel> LOADED = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_LOADED = 4;

    /**
     * Loads a model directory on the driver (its files through the session's Hadoop configuration); dir as in the config.
     * The instance is shared by every caller in this JVM that loads the same files: read it, do not change it.
     */
    public static LinearLanguageModel load(SparkSession spark, String configured) {
        try {
            String dir = resolve(configured);
            Path p = new Path(dir);
            FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(new Path(p, "langid.json"))) {
                throw new ConfigError("ingest.langid.model: no language-ID model at " + dir + " (train one with bin/pipeline langid-train)");
            }
            String key = filesOf(fs, p);
            LinearLanguageModel loaded = LOADED.get(key);
            if (loaded == null) {
                loaded = read(fs, p);
                if (LOADED.size() >= MAX_LOADED) {
                    LOADED.clear();
                }
                LOADED.put(key, loaded);
            }
            return loaded;
        } catch (IOException e) {
            throw new ConfigError("ingest.langid.model: cannot read " + configured + ": " + e.getMessage());
        }
    }

    /** The directory and every file under it with its length and modification time, in path order. */
    private static String filesOf(FileSystem fs, Path dir) throws IOException {
        java.util.TreeMap<String, String> files = new java.util.TreeMap<>();
        var it = fs.listFiles(dir, true);
        while (it.hasNext()) {
            var f = it.next();
            files.put(f.getPath().toString(), f.getLen() + "@" + f.getModificationTime());
        }
        return dir + " " + files;
    }

    @SuppressWarnings("unchecked")
    private static LinearLanguageModel read(FileSystem fs, Path p) throws IOException {
        Map<String, Object> info = readInfo(fs, p);
        Map<String, List<Integer>> scripts = (Map<String, List<Integer>>) info.get("labels_of_script");
        Map<String, int[]> s = new LinkedHashMap<>();
        scripts.forEach((k, v) -> s.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
        double temperature = ((Number) info.get("temperature")).doubleValue();
        try {
            return fromPipelineFiles(fs, new Path(p, "pipeline"), fs.getConf(), s, temperature);
        } catch (IllegalStateException other) {
            // a layout the file reader does not know (written by another Spark version): MLlib's loaders know them all
            System.err.println("language-ID model " + p + ": reading it through MLlib (" + other.getMessage() + ")");
            return fromPipeline(PipelineModel.load(new Path(p, "pipeline").toString()), s, temperature);
        }
    }
}
