package io.lmforge.ingest;

import com.typesafe.config.Config;
import io.lmforge.core.config.ConfigError;
import io.lmforge.core.config.PipelineConfig;
import io.lmforge.core.dataset.DatasetSchemas;
import io.lmforge.core.dataset.Lineage;
import io.lmforge.core.progress.ProgressReporter;
import io.lmforge.core.stage.Computed;
import io.lmforge.core.stage.DatasetStage;
import io.lmforge.core.stage.StageContext;
import io.lmforge.core.stage.StagePlan;
import io.lmforge.core.stage.StageRun;
import io.lmforge.core.stage.StageSpec;
import io.lmforge.ingest.quality.Signal;
import io.lmforge.ingest.read.InputFile;
import io.lmforge.ingest.read.InputFormat;
import io.lmforge.ingest.read.InputResolver;
import io.lmforge.ingest.read.ParquetShortReads;
import io.lmforge.ingest.read.RawInput;
import io.lmforge.ingest.read.RawRecord;
import io.lmforge.ingest.read.TaskReruns;
import io.lmforge.ingest.read.ReadOptions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * `ingest --chunk ID`: raw records of one arrival chunk -> docs/chunk=ID/lang=L/ (clean,
 * language-tagged, with quality signals) + rejected/chunk=ID/ (every record that did not make
 * it, with its reason). Records read = kept + rejected, checked against what was written.
 */
public final class IngestStage extends DatasetStage<IngestStage.Plan> {
    public static final String NAME = "ingest";
    private static final StageSpec SPEC = StageSpec.of(NAME,
                    "read raw records of a chunk, normalise, identify language, score and filter quality, redact PII")
            .perChunk()
            .reads("ingest.input.paths (files, directories, globs) in ingest.input.format; the language-ID model (ingest.langid.model)")
            .writes("docs/chunk=ID/lang=L/      kept documents (Parquet, zstd)",
                    "rejected/chunk=ID/         every rejected record with `reason` and `detail`",
                    "_MANIFEST.json in each     counts by outcome, reason and language; inputs (records per file); timings")
            .config("ingest.input.format", "ingest.input.text-field", "ingest.input.url-field", "ingest.input.max-record-bytes",
                    "ingest.input.paths", "ingest.normalize", "ingest.langid", "ingest.filters", "ingest.pii", "ingest.output")
            .runtime("ingest.input.repartition")
            .build();

    /** The resolved input files and the steps built from config. */
    record Plan(List<InputFile> files) {
    }

    @Override
    public boolean readsRoot() {
        return false; // the first stage of a root: it may not exist yet
    }

    /** Input globs that match nothing, unknown formats: reported before Spark starts. */
    @Override
    public void preflight(PipelineConfig config, io.lmforge.core.dataset.DatasetLayout layout, String chunk) throws Exception {
        InputResolver.resolve(config.getStringList("ingest.input.paths"), InputFormat.fromConfig(config.getString("ingest.input.format")),
                new Configuration());
    }

    @Override
    public org.apache.hadoop.fs.Path committedOutput(StageContext ctx, String chunk) {
        return ctx.layout().docs(chunk);
    }

    @Override
    public StageSpec spec() {
        return SPEC;
    }

    @Override
    public StagePlan<Plan> plan(StageContext ctx) throws Exception {
        String chunk = ctx.chunk();
        Configuration hconf = ctx.spark().sparkContext().hadoopConfiguration();
        List<InputFile> files = InputResolver.resolve(ctx.config().getStringList("ingest.input.paths"),
                InputFormat.fromConfig(ctx.config().getString("ingest.input.format")), hconf);
        StagePlan<Plan> plan = new StagePlan<Plan>(ctx.layout().fs(hconf)).payload(new Plan(files));
        for (InputFile f : files) {
            plan.inputFile(f.path(), f.format().name().toLowerCase(Locale.ROOT), f.size(), f.modified());
        }
        // retraining the language-ID model into the same directory must recompute: every detector's calibration lives in it
        plan.fact("langid_model", modelVersion(ctx.spark(), ctx.config()));
        return plan.output("docs", ctx.layout().docs(chunk)).output("rejected", ctx.layout().rejected(chunk));
    }

