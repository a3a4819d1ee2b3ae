package io.lmforge.ingest.read;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads '\n'-terminated lines as raw bytes (decoding is the caller's job, so invalid UTF-8 can be
 * quarantined instead of silently replaced). A line longer than {@code maxBytes} keeps its first
 * maxBytes and reports its full length; the rest is skipped without being buffered, so one 50 MB
 * line costs at most maxBytes of memory.
 */
final class LineReader {
    record Line(long offset, byte[] bytes, long fullLength) {
        boolean truncated() {
            return fullLength > bytes.length;
        }
    }

    private final InputStream in;
    private final int maxBytes;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private long consumed; // bytes before buf[pos]
    private byte[] line = new byte[1024];

    LineReader(InputStream in, int maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /** Offset (in the decompressed stream) of the next unread byte. */
    long position() {
        return consumed;
    }

    /** Bytes of the line being read when an exception interrupted it (for the truncated_file record). */
    private int partialLength;

    byte[] partial() {
        return Arrays.copyOf(line, partialLength);
    }

    /** Next line without its '\n' (and without a trailing '\r'), or null at end of stream. */
    Line next() throws IOException {
        long start = consumed;
        int len = 0;
        long full = 0;
        partialLength = 0;
        while (true) {
            if (pos == limit) {
                int n = in.read(buf, 0, buf.length);
                if (n <= 0) {
                    if (full == 0) {
                        return null;
                    }
                    return finish(start, len, full);
                }
                pos = 0;
                limit = n;
            }
            int i = pos;
            while (i < limit && buf[i] != '\n') {
                i++;
            }
            int chunk = i - pos;
            int keep = (int) Math.max(0, Math.min(chunk, (long) maxBytes - len));
            if (keep > 0) {
                ensure(len + keep);
                System.arraycopy(buf, pos, line, len, keep);
                len += keep;
                partialLength = len;
            }
            full += chunk;
            consumed += chunk;
            if (i < limit) { // found '\n'
                pos = i + 1;
                consumed += 1;
                return finish(start, len, full);
            }
            pos = limit;
        }
    }

    private Line finish(long start, int len, long full) {
        if (len > 0 && line[len - 1] == '\r' && full == len) {
            len--;
            full--;
        }
        partialLength = 0;
        return new Line(start, Arrays.copyOf(line, len), full);
    }

    /** Only spaces, tabs and carriage returns: a separator line, not content. */
    static boolean isBlank(byte[] b) {
        for (byte x : b) {
            if (x != ' ' && x != '\t' && x != '\r') {
                return false;
            }
        }
        return true;
    }

    private void ensure(int n) {
        if (n > line.length) {
            line = Arrays.copyOf(line, Math.max(n, Math.min(line.length * 2, maxBytes)));
        }
    }
}
