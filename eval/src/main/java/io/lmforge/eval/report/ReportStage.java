package io.lmforge.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmforge.core.config.ConfigError;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.DatasetSchemas;
import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.dataset.HadoopFiles;
import io.lmforge.core.dataset.Lineage;
import io.lmforge.core.dataset.Manifests;
import io.lmforge.core.stage.Computed;
import io.lmforge.core.stage.DatasetStage;
import io.lmforge.core.stage.StageContext;
import io.lmforge.core.stage.StagePlan;
import io.lmforge.core.stage.StageRun;
import io.lmforge.core.stage.StageSpec;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * `report`: the run's evaluations so far as report.md + report.html with PNG plots: the anytime
 * table and curves (bits per byte and accuracy against tokens seen, ALMA's cumulative error), bits
 * per byte by language and accuracy by task and language for the latest chunk, and the training
 * loss. Needs no --chunk: it covers every committed eval chunk of train.run.
 */
public final class ReportStage extends DatasetStage<ReportStage.Plan> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final StageSpec SPEC = StageSpec.of("report",
                    "Markdown/HTML report with PNG plots of a run's evaluations over chunks (anytime curve) and its training loss")
            .reads("eval/<train.run>/chunk=*/results.json, eval/<train.run>/anytime/chunk=*, models/<train.run>/metrics/chunk=*,",
                    "pbt/<train.run>/lineage/chunk=* (train.mode = pbt)")
            .writes("report.out (default <root>/report/<run>/): report.md, report.html, anytime_bpb.png, anytime_accuracy.png,",
                    "bpb_by_language.png, accuracy_<task>.png, training_loss.png")
            .config("report", "train.run")
            .notes("report.out must be new, empty, or an earlier report's directory: anything else is refused (exit 2).\n"
                    + "report.compare = [RUN, ...] (or --compare RUN, repeatable) adds a section putting those runs beside this one.")
            .build();

    /** The run's committed eval chunks in arrival order, and its committed metrics chunks. */
    record Plan(String run, List<String> evalChunks, List<Path> metrics, List<Path> lineage, Map<String, List<String>> compared) {
    }

    @Override
    public StageSpec spec() {
        return SPEC;
    }

    @Override
    public List<String> scope(StageContext ctx) {
        return List.of(DatasetLayout.checkName(ctx.config().getString("train.run"), "train.run"));
    }

    /**
     * Nothing to report yet when no eval is committed and the chunk this run is for (the Airflow DAG names one)
     * kept no document before any tokenizer existed: eval passed over it.
     */
    @Override
    public String passOver(StageContext ctx, FileSystem fs) throws java.io.IOException {
        String run = DatasetLayout.checkName(ctx.config().getString("train.run"), "train.run");
        if (ctx.chunk() == null || !committedChunks(fs, ctx.layout().evalRun(run)).isEmpty()) {
            return null;
        }
        return io.lmforge.core.dataset.ChunksBeforeTokenizer.reason(fs, ctx.layout(), ctx.chunk());
    }

    @Override
    public StagePlan<Plan> plan(StageContext ctx) throws Exception {
        DatasetLayout layout = ctx.layout();
        FileSystem fs = layout.fs(ctx.spark().sparkContext().hadoopConfiguration());
        String run = DatasetLayout.checkName(ctx.config().getString("train.run"), "train.run");
        List<String> chunks = committedChunks(fs, layout.evalRun(run));
        if (chunks.isEmpty()) {
            throw new ConfigError("report: no committed eval for run '" + run + "' under " + layout.evalRun(run) + " (run eval --chunk ID first)");
        }
        StagePlan<Plan> plan = new StagePlan<>(fs);
        for (String c : chunks) {
            plan.input("eval " + c, layout.eval(run, c), "eval --chunk " + c);
            Map<String, Path> corpus = Map.of("docs", layout.docs(c), "dedup/docs", layout.dedupDocs(c), "mix", layout.mix(c));
            for (Map.Entry<String, Path> e : new TreeMap<>(corpus).entrySet()) { // the corpus section, where the chunk was curated here
                if (Manifests.read(fs, e.getValue()) != null) {
                    plan.input(e.getKey() + " " + c, e.getValue(), "");
                }
            }
        }
        List<Path> metrics = committedChunkDirs(fs, layout.metricsRoot(run));
        for (Path m : metrics) {
            plan.input("metrics " + m.getName(), m, "train");
        }
        List<Path> lineage = committedChunkDirs(fs, layout.pbtLineageRoot(run));
        for (Path l : lineage) {
            plan.input("pbt lineage " + l.getName(), l, "train (train.mode = pbt)");
        }
        String outConf = ctx.config().getString("report.out");
        Path out = outConf.isBlank() ? layout.report(run) : new Path(outConf);
        Map<String, List<String>> compared = new LinkedHashMap<>();
        for (String other : ctx.config().getStringList("report.compare")) { // runs to put beside this one
            DatasetLayout.checkName(other, "report.compare");
            List<String> theirs = committedChunks(fs, layout.evalRun(other));
            if (theirs.isEmpty()) {
                throw new ConfigError("report.compare: run '" + other + "' has no committed eval under " + layout.evalRun(other));
            }
            for (String c : theirs) {
                plan.input("eval " + other + " " + c, layout.eval(other, c), "eval --chunk " + c + " --set train.run=" + other);
            }
            compared.put(other, theirs);
        }
        return plan.payload(new Plan(run, chunks, metrics, lineage, compared)).output("report", out);
    }

    @Override
    public Computed compute(StageRun<Plan> stageRun) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Plan p = stageRun.payload();
        DatasetLayout layout = stageRun.layout();
        SparkSession spark = stageRun.spark();
        FileSystem fs = stageRun.fs();
        AnytimeTable table = anytimeTable(spark, layout, p.run(), p.evalChunks());
        AnytimeTable.Point last = table.points().get(table.points().size() - 1);
        JsonNode latest = JSON.readTree(HadoopFiles.readString(fs, new Path(layout.eval(p.run(), last.chunk()), "results.json")));

        java.nio.file.Path local = Files.createTempDirectory("lmforge-report");
        try {
            ReportDocument doc = new ReportDocument("lmforge report: run " + p.run());
            doc.paragraph(String.format(Locale.ROOT, "%d chunks evaluated (%s); latest: chunk %s, model of chunk %s, %,d tokens seen, %s parameters.",
                    table.points().size(), String.join(", ", p.evalChunks()), last.chunk(), last.modelChunk(), last.tokensSeen(),
                    latest.path("config").path("parameters").asText("?")));
            Path samples = new Path(layout.eval(p.run(), last.chunk()), "samples.jsonl");
            Map<String, Double> chance = fs.exists(samples) ? ChanceLevels.fromSamples(HadoopFiles.readString(fs, samples)) : Map.of();
            anytime(doc, table, chance, local);
            bpbByLanguage(doc, latest, local);
            LanguageOverChunksSection.write(doc, table, local);
            CorpusSection.write(doc, fs, layout, p.evalChunks(), local);
            if (!p.compared().isEmpty()) {
                Map<String, AnytimeTable> runs = new LinkedHashMap<>();
                runs.put(p.run(), table);
                for (Map.Entry<String, List<String>> e : p.compared().entrySet()) {
                    runs.put(e.getKey(), anytimeTable(spark, layout, e.getKey(), e.getValue()));
                }
                ComparisonSection.write(doc, runs, local);
            }
            accuracyByTask(doc, latest, chance, local);
            if (!p.metrics().isEmpty()) {
                TrainingLossSection.write(doc, chunkRows(spark, p.metrics(), DatasetSchemas.TRAIN_METRICS), heldoutLoss(fs, layout, p.run(), table), local);
            }
            if (!p.lineage().isEmpty()) {
                PopulationSection.write(doc, chunkRows(spark, p.lineage(), DatasetSchemas.PBT_LINEAGE), local);
            }
            Files.writeString(local.resolve("report.md"), doc.markdown(), StandardCharsets.UTF_8);
            Files.writeString(local.resolve("report.html"), doc.html(), StandardCharsets.UTF_8);
            Path staged = stageRun.staged("report");
            FileSystem outFs = staged.getFileSystem(spark.sparkContext().hadoopConfiguration());
            outFs.mkdirs(staged);
            int files = 0;
            try (var list = Files.list(local)) {
                for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) list::iterator) {
                    outFs.copyFromLocalFile(true, true, new Path(f.toUri()), new Path(staged, f.getFileName().toString()));
                    files++;
                }
            }
            Path out = stageRun.output("report");
            stageRun.afterCommit(() -> stageRun.console().printf(Locale.ROOT, "report: %s%n", new Path(out, "report.html")));
            return new Computed(Map.of("chunks", table.points().size(), "files", files), Lineage.NONE,
                    String.format(Locale.ROOT, "%d chunks, %d files -> %s", table.points().size(), files, out));
        } finally {
            try (var left = Files.walk(local)) {
                left.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete()); // our own temporary directory
            }
        }
    }

    private static List<String> committedChunks(FileSystem fs, Path evalRun) throws java.io.IOException {
        List<Object[]> found = new ArrayList<>();
        if (fs.exists(evalRun)) {
            for (FileStatus st : fs.listStatus(evalRun)) {
                String name = st.getPath().getName();
                var m = name.startsWith("chunk=") ? Manifests.read(fs, st.getPath()) : null;
                if (m != null) {
                    found.add(new Object[]{m.lineageOrNone().requireSeq("eval " + name), name.substring("chunk=".length())});
                }
            }
        }
        found.sort((a, b) -> a[0].equals(b[0]) ? ((String) a[1]).compareTo((String) b[1]) : Long.compare((Long) a[0], (Long) b[0]));
        List<String> out = new ArrayList<>();
        found.forEach(f -> out.add((String) f[1]));
        return out;
    }

    private static void anytime(ReportDocument doc, AnytimeTable table, Map<String, Double> chance, java.nio.file.Path dir) throws java.io.IOException {
        doc.heading("Anytime curve");
        List<String> keys = new ArrayList<>(table.accuracyKeys());
        List<String> header = new ArrayList<>(List.of("chunk", "model of chunk", "tokens seen", "mean bits/byte"));
        keys.forEach(k -> header.add(label(k) + " acc"));
        List<List<String>> rows = new ArrayList<>();
        double[][] bpbCurve = new double[2][table.points().size()];
        for (int i = 0; i < table.points().size(); i++) {
            AnytimeTable.Point p = table.points().get(i);
            List<String> r = new ArrayList<>(List.of(p.chunk(), p.modelChunk(), String.format(Locale.ROOT, "%,d", p.tokensSeen()), fmt(p.meanBpb())));
            for (String k : keys) {
                Double a = p.acc().get(k);
                r.add(a == null ? "" : fmt(a));
            }
            bpbCurve[0][i] = p.tokensSeen();
            bpbCurve[1][i] = p.meanBpb();
            rows.add(r);
        }
        List<String> cer = new ArrayList<>(List.of("cumulative error", "", "", fmt(table.cumulativeBpb())));
        keys.forEach(k -> cer.add(fmt(table.cumulativeError(k))));
        rows.add(cer);
        doc.table(header, rows);
        doc.paragraph("Cumulative error (ALMA): the sum over evaluated chunks of mean bits per byte, and of 1 - accuracy per task "
                + "(mean over languages weighted by examples); lower is better and rewards a model that is good early.");
        if (!Double.isNaN(table.points().get(0).meanBpb())) {
            Map<String, double[][]> series = new LinkedHashMap<>();
            series.put("model (mean over languages)", bpbCurve);
            AnytimeTable.Point last = table.points().get(table.points().size() - 1);
            double first = bpbCurve[0][0];
            double end = Math.max(bpbCurve[0][bpbCurve[0].length - 1], first + 1);
            if (!Double.isNaN(last.meanUniformBpb())) { // reference lines: where guessing and token frequencies alone stand
                series.put("-- uniform over the vocabulary", new double[][]{{first, end}, {last.meanUniformBpb(), last.meanUniformBpb()}});
                series.put("-- unigram (training token frequencies)", new double[][]{{first, end}, {last.meanUnigramBpb(), last.meanUnigramBpb()}});
            }
            Charts.lines(dir.resolve("anytime_bpb.png"), "Mean bits per byte (held-out) vs tokens seen", "tokens seen", "bits/byte", series, 0.0);
            doc.image("anytime_bpb.png", "bits per byte over chunks");
            if (!Double.isNaN(last.meanUniformBpb())) {
                doc.paragraph(String.format(Locale.ROOT, "Reference lines on the same held-out documents: uniform guessing over the vocabulary "
                        + "%.3f bits/byte, a unigram model of the training tokens %.3f; the model: %.3f at the start (%s), %.3f now (%s).",
                        last.meanUniformBpb(), last.meanUnigramBpb(), table.points().get(0).meanBpb(), table.points().get(0).chunk(),
                        last.meanBpb(), last.chunk()));
            }
        }
        if (!keys.isEmpty()) {
            Charts.lines(dir.resolve("anytime_accuracy.png"), "Few-shot accuracy vs tokens seen (± standard error)", "tokens seen", "accuracy",
                    accuracyCurves(table, keys, chance), 0.0, 1.0);
            doc.image("anytime_accuracy.png", "accuracy over chunks");
        }
    }

    /** One series per task and k with its standard error as bars, and a dashed chance line per task. */
    static Map<String, double[][]> accuracyCurves(AnytimeTable table, List<String> keys, Map<String, Double> chance) {
        Map<String, double[][]> out = new LinkedHashMap<>();
        double first = table.points().get(0).tokensSeen();
        double end = Math.max(table.points().get(table.points().size() - 1).tokensSeen(), first + 1);
        for (String k : keys) {
            List<AnytimeTable.Point> with = table.points().stream().filter(p -> p.acc().containsKey(k)).toList();
            out.put(label(k), new double[][]{with.stream().mapToDouble(AnytimeTable.Point::tokensSeen).toArray(),
                    with.stream().mapToDouble(p -> p.acc().get(k)).toArray(),
                    with.stream().mapToDouble(p -> Double.isNaN(p.accStderr(k)) ? 0 : p.accStderr(k)).toArray()});
        }
        keys.stream().map(k -> k.split("\\|")[0]).distinct().filter(chance::containsKey).forEach(t ->
                out.put("-- chance: " + t, new double[][]{{first, end}, {chance.get(t), chance.get(t)}}));
        return out;
    }

    private static void bpbByLanguage(ReportDocument doc, JsonNode latest, java.nio.file.Path dir) throws java.io.IOException {
        JsonNode bpb = latest.path("bits_per_byte");
        if (bpb.isEmpty()) {
            return;
        }
        doc.heading("Bits per byte by language (latest chunk)");
        Map<String, Double> values = new LinkedHashMap<>();
        List<List<String>> rows = new ArrayList<>();
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        bpb.fields().forEachRemaining(entries::add);
        entries.sort(java.util.Comparator.comparingDouble(e -> e.getValue().path("bits_per_byte").asDouble()));
        for (Map.Entry<String, JsonNode> e : entries) {
            JsonNode v = e.getValue();
            values.put(e.getKey(), v.path("bits_per_byte").asDouble());
            rows.add(List.of(e.getKey(), fmt(v.path("bits_per_byte").asDouble()), fmt(v.path("token_perplexity").asDouble()),
                    String.format(Locale.ROOT, "%,d", v.path("tokens").asLong()), String.format(Locale.ROOT, "%,d", v.path("docs").asLong())));
        }
        Charts.bars(dir.resolve("bpb_by_language.png"), "Bits per byte by language", "bits/byte", Map.of("bits/byte", values),
                Math.max(720, 14 * values.size()));
        doc.image("bpb_by_language.png", "bits per byte by language");
        doc.table(List.of("lang", "bits/byte", "token perplexity", "tokens", "docs"), rows);
    }

    private static void accuracyByTask(ReportDocument doc, JsonNode latest, Map<String, Double> chance, java.nio.file.Path dir)
            throws java.io.IOException {
        Map<String, Map<String, Map<String, Double>>> byTask = new TreeMap<>(); // task -> "k-shot" -> lang -> acc
        Map<String, List<List<String>>> rowsByTask = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = latest.path("results").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String[] key = e.getKey().split("\\|"); // task_lang|k-shot
            String taskLang = key[0];
            String task = taskLang.substring(0, taskLang.lastIndexOf('_'));
            String lang = taskLang.substring(taskLang.lastIndexOf('_') + 1);
            JsonNode m = e.getValue();
            if (!m.path("acc,none").isNull()) { // null: every item skipped (overlong), nothing to plot
                byTask.computeIfAbsent(task, t -> new TreeMap<>()).computeIfAbsent(key[1], k -> new LinkedHashMap<>()).put(lang, m.path("acc,none").asDouble());
            }
            rowsByTask.computeIfAbsent(task, t -> new ArrayList<>()).add(List.of(lang, key[1], fmt(m.path("acc,none")),
                    fmt(m.path("acc_stderr,none")), fmt(m.path("acc_norm,none")), fmt(m.path("acc_bytes,none")), m.path("sample_len").asText(),
                    m.path("skipped_overlong").asInt(0) + "", m.path("seeds").size() + ""));
        }
        if (byTask.isEmpty()) {
            return;
        }
        doc.heading("Few-shot accuracy by task and language (latest chunk)");
        doc.paragraph("Chance (guessing among each example's candidates): " + chance.entrySet().stream()
                .map(e -> e.getKey() + " " + fmt(e.getValue())).collect(java.util.stream.Collectors.joining(", "))
                + ". acc: summed log-likelihood; acc_norm: per character; "
                + "acc_bytes: per UTF-8 byte, as lm-evaluation-harness defines them; stderr over examples, averaged over seeds.");
        for (Map.Entry<String, Map<String, Map<String, Double>>> t : byTask.entrySet()) {
            Charts.bars(dir.resolve("accuracy_" + t.getKey() + ".png"), t.getKey() + ": accuracy by language", "acc", t.getValue(), 720);
            doc.image("accuracy_" + t.getKey() + ".png", t.getKey() + " accuracy");
            doc.table(List.of("lang", "k", "acc", "stderr", "acc_norm", "acc_bytes", "n", "skipped (overlong)", "seeds"), rowsByTask.get(t.getKey()));
        }
    }

    /** The chunk=ID directories under {@code root} whose commit marker (manifest) is there. */
    private static List<Path> committedChunkDirs(FileSystem fs, Path root) throws java.io.IOException {
        List<Path> out = new ArrayList<>();
        if (fs.exists(root)) {
            for (FileStatus st : fs.listStatus(root)) {
                if (st.getPath().getName().startsWith("chunk=") && Manifests.read(fs, st.getPath()) != null) {
                    out.add(st.getPath());
                }
            }
        }
        return out;
    }

    /** The rows of committed chunk=ID/ directories (the plan checked their commit markers), each with its chunk. */
    private static Dataset<Row> chunkRows(SparkSession spark, List<Path> dirs, org.apache.spark.sql.types.StructType schema) {
        Dataset<Row> all = null;
        for (Path dir : dirs) {
            Dataset<Row> d = Datasets.readChunkRows(spark, dir, dir.getName().substring("chunk=".length()), schema);
            all = all == null ? d : all.unionByName(d);
        }
        return all;
    }

    /** A run's anytime rows over its committed eval chunks. */
    private static AnytimeTable anytimeTable(SparkSession spark, DatasetLayout layout, String run, List<String> chunks) {
        List<Row> rows = new ArrayList<>();
        for (String c : chunks) {
            rows.addAll(Datasets.readChunkRows(spark, layout.anytime(run, c), c, DatasetSchemas.ANYTIME).collectAsList());
        }
        return AnytimeTable.of(rows);
    }

    /** Held-out loss per token (nats) at each evaluated chunk's tokens seen: Σ tokens · ln(token perplexity) / Σ tokens over languages. */
    private static double[][] heldoutLoss(FileSystem fs, DatasetLayout layout, String run, AnytimeTable table) throws java.io.IOException {
        List<double[]> points = new ArrayList<>();
        for (AnytimeTable.Point pt : table.points()) {
            JsonNode bpb = JSON.readTree(HadoopFiles.readString(fs, new Path(layout.eval(run, pt.chunk()), "results.json"))).path("bits_per_byte");
            double nats = 0;
            double tokens = 0;
            for (JsonNode lang : bpb) {
                nats += lang.path("tokens").asDouble() * Math.log(lang.path("token_perplexity").asDouble());
                tokens += lang.path("tokens").asDouble();
            }
            if (tokens > 0) {
                points.add(new double[]{pt.tokensSeen(), nats / tokens});
            }
        }
        return new double[][]{points.stream().mapToDouble(q -> q[0]).toArray(), points.stream().mapToDouble(q -> q[1]).toArray()};
    }

    static String label(String key) {
        String[] k = key.split("\\|");
        return k[0] + " " + k[1] + "-shot";
    }

    /** A metric of results.json: empty when absent or null (every item skipped). */
    private static String fmt(JsonNode v) {
        return v.isMissingNode() || v.isNull() ? "" : fmt(v.asDouble());
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.3f", v);
    }
}
