package io.lmforge.ingest.read;

import io.lmforge.core.config.ConfigError;
import io.lmforge.core.ids.StableId;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * All input files of a chunk as one DataFrame of {@link RawRecord#SCHEMA}. Streamed formats
 * (JSONL, text, WET, WARC) are read by our readers, one task per file; Parquet goes through
 * Spark's Parquet source, with `_metadata.row_index` as the stable record offset.
 */
public final class RawInput {
    private RawInput() {
    }

    public static Dataset<Row> read(SparkSession spark, List<InputFile> files, ReadOptions opts, String chunk,
                                    LongAccumulator records, LongAccumulator bytes) {
        List<InputFile> streamed = new ArrayList<>();
        List<InputFile> parquet = new ArrayList<>();
        for (InputFile f : files) {
            (f.format() == InputFormat.PARQUET ? parquet : streamed).add(f);
        }
        Dataset<Row> out = null;
        if (!streamed.isEmpty()) {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Broadcast<SerializableConfiguration> conf = jsc.broadcast(new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
            JavaRDD<Row> rows = jsc.parallelize(streamed, streamed.size()).flatMap(f -> {
                Iterator<RawRecord> it = RecordReaders.open(f, opts, conf.value().value());
                return new Iterator<Row>() {
                    private boolean counted;

                    @Override
                    public boolean hasNext() {
                        boolean more = it.hasNext();
                        if (!more && !counted) {
                            counted = true;
                            bytes.add(f.size());
                        }
                        return more;
                    }

                    @Override
                    public Row next() {
                        records.add(1);
                        return it.next().toRow(chunk);
                    }
                };
            });
            out = spark.createDataFrame(rows, RawRecord.SCHEMA);
        }
        if (!parquet.isEmpty()) {
            // a file that is not readable Parquet, or whose text column is not a string, is one quarantine row;
            // the others are read (Spark would otherwise fail the whole chunk on the first bad footer)
            List<InputFile> readable = new ArrayList<>();
            List<Row> quarantined = new ArrayList<>();
            for (InputFile f : parquet) {
                ParquetInputCheck.Result r = ParquetInputCheck.inspect(f, opts.textField(), spark.sparkContext().hadoopConfiguration());
                if (r.quarantined() == null) {
                    readable.add(f);
                    records.add(r.rows()); // the footers' row counts: the readers' count, independent of what the pipeline does with the rows
                } else {
                    quarantined.add(r.quarantined().toRow(chunk));
                    records.add(1);
                }
            }
            if (readable.isEmpty() && quarantined.stream().allMatch(r -> "missing_text_field".equals(r.getString(7)))) {
                throw new ConfigError("ingest.input.text-field '" + opts.textField() + "' is not a string column of any Parquet input file: "
                        + quarantined.get(0).getString(8));
            }
            Dataset<Row> p = readable.isEmpty() ? null : readParquet(spark, readable, opts, chunk);
            if (!quarantined.isEmpty()) {
                Dataset<Row> q = spark.createDataFrame(quarantined, RawRecord.SCHEMA);
                p = p == null ? q : p.unionByName(q);
            }
            out = out == null ? p : out.unionByName(p);
        }
        return out != null ? out : spark.createDataFrame(List.of(), RawRecord.SCHEMA); // no input files: an empty chunk
    }

    private static Dataset<Row> readParquet(SparkSession spark, List<InputFile> files, ReadOptions opts, String chunk) {
        Map<String, String> keys = new HashMap<>();
        String[] paths = new String[files.size()];
        for (int i = 0; i < files.size(); i++) {
            keys.put(new Path(files.get(i).path()).toUri().getPath(), files.get(i).key());
            paths[i] = files.get(i).path();
        }
        // a data page that cannot be decoded (or whose CRC, when the writer stored one, does not match: damage that would
        // otherwise decode into wrong text) ends its file instead of failing the chunk; ParquetShortReads counts what it cut
        Dataset<Row> df = spark.read().option("mergeSchema", "true").option("ignoreCorruptFiles", "true")
                .option("parquet.page.verify-checksum.enabled", "true").parquet(paths);
        String textField = opts.textField();
        if (!List.of(df.columns()).contains(textField)) {
            throw new ConfigError("ingest.input.text-field '" + textField + "' is not a column of the Parquet input (columns: "
                    + String.join(", ", df.columns()) + ")");
        }
        if (!(df.schema().apply(textField).dataType() instanceof org.apache.spark.sql.types.StringType)) {
            throw new ConfigError("ingest.input.text-field '" + textField + "' is " + df.schema().apply(textField).dataType().simpleString()
                    + " in the Parquet input, not a string");
        }
        UDF2<String, Long, String> id = (path, row) -> StableId.docId(chunk + "/" + keys.getOrDefault(new Path(path).toUri().getPath(),
                new Path(path).getName()), row);
        List<Column> meta = new ArrayList<>();
        for (StructField f : df.schema().fields()) {
            if (f.name().equals(textField) || f.name().equals(opts.urlField())) {
                continue;
            }
            meta.add(functions.lit(f.name()));
            meta.add(f.dataType() instanceof org.apache.spark.sql.types.StringType ? functions.col(f.name())
                    : f.dataType() instanceof org.apache.spark.sql.types.AtomicType ? functions.col(f.name()).cast(DataTypes.StringType)
                    : functions.to_json(functions.col(f.name())));
        }
        Column metadata = meta.isEmpty() ? functions.map().cast(DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType))
                : functions.map(meta.toArray(new Column[0]));
        Column url = List.of(df.columns()).contains(opts.urlField()) ? functions.col(opts.urlField()).cast(DataTypes.StringType)
                : functions.lit(null).cast(DataTypes.StringType);
        Column text = functions.col(textField);
        return df.select(
                functions.udf(id, DataTypes.StringType).apply(functions.col("_metadata.file_path"), functions.col("_metadata.row_index")).as("doc_id"),
                functions.col("_metadata.file_path").as("source"),
                functions.col("_metadata.row_index").as("offset"),
                url.as("url"),
                text.as("orig_text"),
                functions.lit(null).cast(DataTypes.BinaryType).as("raw_bytes"),
                metadata.as("metadata"),
                functions.when(text.isNull(), functions.lit("missing_text_field")).as("read_error"),
                functions.when(text.isNull(), functions.lit("field '" + textField + "' is null")).as("detail"));
    }
}
