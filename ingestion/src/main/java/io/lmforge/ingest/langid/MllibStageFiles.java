package io.lmforge.ingest.langid;

import com.fasterxml.jackson.core.type.TypeReference;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.SparseMatrix;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What MLlib's writers saved for one stage of a PipelineModel, read straight from its files: the params
 * (metadata/part-00000, JSON) and the one row of its data (data/*.parquet), with Jackson and parquet-mr.
 * Why not MLlib's loaders: they read each file with a Spark job and collect the data row as one object
 * (the naive-Bayes weights, 95 x 65,536 doubles, serialised, sent and deserialised), which cost 2-4 CPU-s
 * of a one-document ingest's ~9 in its own JVM for a read of ~0.1 s (docs/performance.md). Matrices and
 * vectors are decoded from MLlib's storage layout (MatrixUDT/VectorUDT) into MLlib's own classes.
 */
final class MllibStageFiles {
    private final Path dir;
    private final Map<String, Object> params;

    /** One leaf column of the data row: its present values and each one's repetition level. */
    record Leaf(Object values, int[] repetition) {
        double[] doubles() {
            return (double[]) values;
        }

        int[] ints() {
            return (int[]) values;
        }
    }

    private MllibStageFiles(Path dir, Map<String, Object> params) {
        this.dir = dir;
        this.params = params;
    }

    /** The stage under {@code pipelineDir}/stages whose uid is {@code uid} ("&lt;index&gt;_&lt;uid&gt;"). */
    static MllibStageFiles of(FileSystem fs, Path pipelineDir, int index, String uid) throws IOException {
        Path dir = new Path(new Path(pipelineDir, "stages"), index + "_" + uid);
        return new MllibStageFiles(dir, metadata(fs, dir));
    }

    /** A stage's (or the pipeline's) metadata: class, uid, paramMap, defaultParamMap. */
    static Map<String, Object> metadata(FileSystem fs, Path dir) throws IOException {
        try (FSDataInputStream in = fs.open(new Path(new Path(dir, "metadata"), "part-00000"))) {
            String first = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().findFirst().orElse("{}");
            return LangIdModelStore.JSON.readValue(first, new TypeReference<LinkedHashMap<String, Object>>() {
            });
        }
    }

    String className() {
        return String.valueOf(params.get("class"));
    }

    /** A param as the stage would see it: its set value, else its saved default. */
    Object param(String name) {
        Object set = map("paramMap").get(name);
        Object value = set != null ? set : map("defaultParamMap").get(name);
        if (value == null) {
            throw new IllegalStateException(dir + ": no param " + name);
        }
        return value;
    }

    int intParam(String name) {
        return ((Number) param(name)).intValue();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> map(String key) {
        Object m = params.get(key);
        return m instanceof Map ? (Map<String, Object>) m : Map.of();
    }

    /** The leaf columns of the stage's data row by dotted path (e.g. theta.values.list.element). */
    Map<String, Leaf> data(FileSystem fs, Configuration conf) throws IOException {
        List<Path> parts = new ArrayList<>();
        for (FileStatus f : fs.listStatus(new Path(dir, "data"))) {
            if (f.getPath().getName().endsWith(".parquet")) {
                parts.add(f.getPath());
            }
        }
        Map<String, Leaf> leaves = new HashMap<>();
        for (Path part : parts) {
            try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(part, conf))) {
                if (reader.getRecordCount() == 0) {
                    continue;
                }
                if (reader.getRecordCount() != 1 || !leaves.isEmpty() || reader.getRowGroups().size() != 1) {
                    throw new IllegalStateException(dir + "/data: expected one row, as MLlib writes it");
                }
                MessageType schema = reader.getFooter().getFileMetaData().getSchema();
                PageReadStore rows = reader.readNextRowGroup();
                ColumnReadStoreImpl store = new ColumnReadStoreImpl(rows, new GroupRecordConverter(schema).getRootConverter(), schema,
                        reader.getFooter().getFileMetaData().getCreatedBy());
                for (ColumnDescriptor c : schema.getColumns()) {
                    leaves.put(String.join(".", c.getPath()), read(store.getColumnReader(c), c));
                }
            }
        }
        if (leaves.isEmpty()) {
            throw new IllegalStateException(dir + "/data: no row");
        }
        return leaves;
    }

    private static Leaf read(ColumnReader r, ColumnDescriptor c) {
        int n = Math.toIntExact(r.getTotalValueCount());
        int[] rep = new int[n];
        Object values = switch (c.getPrimitiveType().getPrimitiveTypeName()) {
            case DOUBLE -> new double[n];
            case INT32 -> new int[n];
            case BOOLEAN -> new boolean[n];
            case BINARY -> new String[n];
            default -> throw new IllegalStateException("unexpected column type " + c);
        };
        int present = 0;
        for (int i = 0; i < n; i++) {
            if (r.getCurrentDefinitionLevel() == c.getMaxDefinitionLevel()) { // null or empty list otherwise
                rep[present] = r.getCurrentRepetitionLevel();
                if (values instanceof double[] d) {
                    d[present] = r.getDouble();
                } else if (values instanceof int[] v) {
                    v[present] = r.getInteger();
                } else if (values instanceof boolean[] b) {
                    b[present] = r.getBoolean();
                } else {
                    ((String[]) values)[present] = r.getBinary().toStringUsingUTF8();
                }
                present++;
            }
            r.consume();
        }
        return new Leaf(truncate(values, present), present == n ? rep : Arrays.copyOf(rep, present));
    }

    private static Object truncate(Object values, int n) {
        if (n == java.lang.reflect.Array.getLength(values)) {
            return values; // no nulls: no copy of the weights
        }
        if (values instanceof double[] d) {
            return Arrays.copyOf(d, n);
        } else if (values instanceof int[] v) {
            return Arrays.copyOf(v, n);
        } else if (values instanceof boolean[] b) {
            return Arrays.copyOf(b, n);
        }
        return Arrays.copyOf((String[]) values, n);
    }

    /** A matrix column in MLlib's layout (MatrixUDT: type 0 sparse CSC, 1 dense column-major; isTransposed). */
    static Matrix matrix(Map<String, Leaf> data, String col) {
        int type = scalarInt(data, col + ".type");
        int rows = scalarInt(data, col + ".numRows");
        int cols = scalarInt(data, col + ".numCols");
        boolean transposed = ((boolean[]) leaf(data, col + ".isTransposed").values())[0];
        double[] values = list(data, col + ".values").doubles();
        return type == 1 ? new DenseMatrix(rows, cols, values, transposed)
                : new SparseMatrix(rows, cols, list(data, col + ".colPtrs").ints(), list(data, col + ".rowIndices").ints(), values, transposed);
    }

    /** A vector column in MLlib's layout (VectorUDT: type 0 sparse, 1 dense). */
    static Vector vector(Map<String, Leaf> data, String col) {
        double[] values = list(data, col + ".values").doubles();
        return scalarInt(data, col + ".type") == 1 ? new DenseVector(values)
                : new SparseVector(scalarInt(data, col + ".size"), list(data, col + ".indices").ints(), values);
    }

    /** The first element of a column of arrays of arrays of strings (StringIndexerModel's labelsArray). */
    static String[] firstOfNestedStrings(Map<String, Leaf> data, String col) {
        Leaf l = leaf(data, col + ".list.element.list.element");
        String[] all = (String[]) l.values();
        int end = 1;
        while (end < all.length && l.repetition()[end] == 2) { // 2: the next element of the same inner array
            end++;
        }
        return all.length == 0 ? all : Arrays.copyOf(all, end);
    }

    private static Leaf list(Map<String, Leaf> data, String col) {
        return leaf(data, col + ".list.element");
    }

    private static int scalarInt(Map<String, Leaf> data, String col) {
        int[] v = leaf(data, col).ints();
        if (v.length != 1) {
            throw new IllegalStateException("MLlib model data: " + col + " is not set");
        }
        return v[0];
    }

    private static Leaf leaf(Map<String, Leaf> data, String col) {
        Leaf l = data.get(col);
        if (l == null) {
            throw new IllegalStateException("MLlib model data: no column " + col + " (has " + new java.util.TreeSet<>(data.keySet()) + ")");
        }
        return l;
    }
}
