package io.lmforge.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks user-supplied configuration against conf/reference.conf: every key must exist in the
 * reference (or sit inside one of the documented open maps) and hold a value of the reference's
 * type. Typesafe Config itself accepts any key, which turns a typo into a silently ignored
 * setting; this class is what makes a typo fail fast.
 */
final class ConfigValidator {

    /** Maps whose keys are free (languages, Spark settings); value: template path for entries, or null for "any". */
    private static final Map<String, String> OPEN_MAPS = Map.of(
            "pipeline.spark.conf", "",
            "ingest.langid.min-score", "ingest.langid.min-score.default",
            "ingest.filters.per-lang", "ingest.filters.defaults");

    private ConfigValidator() {
    }

    static void validate(Config user, Config reference, Config merged) {
        for (Map.Entry<String, ConfigValue> e : user.entrySet()) {
            String path = e.getKey();
            String templatePath = templateFor(path, reference);
            if (templatePath == null) {
                throw new ConfigError("unknown config key '" + path + "'" + suggestion(path, reference)
                        + " (see conf/reference.conf for every key)");
            }
            if (templatePath.isEmpty()) { // free-form map entry, e.g. pipeline.spark.conf."spark.executor.memory"
                List<String> parts = ConfigUtil.splitPath(path);
                SparkConfAllowList.check(ConfigUtil.joinPath(parts.subList(3, parts.size())).replace("\"", ""));
                continue;
            }
            checkType(path, templatePath, reference, merged);
        }
    }

    /** Returns the reference path whose type governs {@code path}, "" for a free entry, null if unknown. */
    private static String templateFor(String path, Config reference) {
        if (reference.hasPath(path)) {
            return path;
        }
        List<String> parts = ConfigUtil.splitPath(path);
        for (Map.Entry<String, String> open : OPEN_MAPS.entrySet()) {
            List<String> prefix = ConfigUtil.splitPath(open.getKey());
            if (parts.size() <= prefix.size() || !parts.subList(0, prefix.size()).equals(prefix)) {
                continue;
            }
            String template = open.getValue();
            if (template.isEmpty()) {
                return "";
            }
            List<String> rest = parts.subList(prefix.size() + 1, parts.size()); // drop the free key
            if (template.endsWith(".default") && rest.isEmpty()) {
                return template; // min-score.<lang> = number
            }
            if (!template.endsWith(".default") && !rest.isEmpty()) {
                String candidate = template + "." + ConfigUtil.joinPath(rest);
                return reference.hasPath(candidate) ? candidate : null;
            }
            return null;
        }
        return null;
    }

    private static void checkType(String path, String templatePath, Config reference, Config merged) {
        ConfigValueType expected = reference.getValue(templatePath).valueType();
        try {
            switch (expected) {
                case NUMBER -> merged.getDouble(path);
                case BOOLEAN -> merged.getBoolean(path);
                case LIST -> merged.getList(path);
                case OBJECT -> merged.getObject(path);
                case STRING -> {
                    ConfigValueType actual = merged.getValue(path).valueType();
                    if (actual == ConfigValueType.OBJECT || actual == ConfigValueType.LIST) {
                        throw new ConfigException.WrongType(merged.origin(), path, "a string", actual.name());
                    }
                }
                default -> {
                }
            }
        } catch (ConfigException.WrongType | ConfigException.BadValue ex) {
            Object shown = merged.getValue(path).unwrapped();
            throw new ConfigError("config key '" + path + "' must be " + describe(expected)
                    + ", got " + merged.getValue(path).valueType().name().toLowerCase() + " '" + shown + "'");
        }
    }

    private static String describe(ConfigValueType t) {
        return switch (t) {
            case NUMBER -> "a number";
            case BOOLEAN -> "true or false";
            case LIST -> "a list, e.g. [a, b]";
            case OBJECT -> "an object { ... }";
            default -> "a string";
        };
    }

    /** " (did you mean 'x'?)" when a sibling key in the reference is one or two edits away. */
    private static String suggestion(String path, Config reference) {
        List<String> parts = ConfigUtil.splitPath(path);
        List<String> parent = new ArrayList<>(parts.subList(0, parts.size() - 1));
        String last = parts.get(parts.size() - 1);
        ConfigObject siblings;
        try {
            siblings = parent.isEmpty() ? reference.root() : reference.getObject(ConfigUtil.joinPath(parent));
        } catch (ConfigException e) {
            return "";
        }
        Set<String> keys = siblings.keySet();
        String best = null;
        int bestDistance = 3;
        for (String k : keys) {
            int d = editDistance(k, last);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best == null ? "" : " (did you mean '" + (parent.isEmpty() ? "" : ConfigUtil.joinPath(parent) + ".") + best + "'?)";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
