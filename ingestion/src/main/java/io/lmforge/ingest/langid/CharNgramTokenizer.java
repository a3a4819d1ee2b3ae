package io.lmforge.ingest.langid;

import io.lmforge.core.ml.StepTransformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.List;

/** Step: text -> array of character n-grams ({@link CharNgrams}), the input of HashingTF in the language-ID pipeline. */
public final class CharNgramTokenizer extends StepTransformer {
    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final IntParam maxN;
    private final IntParam maxChars;

    public CharNgramTokenizer() {
        this(newUid("charNgrams"));
    }

    public CharNgramTokenizer(String uid) {
        super(uid);
        inputCol = new Param<>(this, "inputCol", "text column");
        outputCol = new Param<>(this, "outputCol", "n-gram array column");
        maxN = new IntParam(this, "maxN", "longest n-gram");
        maxChars = new IntParam(this, "maxChars", "letters of each text used");
        setDefault(inputCol, "text");
        setDefault(outputCol, "ngrams");
        setDefault(maxN, 4);
        setDefault(maxChars, 1000);
    }

    public Param<String> inputCol() { return inputCol; }
    public Param<String> outputCol() { return outputCol; }
    public IntParam maxN() { return maxN; }
    public IntParam maxChars() { return maxChars; }

    public CharNgramTokenizer setMaxN(int n) {
        set(maxN, n);
        return this;
    }

    public int getMaxN() {
        return (Integer) $(maxN);
    }

    public int getMaxChars() {
        return (Integer) $(maxChars);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> ds) {
        int n = getMaxN();
        int max = getMaxChars();
        UDF1<String, List<String>> fn = t -> CharNgrams.of(t, n, max);
        return ds.withColumn($(outputCol), functions.udf(fn, DataTypes.createArrayType(DataTypes.StringType)).apply(ds.col($(inputCol))));
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return schema.add($(outputCol), DataTypes.createArrayType(DataTypes.StringType), true);
    }

    public static MLReader<CharNgramTokenizer> read() {
        return new DefaultParamsReader<>();
    }
}