    @Override
    public Computed compute(StageRun<Plan> run) throws Exception {
        String chunk = run.chunk();
        SparkSession spark = run.spark();
        PipelineConfig c = run.config();
        List<InputFile> files = run.payload().files();
        ReadOptions readOptions = ReadOptions.from(c);
        IngestSteps steps = IngestSteps.from(c);
        Map<String, Double> minScores = minScores(c.getConfig("ingest.langid.min-score"));
        boolean filtersEnabled = c.getBoolean("ingest.filters.enabled");
        long inputBytes = files.stream().mapToLong(InputFile::size).sum();
        run.console().printf("ingest %s: %d input files (%s), %s%n", chunk, files.size(), formats(files), ProgressReporter.bytes(inputBytes));
        if (files.isEmpty()) {
            run.console().printf("ingest %s: note: ingest.input.paths holds no files (an empty directory): the chunk commits empty%n", chunk);
        }
        LongAccumulator records = spark.sparkContext().longAccumulator("ingest.records");
        LongAccumulator bytes = spark.sparkContext().longAccumulator("ingest.bytes");
        Path stagedDocs = run.staged("docs");
        Path stagedRejected = run.staged("rejected");
        long startNanos = System.nanoTime();
        Dataset<Row> processed = null;
        run.phase("read_and_process");
        try (TaskReruns reruns = TaskReruns.watch(spark.sparkContext()); ProgressReporter ignored = run.progress(() -> {
            double s = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
            return String.format(Locale.ROOT, "%,d records read (%,.0f/s) | %s of files done", records.value(),
                    records.value() / s, ProgressReporter.bytes(bytes.value()));
        })) {
            Dataset<Row> raw = RawInput.read(spark, files, readOptions, chunk, records, bytes);
            int repartition = c.getInt("ingest.input.repartition");
            if (repartition > 0) {
                raw = raw.repartition(repartition);
            }
            processed = process(raw, steps, minScores, filtersEnabled).persist(StorageLevel.MEMORY_AND_DISK());
            processed = withShortParquetReads(run, files, processed, readOptions, records, p -> process(p, steps, minScores, filtersEnabled));

            // one pass over the processed rows for every count the stage reports (by outcome and language, and per input file)
            List<Row> countRows = processed.groupBy(col("reject_reason"), col("lang"), col("source")).agg(functions.count(lit(1)).as("n"),
                    functions.sum("pii_emails").as("emails"), functions.sum("pii_ips").as("ips"),
                    functions.sum("pii_phones").as("phones")).collectAsList();
            Counts counts = Counts.of(countRows);

            run.phase("write");
            String codec = c.getEnum("ingest.output.compression");
            int filesPerLang = c.getInt("ingest.output.files-per-lang");
            Dataset<Row> docs = DatasetSchemas.conform(processed.filter(col("reject_reason").isNull()), DatasetSchemas.DOCS);
            io.lmforge.core.dataset.LangPartitionedWrite.write(docs, filesPerLang, codec, stagedDocs.toString());
            DatasetSchemas.conform(processed.filter(col("reject_reason").isNotNull()).select(rejectedColumns()), DatasetSchemas.REJECTED)
                    .coalesce(Math.max(1, Math.min(8, files.size())))
                    .sortWithinPartitions("doc_id").write().option("compression", codec).parquet(stagedRejected.toString());

            // The count invariant, checked against what is on disk, not against what we meant to write.
            long keptOnDisk = io.lmforge.core.dataset.Datasets.countRows(spark, stagedDocs); // 0 files when every record was rejected
            long rejectedOnDisk = io.lmforge.core.dataset.Datasets.countRows(spark, stagedRejected);
            if (keptOnDisk != counts.kept || rejectedOnDisk != counts.rejected || counts.kept + counts.rejected != counts.total) {
                throw new IllegalStateException(String.format(Locale.ROOT,
                        "count invariant violated for chunk %s: read %d, kept %d (on disk %d), rejected %d (on disk %d)",
                        chunk, counts.total, counts.kept, keptOnDisk, counts.rejected, rejectedOnDisk));
            }
            // The readers' own count (records each reader produced, Parquet footers' row counts) against the rows the
            // pipeline carried to disk: equal, unless a task ran twice, which can only make the readers' count larger.
            if (records.value() != counts.total) {
                if (records.value() < counts.total || reruns.count() == 0) {
                    throw new IllegalStateException(String.format(Locale.ROOT, "count invariant violated for chunk %s: the readers produced %d "
                            + "records, the pipeline wrote %d (kept %d + rejected %d)", chunk, records.value(), counts.total, counts.kept, counts.rejected));
                }
                run.console().printf("note: readers counted %d records, the pipeline wrote %d: %d task attempt(s) ran again, which count twice%n",
                        records.value(), counts.total, reruns.count());
            }
            recordsPerFile(files, countRows, run.inputs());
            IngestSummary.print(run.console(), chunk, counts, (System.nanoTime() - startNanos) / 1e9, inputBytes);
            return new Computed(counts.toMap(), Lineage.NONE, String.format(Locale.ROOT, "%,d records: %,d kept, %,d rejected -> %s",
                    counts.total, counts.kept, counts.rejected, run.layout().docs(chunk)));
        } finally {
            if (processed != null) {
                processed.unpersist();
            }
        }
    }

