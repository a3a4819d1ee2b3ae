package io.lmforge.ingest.quality;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmforge.core.ml.StepTransformer;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Step: adds `quality_reason`, the first failing rule of {@link QualityRules} for the row's
 * language thresholds, or null. Reads only signal columns, so it can be re-run over stored
 * docs/ and rejected/ rows with new thresholds (re-filtering without re-reading raw input).
 */
public final class QualityFilter extends StepTransformer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Param<String> thresholdsJson;
    private final Param<String> langCol;
    private final Param<String> outputCol;

    public QualityFilter() {
        this(newUid("qualityFilter"));
    }

    public QualityFilter(String uid) {
        super(uid);
        thresholdsJson = new Param<>(this, "thresholdsJson", "JSON {defaults: {...}, perLang: {lang: {...}}}");
        langCol = new Param<>(this, "langCol", "language column");
        outputCol = new Param<>(this, "outputCol", "reason column (null = keep)");
        setDefault(langCol, "lang");
        setDefault(outputCol, "quality_reason");
    }

    public Param<String> thresholdsJson() { return thresholdsJson; }
    public Param<String> langCol() { return langCol; }
    public Param<String> outputCol() { return outputCol; }


    public QualityFilter setThresholds(FilterThresholds t) {
        try {
            set(thresholdsJson, JSON.writeValueAsString(t.toJsonMap()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    FilterThresholds thresholds() {
        try {
            Map<String, Map<String, Object>> m = JSON.readValue($(thresholdsJson), new TypeReference<>() {
            });
            return FilterThresholds.fromJsonMap(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Dataset<Row> transform(Dataset<?> ds) {
        FilterThresholds t = thresholds();
        UDF2<Row, String, String> fn = (signals, lang) -> {
            if (signals == null) {
                return null;
            }
            Map<String, Double> th = t.forLang(lang);
            return QualityRules.firstFailure(s -> signals.get(s.ordinal()), th);
        };
        Column[] sigCols = new Column[Signal.values().length];
        for (Signal s : Signal.values()) {
            sigCols[s.ordinal()] = ds.col(s.column);
        }
        Column struct = functions.when(ds.col(Signal.N_CHARS.column).isNull(), functions.lit(null)).otherwise(functions.struct(sigCols));
        return ds.withColumn($(outputCol), functions.udf(fn, DataTypes.StringType).apply(struct, ds.col($(langCol))));
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return schema.add($(outputCol), DataTypes.StringType, true);
    }

    public static MLReader<QualityFilter> read() {
        return new DefaultParamsReader<>();
    }
}
