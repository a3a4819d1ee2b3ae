package io.lmforge.ingest.normalize;

import io.lmforge.core.ml.StepTransformer;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Step: Unicode normalisation + control/whitespace clean-up ({@link TextNormalization}). */
public final class TextNormalizer extends StepTransformer {
    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final Param<String> form;

    public TextNormalizer() {
        this(newUid("textNormalizer"));
    }

    public TextNormalizer(String uid) {
        super(uid);
        inputCol = new Param<>(this, "inputCol", "raw text column");
        outputCol = new Param<>(this, "outputCol", "normalised text column");
        form = new Param<>(this, "form", "NFC or NFKC");
        setDefault(inputCol, "orig_text");
        setDefault(outputCol, "text");
        setDefault(form, "NFC");
    }

    public Param<String> inputCol() { return inputCol; }
    public Param<String> outputCol() { return outputCol; }
    public Param<String> form() { return form; }

    public TextNormalizer setForm(String value) {
        TextNormalization.form(value); // validate early
        set(form, value);
        return this;
    }

    public TextNormalizer setInputCol(String value) {
        set(inputCol, value);
        return this;
    }

    public TextNormalizer setOutputCol(String value) {
        set(outputCol, value);
        return this;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> ds) {
        TextNormalization.Form f = TextNormalization.form($(form));
        UDF1<String, String> fn = t -> TextNormalization.normalize(t, f);
        UserDefinedFunction udf = functions.udf(fn, DataTypes.StringType);
        return ds.withColumn($(outputCol), udf.apply(ds.col($(inputCol))));
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return schema.add($(outputCol), DataTypes.StringType, true);
    }

    public static MLReader<TextNormalizer> read() {
        return new DefaultParamsReader<>();
    }
}
