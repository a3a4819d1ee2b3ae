package io.lmforge.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Version of the code, recorded in every manifest. */
public final class BuildInfo {
    private static final String VERSION = load();

    private BuildInfo() {
    }

    public static String version() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = BuildInfo.class.getClassLoader().getResourceAsStream("lmforge/build.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }
}
