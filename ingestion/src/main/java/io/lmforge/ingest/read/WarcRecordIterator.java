package io.lmforge.ingest.read;

import org.netpreserve.jwarc.HttpResponse;
import org.netpreserve.jwarc.MediaType;
import org.netpreserve.jwarc.WarcConversion;
import org.netpreserve.jwarc.WarcReader;
import org.netpreserve.jwarc.WarcRecord;
import org.netpreserve.jwarc.WarcResponse;
import org.netpreserve.jwarc.WarcTargetRecord;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Common Crawl WET (conversion records: extracted text) and WARC (response records: HTML turned
 * into text with {@link HtmlText}) through jwarc. warcinfo, request, metadata and revisit records
 * describe the crawl rather than hold documents and are not records of the corpus; they are
 * counted per file but not emitted.
 */
final class WarcRecordIterator extends RecordIterator {
    private final InputFile file;
    private final WarcReader reader;
    private final ReadOptions opts;
    private final boolean wet;
    private boolean finished;
    long skippedNonDocument;

    WarcRecordIterator(InputFile file, InputStream in, ReadOptions opts, boolean wet) throws IOException {
        this.file = file;
        this.reader = new WarcReader(in);
        this.opts = opts;
        this.wet = wet;
    }

    @Override
    protected RawRecord computeNext() {
        if (finished) {
            return null;
        }
        while (true) {
            long position = reader.position();
            WarcRecord rec;
            try {
                Optional<WarcRecord> o = reader.next();
                if (o.isEmpty()) {
                    return null;
                }
                rec = o.get();
                position = reader.position();
                RawRecord r = wet ? fromWet(rec, position) : fromWarc(rec, position);
                if (r != null) {
                    return r;
                }
                skippedNonDocument++;
            } catch (IOException | RuntimeException e) {
                finished = true;
                IOException io = e instanceof IOException ie ? ie : new IOException(e.getMessage(), e);
                return Truncation.record(file, position, produced, io, null);
            }
        }
    }

    private RawRecord fromWet(WarcRecord rec, long position) throws IOException {
        if (!(rec instanceof WarcConversion conv)) {
            return null;
        }
        byte[] body = readBody(conv.body().stream());
        RawRecord r;
        if (body == null) {
            r = RawRecord.error(file, position, "record_too_large", "WET record larger than ingest.input.max-record-bytes=" + opts.maxRecordBytes(), null);
        } else {
            String text = Utf8.decodeStrict(body);
            r = text == null
                    ? RawRecord.error(file, position, "invalid_utf8", "invalid UTF-8 at byte " + Utf8.firstInvalid(body) + " of the record", body)
                    : RawRecord.text(file, position, text);
        }
        describe(conv, r);
        return r;
    }

    private RawRecord fromWarc(WarcRecord rec, long position) throws IOException {
        if (!(rec instanceof WarcResponse resp)) {
            return null;
        }
        HttpResponse http;
        try {
            http = resp.http();
        } catch (IOException | RuntimeException e) {
            RawRecord r = RawRecord.error(file, position, "malformed_record", "unparseable HTTP response: " + e.getMessage(), null);
            describe(resp, r);
            return r;
        }
        MediaType type = http.contentType();
        String base = type == null ? "" : (type.type() + "/" + type.subtype()).toLowerCase();
        RawRecord r;
        if (!(base.equals("text/html") || base.equals("application/xhtml+xml") || base.equals("text/plain"))) {
            r = RawRecord.error(file, position, "non_text_content", "content type '" + (type == null ? "none" : type.raw()) + "'", null);
        } else {
            byte[] body = readBody(http.bodyDecoded().stream());
            if (body == null) {
                r = RawRecord.error(file, position, "record_too_large", "response larger than ingest.input.max-record-bytes=" + opts.maxRecordBytes(), null);
            } else {
                String charset = type.parameters().get("charset");
                String text = base.equals("text/plain") ? HtmlText.decodePlain(body, charset) : HtmlText.extract(body, charset, resp.target());
                r = text == null ? RawRecord.error(file, position, "invalid_utf8", "undecodable body (charset " + charset + ")", body)
                        : RawRecord.text(file, position, text);
            }
        }
        describe(resp, r);
        return r;
    }

    private void describe(WarcTargetRecord rec, RawRecord r) {
        r.url = rec.target();
        r.metadata.put("warc_record_id", String.valueOf(rec.id()));
        r.metadata.put("warc_date", String.valueOf(rec.date()));
        rec.headers().first("WARC-Identified-Content-Language").ifPresent(v -> r.metadata.put("warc_content_language", v));
    }

    /** The body, or null when it exceeds the record limit (the rest is skipped unread). */
    private byte[] readBody(InputStream in) throws IOException {
        byte[] data = in.readNBytes(opts.maxRecordBytes() + 1);
        return data.length > opts.maxRecordBytes() ? null : data;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
