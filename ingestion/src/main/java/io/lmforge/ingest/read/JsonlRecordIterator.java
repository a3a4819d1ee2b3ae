package io.lmforge.ingest.read;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;

/** JSON Lines: one JSON object per line; the text field becomes the document, other fields metadata. */
final class JsonlRecordIterator extends LineRecordIterator {
    private static final ObjectMapper JSON = new ObjectMapper();

    JsonlRecordIterator(InputFile file, InputStream in, ReadOptions opts) {
        super(file, in, opts);
    }

    @Override
    protected RawRecord computeNext() {
        if (finished) {
            return null;
        }
        while (true) {
            LineReader.Line line;
            try {
                line = lines.next();
            } catch (IOException e) {
                finished = true;
                return Truncation.record(file, lines.position(), produced, e, lines.partial());
            }
            if (line == null) {
                return null;
            }
            if (LineReader.isBlank(line.bytes()) && !line.truncated()) {
                continue; // blank lines separate nothing in JSONL: not records
            }
            return parse(line);
        }
    }

    private RawRecord parse(LineReader.Line line) {
        if (line.truncated()) {
            return RawRecord.error(file, line.offset(), "record_too_large",
                    "record of " + line.fullLength() + " bytes exceeds ingest.input.max-record-bytes=" + opts.maxRecordBytes()
                            + "; first " + line.bytes().length + " bytes kept", line.bytes());
        }
        String s = Utf8.decodeStrict(line.bytes());
        if (s == null) {
            return RawRecord.error(file, line.offset(), "invalid_utf8",
                    "invalid UTF-8 at byte " + Utf8.firstInvalid(line.bytes()) + " of the line", line.bytes());
        }
        JsonNode node;
        try {
            node = JSON.readTree(s);
        } catch (JsonProcessingException e) {
            return RawRecord.error(file, line.offset(), "malformed_json", oneLine(e.getOriginalMessage()), line.bytes());
        }
        if (node == null || !node.isObject()) {
            return RawRecord.error(file, line.offset(), "malformed_json", "line is JSON but not an object", line.bytes());
        }
        JsonNode text = node.get(opts.textField());
        if (text == null || text.isNull()) {
            return RawRecord.error(file, line.offset(), "missing_text_field",
                    "no field '" + opts.textField() + "' (ingest.input.text-field)", line.bytes());
        }
        if (!text.isTextual()) {
            return RawRecord.error(file, line.offset(), "missing_text_field",
                    "field '" + opts.textField() + "' is " + text.getNodeType().name().toLowerCase() + ", not a string", line.bytes());
        }
        RawRecord r = RawRecord.text(file, line.offset(), text.asText());
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getKey().equals(opts.textField())) {
                continue;
            }
            JsonNode v = f.getValue();
            String value = v.isTextual() ? v.asText() : v.toString();
            if (f.getKey().equals(opts.urlField()) && v.isTextual()) {
                r.url = value;
            } else {
                r.metadata.put(f.getKey(), value);
            }
        }
        return r;
    }

    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        String t = s.replaceAll("\\s+", " ").trim();
        return t.length() > 300 ? t.substring(0, 300) + "…" : t;
    }
}
