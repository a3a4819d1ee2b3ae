package io.lmforge.ingest.read;

import com.github.luben.zstd.ZstdInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Transparent decompression by file suffix: .gz, .zst, .bz2 (Wikipedia dumps) and .xz (CC-100). bzip2 and xz come
 * from Apache Commons Compress and XZ for Java, which every Spark distribution ships. gzipped WARC/WET files are
 * left to jwarc, which reads gzip members itself.
 */
public final class Compression {
    private Compression() {
    }

    /** The name without its compression suffix, case kept ("de.TXT.xz" -> "de.TXT"). */
    public static String withoutSuffix(String name) {
        return name.substring(0, stripSuffix(name.toLowerCase(Locale.ROOT)).length());
    }

    static String stripSuffix(String lowerName) {
        for (String s : new String[]{".gz", ".gzip", ".zst", ".zstd", ".bz2", ".xz"}) {
            if (lowerName.endsWith(s)) {
                return lowerName.substring(0, lowerName.length() - s.length());
            }
        }
        return lowerName;
    }

    /** @throws IOException when the header is not the format the suffix promises (reported as unreadable_file) */
    public static InputStream open(String fileName, InputStream raw) throws IOException {
        String n = fileName.toLowerCase(Locale.ROOT);
        InputStream in = new BufferedInputStream(raw, 1 << 16);
        if (n.endsWith(".gz") || n.endsWith(".gzip")) {
            return new GZIPInputStream(in, 1 << 16); // reads concatenated members too
        }
        if (n.endsWith(".zst") || n.endsWith(".zstd")) {
            requireSignature(in, Compression::isZstdFrame, "zstd"); // ZstdInputStream would only fail at the first read, which looks like a cut file
            return new BufferedInputStream(new ZstdInputStream(in), 1 << 16);
        }
        if (n.endsWith(".bz2")) {
            requireSignature(in, BZip2CompressorInputStream::matches, "bzip2");
            return new BufferedInputStream(new BZip2CompressorInputStream(in, true), 1 << 16); // true: concatenated streams (pbzip2)
        }
        if (n.endsWith(".xz")) {
            requireSignature(in, XZCompressorInputStream::matches, "xz");
            return new BufferedInputStream(new XZCompressorInputStream(in, true), 1 << 16);
        }
        return in;
    }

    /** For the WARC reader: gzip is the one compression it undoes itself (record by record). */
    static InputStream openForWarc(String fileName, InputStream raw) throws IOException {
        String n = fileName.toLowerCase(Locale.ROOT);
        return n.endsWith(".gz") || n.endsWith(".gzip") ? raw : open(fileName, raw);
    }

    private interface Signature {
        boolean matches(byte[] start, int length);
    }

    /** @throws java.util.zip.ZipException (unreadable_file) when the file does not start as the format does */
    private static void requireSignature(InputStream in, Signature signature, String format) throws IOException {
        in.mark(12);
        byte[] b = in.readNBytes(12);
        in.reset();
        if (!signature.matches(b, b.length)) {
            throw new java.util.zip.ZipException("not in " + format + " format (no " + format + " magic number at the start)");
        }
    }

    /** A zstd file starts with a frame's magic number (0xFD2FB528) or a skippable frame's (0x184D2A50..5F), little-endian. */
    private static boolean isZstdFrame(byte[] b, int length) {
        long magic = length < 4 ? -1 : (b[0] & 0xffL) | (b[1] & 0xffL) << 8 | (b[2] & 0xffL) << 16 | (b[3] & 0xffL) << 24;
        return magic == 0xFD2FB528L || (magic & 0xFFFFFFF0L) == 0x184D2A50L;
    }
}
