package io.lmforge.ingest.quality;

import io.lmforge.core.ml.StepTransformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;

/** Step: adds one column per {@link Signal} (null for records without text). */
public final class QualitySignals extends StepTransformer {
    private final Param<String> inputCol;
    private final Param<String> langCol;
    private final BooleanParam stopWords;

    public QualitySignals() {
        this(newUid("qualitySignals"));
    }

    public QualitySignals(String uid) {
        super(uid);
        inputCol = new Param<>(this, "inputCol", "text column");
        langCol = new Param<>(this, "langCol", "language column (per-language stop words)");
        stopWords = new BooleanParam(this, "stopWords", "count stop words (Lucene lists)");
        setDefault(inputCol, "text");
        setDefault(langCol, "lang");
        setDefault(stopWords, true);
    }

    public Param<String> inputCol() { return inputCol; }
    public Param<String> langCol() { return langCol; }
    public BooleanParam stopWords() { return stopWords; }

    public QualitySignals setStopWords(boolean v) {
        set(stopWords, v);
        return this;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> ds) {
        boolean stop = (Boolean) $(stopWords);
        UDF2<String, String, Row> fn = new UDF2<>() {
            private transient QualitySignalCalculator calc;

            @Override
            public Row call(String text, String lang) {
                if (text == null) {
                    return null;
                }
                if (calc == null) {
                    calc = new QualitySignalCalculator(stop);
                }
                return RowFactory.create(calc.compute(text, lang));
            }
        };
        // Non-deterministic so Spark evaluates the UDF once per row: otherwise the optimizer inlines
        // it into every field extracted from the struct below (one detector call per field).
        String tmp = "_" + uid();
        Dataset<Row> withStruct = ds.withColumn(tmp, functions.udf(fn, Signal.struct()).asNondeterministic().apply(ds.col($(inputCol)), ds.col($(langCol))));
        List<Column> cols = new ArrayList<>();
        for (String c : ds.columns()) {
            cols.add(functions.col(c));
        }
        for (Signal s : Signal.values()) {
            cols.add(functions.col(tmp + "." + s.column).as(s.column));
        }
        return withStruct.select(cols.toArray(new Column[0]));
    }

    @Override
    public StructType transformSchema(StructType schema) {
        StructType out = schema;
        for (StructField f : Signal.struct().fields()) {
            out = out.add(f.name(), f.dataType(), true);
        }
        return out;
    }

    public static MLReader<QualitySignals> read() {
        return new DefaultParamsReader<>();
    }
}
