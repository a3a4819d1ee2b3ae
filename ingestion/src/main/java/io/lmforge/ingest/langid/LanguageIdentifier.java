package io.lmforge.ingest.langid;

import io.lmforge.core.config.ConfigError;
import io.lmforge.core.ml.StepTransformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Step: adds `lang` (ISO 639-1 where it exists, else 639-3) and `lang_score` in [0, 1]. */
public final class LanguageIdentifier extends StepTransformer {
    static final StructType RESULT = new StructType().add("lang", DataTypes.StringType).add("lang_score", DataTypes.DoubleType)
            .add("lang_script", DataTypes.StringType).add("lang_known_script", DataTypes.BooleanType);
    private final Param<String> inputCol;
    private final Param<String> detector;
    private final IntParam maxChars;
    private final Param<String> modelPath;
    private final Param<String> linguaAccuracy;

    public LanguageIdentifier() {
        this(newUid("languageIdentifier"));
    }

    public LanguageIdentifier(String uid) {
        super(uid);
        inputCol = new Param<>(this, "inputCol", "text column");
        detector = new Param<>(this, "detector", "detector: one of LangIdModelStore.DETECTORS");
        maxChars = new IntParam(this, "maxChars", "characters of each text given to the detector");
        modelPath = new Param<>(this, "modelPath", "lmforge model directory (langid-train output)");
        linguaAccuracy = new Param<>(this, "linguaAccuracy", "Lingua's mode when the detector includes lingua: low or high");
        setDefault(inputCol, "text");
        setDefault(detector, "lmforge");
        setDefault(modelPath, LangIdModelStore.BUILTIN);
        setDefault(maxChars, 2000);
        setDefault(linguaAccuracy, "low");
    }

    public Param<String> inputCol() { return inputCol; }
    public Param<String> detector() { return detector; }
    public IntParam maxChars() { return maxChars; }
    public Param<String> modelPath() { return modelPath; }
    public Param<String> linguaAccuracy() { return linguaAccuracy; }

    public LanguageIdentifier setLinguaAccuracy(String v) {
        set(linguaAccuracy, v);
        return this;
    }

    public LanguageIdentifier setModelPath(String v) {
        set(modelPath, v);
        return this;
    }

    public LanguageIdentifier setDetector(String v) {
        set(detector, v);
        return this;
    }

    public LanguageIdentifier setMaxChars(int v) {
        set(maxChars, v);
        return this;
    }

    /** OpenNLP's detector with its raw scores (benchmarks and tests; ingest uses {@link LangIdModelStore#detector}). */
    public static LanguageDetector create(String name, int maxChars) {
        if ("opennlp".equals(name)) {
            return new OpenNlpLanguageDetector(maxChars);
        }
        throw new ConfigError("no stand-alone detector '" + name + "' (the lmforge model is loaded by LangIdModelStore)");
    }

    @Override
    public Dataset<Row> transform(Dataset<?> ds) {
        // built once on the driver (model weights are MB-sized; calibration tables come with the model) and broadcast
        org.apache.spark.broadcast.Broadcast<CombinedLanguageDetector> shared = org.apache.spark.api.java.JavaSparkContext
                .fromSparkContext(ds.sparkSession().sparkContext())
                .broadcast(LangIdModelStore.detector(ds.sparkSession(), $(detector), $(modelPath), (Integer) $(maxChars), $(linguaAccuracy)));
        UDF1<String, Row> fn = text -> {
            if (text == null) {
                return null;
            }
            LanguageDetector.Detection r = shared.value().detect(text);
            return RowFactory.create(r.lang(), r.score(), r.script(), r.knownScript());
        };
        // Non-deterministic so Spark evaluates the UDF once per row: otherwise the optimizer inlines
        // it into every field extracted from the struct below (one detector call per field).
        String tmp = "_" + uid();
        return ds.withColumn(tmp, functions.udf(fn, RESULT).asNondeterministic().apply(ds.col($(inputCol))))
                .withColumn("lang", functions.col(tmp + ".lang"))
                .withColumn("lang_score", functions.col(tmp + ".lang_score"))
                .withColumn("lang_script", functions.col(tmp + ".lang_script"))
                .withColumn("lang_known_script", functions.col(tmp + ".lang_known_script"))
                .drop(tmp);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return schema.add("lang", DataTypes.StringType, true).add("lang_score", DataTypes.DoubleType, true)
                .add("lang_script", DataTypes.StringType, true).add("lang_known_script", DataTypes.BooleanType, true);
    }

    public static MLReader<LanguageIdentifier> read() {
        return new DefaultParamsReader<>();
    }
}
