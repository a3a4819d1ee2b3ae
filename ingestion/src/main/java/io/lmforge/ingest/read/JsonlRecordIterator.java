package io.lmforge.ingest.read;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.List;
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
        try (com.fasterxml.jackson.core.JsonParser p = JSON.getFactory().createParser(s)) {
            node = JSON.readTree(p);
            if (node != null && p.nextToken() != null) { // readTree alone would keep the first value and drop the rest
                return RawRecord.error(file, line.offset(), "malformed_json", "more than one JSON value on the line (JSON Lines holds "
                        + "one object per line); the line is rejected whole, nothing of it kept", line.bytes());
            }
        } catch (JsonProcessingException e) {
            return RawRecord.error(file, line.offset(), "malformed_json", oneLine(e.getOriginalMessage()), line.bytes());
        } catch (IOException e) {
            return RawRecord.error(file, line.offset(), "malformed_json", oneLine(e.getMessage()), line.bytes());
        }
        if (node == null || !node.isObject()) {
            return RawRecord.error(file, line.offset(), "malformed_json", "line is JSON but not an object", line.bytes());
        }
        JsonNode text = node.get(opts.textField());
        if (text == null) {
            return RawRecord.error(file, line.offset(), "missing_text_field",
                    "no field '" + opts.textField() + "' (ingest.input.text-field)", line.bytes());
        }
        if (!text.isTextual()) {
            return RawRecord.error(file, line.offset(), "missing_text_field",
                    "field '" + opts.textField() + "' is " + text.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + ", not a string", line.bytes());
        }
        String lone = loneSurrogate(node);
        if (lone != null) { // an escaped lone surrogate (backslash-u-d800) decodes to half a character, which UTF-8 output would turn into '?'
            return RawRecord.error(file, line.offset(), "invalid_unicode", lone, line.bytes());
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

    /** Where a string of the object (a field name or value, at any depth) holds an unpaired surrogate; null when none does. */
    static String loneSurrogate(JsonNode node) {
        if (node.isTextual()) {
            int at = unpaired(node.asText());
            return at < 0 ? null : String.format("unpaired surrogate \\u%04x at character %d of a string", (int) node.asText().charAt(at), at);
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            int at = unpaired(f.getKey());
            String inner = at >= 0 ? "unpaired surrogate in field name" : loneSurrogate(f.getValue());
            if (inner != null) {
                return inner + " (field '" + f.getKey() + "')";
            }
        }
        for (JsonNode e : node.isArray() ? node : List.<JsonNode>of()) {
            String inner = loneSurrogate(e);
            if (inner != null) {
                return inner;
            }
        }
        return null;
    }

    private static int unpaired(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        String t = s.replaceAll("\\s+", " ").trim();
        return t.length() > 300 ? t.substring(0, 300) + "…" : t;
    }
}
