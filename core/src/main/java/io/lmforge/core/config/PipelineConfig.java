package io.lmforge.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;

import java.io.File;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The validated, merged configuration of one pipeline invocation:
 * conf/reference.conf &lt; --conf FILE &lt; --root/--chunk &lt; --set key=value.
 * Serializable (as rendered HOCON) so executors can rebuild it.
 */
public final class PipelineConfig implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String REFERENCE_RESOURCE = "lmforge/reference.conf";

    private final String rendered;
    private transient Config config;
    /** When set, the keys a stage declared: reading any other key is a bug in that stage (see {@link #restrictedTo}). */
    private final Declared declared;

    private PipelineConfig(Config config) {
        this(config, null);
    }

    private PipelineConfig(Config config, Declared declared) {
        this.config = config;
        this.rendered = config.root().render(ConfigRenderOptions.concise());
        this.declared = declared;
    }

    /** Keys every stage may read without declaring them: they never change what a stage writes. */
    private static final List<String> ALWAYS_READABLE = List.of("pipeline.root", "pipeline.progress-interval-s", "pipeline.lock-wait-s",
            "tracking.mlflow.uri", "tracking.mlflow.experiment");

    private record Declared(String stage, List<String> keys) implements Serializable {
        boolean allows(String path) {
            if (ALWAYS_READABLE.contains(path)) {
                return true;
            }
            for (String k : keys) {
                if (path.equals(k) || path.startsWith(k + ".") || k.startsWith(path + ".")) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * This config as seen by one stage: reading a key outside {@code keys} (or their subtrees) throws,
     * so a stage cannot depend on configuration its declaration (and hence its fingerprint) leaves out.
     */
    public PipelineConfig restrictedTo(String stage, List<String> keys) {
        return new PipelineConfig(raw(), new Declared(stage, List.copyOf(keys)));
    }

    private void checkDeclared(String path) {
        if (declared != null && !declared.allows(path)) {
            throw new IllegalStateException("stage " + declared.stage() + " read config key '" + path
                    + "', which its declaration does not list (so its fingerprint would ignore it): declare it in the stage's StageSpec");
        }
    }

    public static Config reference() {
        Config ref = ConfigFactory.parseResources(PipelineConfig.class.getClassLoader(), REFERENCE_RESOURCE,
                ConfigParseOptions.defaults().setAllowMissing(false));
        return ref.resolve();
    }

    /**
     * @param confFile optional user file (HOCON)
     * @param overrides "key=value" strings; values are HOCON (so lists and numbers work), falling
     *                  back to a plain string when they do not parse
     */
    public static PipelineConfig load(File confFile, List<String> overrides) {
        Config reference = reference();
        Config user = ConfigFactory.empty();
        if (confFile != null) {
            if (!confFile.isFile()) {
                throw new ConfigError("--conf: file not found: " + confFile);
            }
            try {
                user = ConfigFactory.parseFile(confFile, SafeConfigParsing.parseOptions());
            } catch (ConfigException e) {
                throw new ConfigError("--conf " + confFile + ": " + e.getMessage());
            }
        }
        for (String kv : overrides) {
            user = parseOverride(kv).withFallback(user);
        }
        Config merged;
        try {
            merged = user.withFallback(reference).resolve(SafeConfigParsing.resolveOptions());
        } catch (ConfigException e) {
            throw new ConfigError("config: " + e.getMessage());
        }
        ConfigValidator.validate(user, reference, merged);
        ConfigRanges.check(merged);
        ConfigEnums.check(merged);
        return new PipelineConfig(merged);
    }

    static Config parseOverride(String kv) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
            throw new ConfigError("--set expects key=value, got '" + kv + "'");
        }
        String key = kv.substring(0, eq).trim();
        String value = kv.substring(eq + 1).trim();
        ConfigParseOptions opts = SafeConfigParsing.parseOptions().setOriginDescription("--set " + key); // `config` shows it
        try {
            return ConfigFactory.parseString(key + " = " + value, opts);
        } catch (ConfigException e) {
            try {
                return ConfigFactory.parseString(key + " = " + quote(value), opts);
            } catch (ConfigException e2) {
                throw new ConfigError("--set " + kv + ": " + e2.getMessage());
            }
        }
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    public Config raw() {
        if (config == null) {
            config = ConfigFactory.parseString(rendered).resolve();
        }
        return config;
    }

    public PipelineConfig with(String path, Object value) {
        return new PipelineConfig(ConfigFactory.parseMap(java.util.Map.of(path, value)).withFallback(raw()).resolve(), declared);
    }

    /** This config with "key=value" overrides applied (same syntax as --set), validated against the reference. */
    public PipelineConfig withOverrides(List<String> overrides) {
        Config user = ConfigFactory.empty();
        for (String kv : overrides) {
            user = parseOverride(kv).withFallback(user);
        }
        Config merged;
        try {
            merged = user.withFallback(raw()).resolve(SafeConfigParsing.resolveOptions());
        } catch (ConfigException e) {
            throw new ConfigError("config: " + e.getMessage());
        }
        ConfigValidator.validate(user, reference(), merged);
        ConfigRanges.check(merged);
        ConfigEnums.check(merged);
        return new PipelineConfig(merged, declared);
    }

    public String getString(String path) {
        checkDeclared(path);
        return get(path, () -> raw().getString(path));
    }

    public int getInt(String path) {
        checkDeclared(path);
        return get(path, () -> raw().getInt(path));
    }

    public long getLong(String path) {
        checkDeclared(path);
        return get(path, () -> raw().getLong(path));
    }

    public double getDouble(String path) {
        checkDeclared(path);
        return get(path, () -> raw().getDouble(path));
    }

    public boolean getBoolean(String path) {
        checkDeclared(path);
        return get(path, () -> raw().getBoolean(path));
    }

    public List<String> getStringList(String path) {
        checkDeclared(path);
        return get(path, () -> raw().getStringList(path));
    }

    public Config getConfig(String path) {
        checkDeclared(path);
        return get(path, () -> raw().getConfig(path));
    }

    public List<Integer> getIntList(String path) {
        checkDeclared(path);
        return get(path, () -> raw().getIntList(path));
    }

    public boolean hasPath(String path) {
        checkDeclared(path);
        return raw().hasPath(path);
    }

    /** Requires a non-empty string value. */
    public String requireString(String path, String hint) {
        String v = getString(path);
        if (v == null || v.isBlank()) {
            throw new ConfigError("config key '" + path + "' is required" + (hint == null ? "" : " (" + hint + ")"));
        }
        return v;
    }

    /** One of the allowed values, case-insensitive; returns it lower-cased. */
    /** The value of a key registered in {@link ConfigEnums}, as written there (lower case). */
    public String getEnum(String path) {
        return getEnum(path, ConfigEnums.of(path).toArray(new String[0]));
    }

    public String getEnum(String path, String... allowed) {
        String v = getString(path).trim();
        for (String a : allowed) {
            if (a.equalsIgnoreCase(v)) {
                return a.toLowerCase();
            }
        }
        throw new ConfigError("config key '" + path + "' must be one of " + String.join("|", allowed) + ", got '" + v + "'");
    }

    /** Stable hash of a config subtree: what a stage's manifest compares to decide whether to skip. */
    public String hashOf(String... paths) {
        StringBuilder sb = new StringBuilder();
        for (String p : paths) {
            sb.append(p).append('=');
            if (raw().hasPath(p)) {
                sb.append(raw().getValue(p).render(ConfigRenderOptions.concise().setJson(true)));
            }
            sb.append('\n');
        }
        return sha256(sb.toString()).substring(0, 16);
    }

    public String renderJson(String path) {
        checkDeclared(path);
        return raw().hasPath(path) ? raw().getValue(path).render(ConfigRenderOptions.concise().setJson(true)) : "null";
    }

    static String sha256(String s) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private interface Getter<T> {
        T get();
    }

    private static <T> T get(String path, Getter<T> g) {
        try {
            return g.get();
        } catch (ConfigException.Missing e) {
            throw new ConfigError("config key '" + path + "' is missing");
        } catch (ConfigException.WrongType | ConfigException.BadValue e) {
            throw new ConfigError("config key '" + path + "': " + e.getMessage());
        }
    }
}
