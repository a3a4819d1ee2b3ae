package io.lmforge.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Version of the code, recorded in every manifest and part of every fingerprint: the project version,
 * the git commit it was built from and, for a build of uncommitted changes, "dirty" plus the build
 * time (so each rebuild of changed code recomputes rather than trusting outputs of other code).
 * Written into lmforge/build.properties at build time by git-commit-id-maven-plugin.
 */
public final class BuildInfo {
    private static final Properties PROPS = load();

    private BuildInfo() {
    }

    /** The project version, e.g. 0.1.0-SNAPSHOT. */
    public static String version() {
        return value("version", "dev");
    }

    /** The full git commit id, or "unknown" when built outside a git checkout. */
    public static String commit() {
        return value("commit", "unknown");
    }

    public static boolean dirty() {
        return Boolean.parseBoolean(value("dirty", "true"));
    }

    /**
     * What fingerprints compare: version+commit (12 hex digits), with ".dirty.&lt;build time&gt;" for
     * uncommitted changes, e.g. 0.1.0-SNAPSHOT+84b77146c0de or 0.1.0-SNAPSHOT+84b77146c0de.dirty.20261203T101500.
     */
    public static String codeVersion() {
        String commit = commit();
        String base = version() + "+" + (commit.length() > 12 ? commit.substring(0, 12) : commit);
        return dirty() || commit.equals("unknown") ? base + ".dirty." + value("build_time", "unknown") : base;
    }

    private static String value(String key, String fallback) {
        String v = PROPS.getProperty(key);
        return v == null || v.isBlank() || v.startsWith("${") ? fallback : v.trim();
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getClassLoader().getResourceAsStream("lmforge/build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // no build info: version "dev", commit "unknown"
        }
        return p;
    }
}
