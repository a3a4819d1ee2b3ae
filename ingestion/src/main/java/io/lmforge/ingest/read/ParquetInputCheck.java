package io.lmforge.ingest.read;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * A Parquet input file's footer and schema, read on the driver before Spark reads the data: a file that
 * is not Parquet (or is cut before its footer) becomes one {@code unreadable_file} row, a file whose text
 * column is missing or not a string one {@code missing_text_field} row, each with the reason; the chunk
 * goes on with the other files.
 */
final class ParquetInputCheck {
    private ParquetInputCheck() {
    }

    /** What the footer says: the quarantine record (null when the file can be read) and the rows it holds. */
    record Result(RawRecord quarantined, long rows) {
    }

    static Result inspect(InputFile f, String textField, Configuration conf) {
        long rows;
        try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(new Path(f.path()), conf))) {
            rows = r.getRecordCount();
        } catch (Exception e) {
            rows = 0;
        }
        RawRecord bad = check(f, textField, conf);
        return new Result(bad, bad == null ? rows : 0);
    }

    /** Null when the file can be read; else its quarantine record. */
    static RawRecord check(InputFile f, String textField, Configuration conf) {
        MessageType schema;
        try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(new Path(f.path()), conf))) {
            schema = r.getFooter().getFileMetaData().getSchema();
        } catch (Exception e) {
            return RawRecord.error(f, 0, "unreadable_file", "not a readable Parquet file: " + JsonlRecordIterator.oneLine(
                    e.getClass().getSimpleName() + ": " + e.getMessage()), null);
        }
        if (!schema.containsField(textField)) {
            return RawRecord.error(f, 0, "missing_text_field", "no column '" + textField + "' in this file (ingest.input.text-field; columns: "
                    + String.join(", ", schema.getFields().stream().map(Type::getName).toList()) + ")", null);
        }
        Type t = schema.getType(textField);
        boolean string = t.isPrimitive() && t.asPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.BINARY
                && t.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation;
        if (!string) {
            return RawRecord.error(f, 0, "missing_text_field", "column '" + textField + "' is " + t + " in this file, not a string", null);
        }
        return null;
    }
}
