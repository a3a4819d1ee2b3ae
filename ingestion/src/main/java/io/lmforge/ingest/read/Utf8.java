package io.lmforge.ingest.read;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8: malformed input is reported, never replaced with U+FFFD. */
final class Utf8 {
    private static final ThreadLocal<CharsetDecoder> DECODER = ThreadLocal.withInitial(() -> StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));

    private Utf8() {
    }

    /** The decoded text, or null when the bytes are not valid UTF-8. A leading BOM is dropped. */
    static String decodeStrict(byte[] bytes) {
        int start = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF ? 3 : 0;
        try {
            return DECODER.get().reset().decode(ByteBuffer.wrap(bytes, start, bytes.length - start)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Byte offset of the first invalid sequence, for the quarantine detail. */
    static int firstInvalid(byte[] b) {
        int i = 0;
        while (i < b.length) {
            int c = b[i] & 0xFF;
            int n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : -1;
            if (n < 0 || i + n > b.length) {
                return i;
            }
            byte[] one = java.util.Arrays.copyOfRange(b, i, i + n);
            if (decodeStrict(one) == null) {
                return i;
            }
            i += n;
        }
        return -1;
    }
}
