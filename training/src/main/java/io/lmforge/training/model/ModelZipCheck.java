package io.lmforge.training.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * What a model.zip may hold before DL4J reads it (driver and executors): only the entries DL4J writes for
 * our model (configuration.json, coefficients.bin, updaterState.bin, noParams.marker), each inflated no
 * further than its cap (a zip bomb stops at the cap, not in an OutOfMemoryError), and a configuration
 * whose polymorphic {@code @class} names are DL4J's, ND4J's or ours. Entries DL4J would Java-deserialise
 * (preprocessor.bin, normalizer.bin, objects/...) are refused: a model file is data, never code.
 */
public final class ModelZipCheck {
    private static final long MB = 1L << 20;
    private static final Map<String, Long> CAPS = Map.of(
            "configuration.json", 16 * MB,
            "coefficients.bin", 8192 * MB,
            "updaterState.bin", 16384 * MB,
            "noParams.marker", 1024L);
    private static final Pattern CLASS = Pattern.compile("\"@class\"\\s*:\\s*\"([^\"]*)\"");

    private ModelZipCheck() {
    }

    public static void check(byte[] zip, String what) throws IOException {
        check(new ByteArrayInputStream(zip), what);
    }

    /** Reads the whole archive once; throws {@link IllegalArgumentException} naming what is wrong. */
    public static void check(InputStream zip, String what) throws IOException {
        int entries = 0;
        try (ZipInputStream in = new ZipInputStream(zip)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                entries++;
                Long cap = CAPS.get(e.getName());
                if (cap == null) {
                    throw new IllegalArgumentException(what + ": entry '" + e.getName() + "' is not one lmforge writes (allowed: "
                            + String.join(", ", CAPS.keySet()) + "); Java-serialised objects are never loaded from a model file");
                }
                ByteArrayOutputStream config = e.getName().equals("configuration.json") ? new ByteArrayOutputStream() : null;
                long n = 0;
                byte[] buf = new byte[1 << 16];
                for (int r; (r = in.read(buf)) > 0; ) {
                    n += r;
                    if (n > cap) {
                        throw new IllegalArgumentException(what + ": entry '" + e.getName() + "' inflates past its cap of " + cap + " bytes");
                    }
                    if (config != null) {
                        config.write(buf, 0, r);
                    }
                }
                if (config != null) {
                    checkClasses(config.toString(StandardCharsets.UTF_8), what);
                }
            }
        } catch (java.util.zip.ZipException e) {
            throw new IllegalArgumentException(what + ": not a readable zip archive (" + e.getMessage() + ")");
        }
        if (entries == 0) {
            throw new IllegalArgumentException(what + ": not a model archive (no entries)");
        }
    }

    private static void checkClasses(String json, String what) {
        Matcher m = CLASS.matcher(json);
        while (m.find()) {
            String c = m.group(1);
            if (!(c.startsWith("org.deeplearning4j.") || c.startsWith("org.nd4j.") || c.startsWith("io.lmforge."))) {
                throw new IllegalArgumentException(what + ": configuration.json names class '" + c + "', outside DL4J, ND4J and lmforge");
            }
        }
    }
}
