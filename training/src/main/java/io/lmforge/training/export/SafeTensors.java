package io.lmforge.training.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
 * (name -> dtype, shape, data_offsets; optional __metadata__ of strings), then the raw little-endian
 * tensor data. F32 only, which is all lmforge writes. Readable by the `safetensors` Python package,
 * numpy, and transformers.
 */
public final class SafeTensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Refuse headers larger than this before allocating them (a hostile or corrupt file). */
    private static final long MAX_HEADER = 100L << 20;

    /** A float tensor: its values in row-major order and its shape. */
    public record Tensor(float[] values, long[] shape) {
    }

    private SafeTensors() {
    }

    public static byte[] write(Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", metadata);
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            long bytes = 4L * e.getValue().values().length;
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("dtype", "F32");
            t.put("shape", e.getValue().shape());
            t.put("data_offsets", new long[]{offset, offset + bytes});
            header.put(e.getKey(), t);
            offset += bytes;
        }
        byte[] h = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int pad = (8 - h.length % 8) % 8;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length + pad).array());
        out.write(h);
        for (int i = 0; i < pad; i++) {
            out.write(' ');
        }
        for (Tensor t : tensors.values()) {
            ByteBuffer bb = ByteBuffer.allocate(t.values().length * 4).order(ByteOrder.LITTLE_ENDIAN);
            bb.asFloatBuffer().put(t.values());
            out.write(bb.array());
        }
        return out.toByteArray();
    }

    /** The tensors of a file written by {@link #write} (F32), in header order; metadata under the key "__metadata__" is skipped. */
    public static Map<String, Tensor> read(byte[] file) throws IOException {
        if (file.length < 8) {
            throw new IOException("not a safetensors file: " + file.length + " bytes");
        }
        long headerLen = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLen < 2 || headerLen > MAX_HEADER || 8 + headerLen > file.length) {
            throw new IOException("safetensors header of " + headerLen + " bytes does not fit a " + file.length + "-byte file");
        }
        JsonNode header = JSON.readTree(new String(file, 8, (int) headerLen, StandardCharsets.UTF_8));
        long dataStart = 8 + headerLen;
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode t = e.getValue();
            if (!"F32".equals(t.path("dtype").asText())) {
                throw new IOException("tensor " + e.getKey() + " is " + t.path("dtype").asText() + ", only F32 is read");
            }
            if (t.path("data_offsets").size() != 2) {
                throw new IOException("tensor " + e.getKey() + ": data_offsets must be [begin, end]");
            }
            long from = t.path("data_offsets").get(0).asLong();
            long to = t.path("data_offsets").get(1).asLong();
            long[] shape = new long[t.path("shape").size()];
            long n = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.path("shape").get(i).asLong();
                if (shape[i] < 0 || (shape[i] > 0 && n > Integer.MAX_VALUE / shape[i])) {
                    throw new IOException("tensor " + e.getKey() + ": shape " + t.path("shape") + " is negative or too large");
                }
                n *= shape[i];
            }
            if (from < 0 || to < from || dataStart + to > file.length || (to - from) != 4 * n) {
                throw new IOException("tensor " + e.getKey() + ": offsets [" + from + ", " + to + ") do not match its shape or the file");
            }
            float[] v = new float[(int) n];
            ByteBuffer.wrap(file, (int) (dataStart + from), (int) (to - from)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
            out.put(e.getKey(), new Tensor(v, shape));
        }
        return out;
    }

    /** The header's __metadata__ (string to string), empty when absent. */
    public static Map<String, String> metadata(byte[] file) throws IOException {
        long headerLen = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode m = JSON.readTree(new String(file, 8, (int) headerLen, StandardCharsets.UTF_8)).path("__metadata__");
        Map<String, String> out = new LinkedHashMap<>();
        m.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }
}
