package io.lmforge.ingest.read;

import com.github.luben.zstd.ZstdInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/** Transparent decompression by file suffix (.gz, .zst); WARC files are left to jwarc, which sniffs gzip itself. */
final class Compression {
    private Compression() {
    }

    static String stripSuffix(String lowerName) {
        for (String s : new String[]{".gz", ".gzip", ".zst", ".zstd"}) {
            if (lowerName.endsWith(s)) {
                return lowerName.substring(0, lowerName.length() - s.length());
            }
        }
        return lowerName;
    }

    /** @throws IOException when the header is not the format the suffix promises (reported as unreadable_file) */
    static InputStream open(String fileName, InputStream raw) throws IOException {
        String n = fileName.toLowerCase(Locale.ROOT);
        InputStream in = new BufferedInputStream(raw, 1 << 16);
        if (n.endsWith(".gz") || n.endsWith(".gzip")) {
            return new GZIPInputStream(in, 1 << 16); // reads concatenated members too
        }
        if (n.endsWith(".zst") || n.endsWith(".zstd")) {
            return new BufferedInputStream(new ZstdInputStream(in), 1 << 16);
        }
        return in;
    }
}