    /** The ingest steps plus the reject decision; one output row per input record, always. */
    static Dataset<Row> process(Dataset<Row> raw, IngestSteps steps, Map<String, Double> minScores, boolean filtersEnabled) {
        Dataset<Row> df = steps.normalizer().transform(raw);
        df = steps.languageIdentifier().transform(df);
        df = steps.signals().transform(df);
        df = steps.filter().transform(df);
        Column minScore = lit(minScores.getOrDefault("default", 0.0));
        for (Map.Entry<String, Double> e : minScores.entrySet()) {
            if (!e.getKey().equals("default")) {
                minScore = functions.when(col("lang").equalTo(e.getKey()), lit(e.getValue())).otherwise(minScore);
            }
        }
        Column reason = functions.coalesce(
                col("read_error"),
                functions.when(col("text").isNull().or(functions.length(functions.trim(col("text"))).equalTo(0)), lit("empty_text")),
                functions.when(col("lang_known_script").equalTo(false), lit("lang_unknown_script")),
                functions.when(col("lang_score").lt(minScore), lit("lang_low_confidence")),
                filtersEnabled ? col("quality_reason") : lit(null).cast("string"));
        df = df.withColumn("reject_reason", reason);
        if (steps.piiEnabled()) {
            df = steps.pii().transform(df);
        } else {
            df = df.withColumn("pii_emails", lit(0)).withColumn("pii_ips", lit(0)).withColumn("pii_phones", lit(0));
        }
        return df;
    }

    static Column[] rejectedColumns() {
        List<Column> cols = new ArrayList<>(List.of(col("doc_id"), col("source"), col("offset"), col("url"),
                col("reject_reason").as("reason"), col("detail"), col("orig_text").as("text"), col("raw_bytes"), col("lang"), col("lang_score"),
                col("lang_script")));
        for (Signal s : Signal.values()) {
            cols.add(col(s.column));
        }
        cols.add(col("metadata"));
        return cols.toArray(new Column[0]);
    }

    /**
     * The language-ID model's version, so retraining it into the same directory makes ingest
     * recompute (every detector depends on it: the score calibrations are stored with the model).
     */
    private static String modelVersion(SparkSession spark, PipelineConfig c) throws java.io.IOException {
        Path dir = new Path(io.lmforge.ingest.langid.LangIdModelStore.resolve(c.getString("ingest.langid.model")));
        FileSystem mfs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (!mfs.exists(new Path(dir, "langid.json"))) {
            throw new ConfigError("ingest.langid.model: no language-ID model at " + dir + " (train one with bin/pipeline langid-train)");
        }
        return io.lmforge.ingest.langid.LangIdModelStore.readInfo(mfs, dir).get("version") + ":";
    }

    private static Map<String, Double> minScores(Config minScore) {
        Map<String, Double> m = new TreeMap<>();
        for (String k : minScore.root().keySet()) {
            double v = minScore.getDouble(com.typesafe.config.ConfigUtil.quoteString(k));
            if (v < 0 || v > 1) {
                throw new ConfigError("config key 'ingest.langid.min-score." + k + "' must be between 0 and 1, got " + v);
            }
            m.put(k, v);
        }
        if (!m.containsKey("default")) {
            throw new ConfigError("config key 'ingest.langid.min-score.default' is required");
        }
        return m;
    }

