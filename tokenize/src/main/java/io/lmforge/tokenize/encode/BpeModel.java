package io.lmforge.tokenize.encode;

import io.lmforge.tokenize.bpe.BpeEncoder;
import io.lmforge.tokenize.bpe.BpeTokenizer;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.Iterator;

import static org.apache.spark.sql.functions.col;

/**
 * The frozen tokenizer as a Spark ML Transformer: (id, lang, text) rows become
 * doc_id, lang, n_bytes, n_tokens, tokens array&lt;int&gt;. The tokenizer is broadcast once;
 * each partition gets its own encoder (and piece cache). Document text is encoded as plain
 * text: a literal "&lt;|endoftext|&gt;" inside a document is not turned into the separator.
 */
public final class BpeModel extends Model<BpeModel> {
    private final String uid;
    private final BpeTokenizer tokenizer;
    private final Param<String> idCol;
    private final Param<String> langCol;
    private final Param<String> textCol;

    public BpeModel(BpeTokenizer tokenizer) {
        this(Identifiable$.MODULE$.randomUID("bpeModel"), tokenizer);
    }

    public BpeModel(String uid, BpeTokenizer tokenizer) {
        this.uid = uid;
        this.tokenizer = tokenizer;
        idCol = new Param<>(this, "idCol", "document id column");
        langCol = new Param<>(this, "langCol", "language column");
        textCol = new Param<>(this, "textCol", "text column");
        setDefault(idCol, "doc_id");
        setDefault(langCol, "lang");
        setDefault(textCol, "text");
    }

    public Param<String> idCol() { return idCol; }
    public Param<String> langCol() { return langCol; }
    public Param<String> textCol() { return textCol; }

    public BpeTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        Broadcast<BpeTokenizer> tok = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext()).broadcast(tokenizer);
        Dataset<Row> in = dataset.select(col(getOrDefault(idCol)).as("doc_id"), col(getOrDefault(langCol)).as("lang"),
                col(getOrDefault(textCol)).as("text"));
        MapPartitionsFunction<Row, TokenizedDoc> encode = rows -> {
            BpeEncoder enc = tok.value().newEncoder();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public TokenizedDoc next() {
                    Row r = rows.next();
                    String text = r.isNullAt(2) ? "" : r.getString(2);
                    return new TokenizedDoc(r.getString(0), r.getString(1), utf8Length(text), enc.encodeOrdinary(text));
                }
            };
        };
        return in.mapPartitions(encode, Encoders.bean(TokenizedDoc.class))
                .select(col("docId").as("doc_id"), col("lang"), col("nBytes").as("n_bytes"), col("nTokens").as("n_tokens"), col("tokens"));
    }

    /** UTF-8 length without allocating the bytes. */
    public static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        for (Param<String> p : java.util.List.of(idCol, langCol, textCol)) {
            String c = getOrDefault(p);
            if (!java.util.Arrays.asList(schema.fieldNames()).contains(c)) {
                throw new IllegalArgumentException("BpeModel: input has no column '" + c + "' (param " + p.name() + ")");
            }
        }
        return new StructType().add("doc_id", DataTypes.StringType).add("lang", DataTypes.StringType)
                .add("n_bytes", DataTypes.IntegerType, false).add("n_tokens", DataTypes.IntegerType, false)
                .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false));
    }

    @Override
    public BpeModel copy(ParamMap extra) {
        return copyValues(new BpeModel(uid, tokenizer), extra).setParent(parent());
    }
}
