package io.lmforge.ingest.read;

import io.lmforge.core.ids.StableId;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;

import java.util.Map;
import java.util.TreeMap;

/**
 * One record as read from an input file, before any processing. Either {@code text} is set (a
 * decodable document) or {@code error} names why the record cannot become one (then
 * {@code rawBytes} holds what was read, so nothing is lost).
 */
public final class RawRecord {
    public static final StructType SCHEMA = new StructType()
            .add("doc_id", DataTypes.StringType, false)
            .add("source", DataTypes.StringType, false)
            .add("offset", DataTypes.LongType, false)
            .add("url", DataTypes.StringType, true)
            .add("orig_text", DataTypes.StringType, true)
            .add("raw_bytes", DataTypes.BinaryType, true)
            .add("metadata", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), true)
            .add("read_error", DataTypes.StringType, true)
            .add("detail", DataTypes.StringType, true);

    final InputFile file;
    final long offset;
    String url;
    String text;
    byte[] rawBytes;
    Map<String, String> metadata = new TreeMap<>();
    String error;
    String detail;

    RawRecord(InputFile file, long offset) {
        this.file = file;
        this.offset = offset;
    }

    static RawRecord text(InputFile file, long offset, String text) {
        RawRecord r = new RawRecord(file, offset);
        r.text = text;
        return r;
    }

    /** This record at another offset (its doc_id follows the offset). */
    RawRecord atOffset(long newOffset) {
        RawRecord r = new RawRecord(file, newOffset);
        r.url = url;
        r.text = text;
        r.rawBytes = rawBytes;
        r.metadata = metadata;
        r.error = error;
        r.detail = detail;
        return r;
    }

    static RawRecord error(InputFile file, long offset, String reason, String detail, byte[] raw) {
        RawRecord r = new RawRecord(file, offset);
        r.error = reason;
        r.detail = detail;
        r.rawBytes = raw;
        return r;
    }

    public String text() {
        return text;
    }

    public String error() {
        return error;
    }

    public String detail() {
        return detail;
    }

    public long offset() {
        return offset;
    }

    public String url() {
        return url;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public byte[] rawBytes() {
        return rawBytes;
    }

    public Row toRow(String chunk) {
        return RowFactory.create(StableId.docId(chunk + "/" + file.key(), offset), file.path(), offset, url, text, rawBytes,
                JavaConverters.mapAsScalaMap(metadata).toMap(scala.Predef$.MODULE$.$conforms()), error, detail);
    }
}