    private static String formats(List<InputFile> files) {
        Map<String, Integer> n = new TreeMap<>();
        files.forEach(f -> n.merge(f.format().name().toLowerCase(Locale.ROOT), 1, Integer::sum));
        return n.toString().replaceAll("[{}]", "");
    }

    /**
     * Parquet files Spark stopped reading at an undecodable data page: one more quarantine record each, and the
     * readers' count corrected from what the footer declared to what was read (+ that record). Unchanged when none.
     */
    private static Dataset<Row> withShortParquetReads(StageRun<?> run, List<InputFile> files, Dataset<Row> processed, ReadOptions opts,
                                                      LongAccumulator records, java.util.function.UnaryOperator<Dataset<Row>> process) {
        if (files.stream().noneMatch(f -> f.format() == InputFormat.PARQUET)) {
            return processed;
        }
        Map<String, Long> read = new TreeMap<>();
        for (Row r : processed.groupBy("source").count().collectAsList()) {
            read.merge(new Path(r.getString(0)).toUri().getPath(), r.getLong(1), Long::sum);
        }
        List<ParquetShortReads.ShortRead> cut = ParquetShortReads.find(files, read, opts.textField(),
                run.spark().sparkContext().hadoopConfiguration());
        if (cut.isEmpty()) {
            return processed;
        }
        List<Row> rows = new ArrayList<>();
        for (ParquetShortReads.ShortRead c : cut) {
            rows.add(c.record().toRow(run.chunk()));
            records.add(1 - c.lost());
            run.console().printf("ingest %s: WARNING %s: %s%n", run.chunk(), c.file().path(), c.record().detail());
        }
        return processed.unionByName(process.apply(run.spark().createDataFrame(rows, RawRecord.SCHEMA)));
    }

    /** The manifest's input entries get each file's record count (what the readers produced from it), from the count rows. */
    private static void recordsPerFile(List<InputFile> files, List<Row> countRows, List<Map<String, Object>> inputs) {
        Map<String, Long> perFile = new TreeMap<>();
        for (Row r : countRows) {
            if (r.isNullAt(2)) {
                continue;
            }
            perFile.merge(new Path(r.getString(2)).toUri().getPath(), r.getLong(3), Long::sum);
        }
        for (int i = 0; i < files.size(); i++) {
            inputs.get(i).put("records", perFile.getOrDefault(new Path(files.get(i).path()).toUri().getPath(), 0L));
        }
    }

    /** Counts by outcome, reason and language from the processed rows. */
    static final class Counts {
        long total;
        long kept;
        long rejected;
        long emails;
        long ips;
        long phones;
        final Map<String, Long> byReason = new TreeMap<>();
        final Map<String, Map<String, Long>> byLang = new TreeMap<>();

        static Counts of(List<Row> rows) {
            Counts c = new Counts();
            for (Row r : rows) { // reject_reason, lang, source, n, emails, ips, phones
                String reason = r.getString(0);
                String lang = r.isNullAt(1) ? "und" : r.getString(1);
                long n = r.getLong(3);
                c.total += n;
                Map<String, Long> l = c.byLang.computeIfAbsent(lang, k -> new TreeMap<>());
                if (reason == null) {
                    c.kept += n;
                    l.merge("kept", n, Long::sum);
                    c.emails += r.isNullAt(4) ? 0 : r.getLong(4);
                    c.ips += r.isNullAt(5) ? 0 : r.getLong(5);
                    c.phones += r.isNullAt(6) ? 0 : r.getLong(6);
                } else {
                    c.rejected += n;
                    c.byReason.merge(reason, n, Long::sum);
                    l.merge(reason, n, Long::sum);
                }
            }
            return c;
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("records_in", total);
            m.put("kept", kept);
            m.put("rejected", rejected);
            m.put("by_reason", byReason);
            m.put("by_lang", byLang);
            m.put("pii_redacted", Map.of("emails", emails, "ip_addresses", ips, "phone_numbers", phones));
            return m;
        }
    }
}
