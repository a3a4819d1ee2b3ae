package io.lmforge.core.stage;

import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;

/**
 * `bin/pipeline config [--conf FILE] [--set k=v]...`: the effective configuration, one key per line
 * with where its value came from (reference.conf, the --conf file and line, or --set), after the same
 * loading and checks every stage runs, so a wrong key or value fails here exactly as it would there.
 */
public final class ConfigCommand implements Stage {
    @Override
    public String name() {
        return "config";
    }

    @Override
    public String summary() {
        return "print the effective configuration with the origin of each value (reference.conf, --conf FILE:line, --set)";
    }

    @Override
    public String help() {
        return """
                Loads the configuration as every stage does (conf/reference.conf < --conf FILE < --root/--chunk
                < --set key=value), checks it the same way (unknown keys, types, ranges, enums) and prints every
                key as `key = value  # origin`, sorted. Values are HOCON/JSON; secrets are not special-cased, so
                do not paste the output where the config's values must not go. No Spark session.""";
    }

    @Override
    public boolean needsChunk() {
        return false;
    }

    @Override
    public boolean readsRoot() {
        return false;
    }

    @Override
    public boolean needsRoot() {
        return false;
    }

    @Override
    public boolean needsSpark() {
        return false;
    }

    @Override
    public StageResult run(StageContext ctx) {
        Map<String, ConfigValue> sorted = new TreeMap<>();
        ctx.config().raw().entrySet().forEach(e -> sorted.put(e.getKey(), e.getValue()));
        PrintStream out = ctx.console();
        sorted.forEach((key, value) -> out.println(key + " = " + value.render(ConfigRenderOptions.concise()) + "  # " + origin(value.origin())));
        long overridden = sorted.values().stream().filter(v -> v.origin().resource() == null).count();
        return StageResult.reported(name(), sorted.size() + " keys, " + overridden + " not from reference.conf");
    }

    /** reference.conf:LINE, FILE:LINE, or the --set key (line numbers of a one-line override say nothing). */
    static String origin(ConfigOrigin o) {
        if (o.resource() != null) {
            return "reference.conf:" + o.lineNumber();
        }
        if (o.filename() != null) {
            return o.filename() + ":" + o.lineNumber();
        }
        String d = o.description();
        int colon = d.lastIndexOf(": ");
        return colon > 0 && d.startsWith("--set") ? d.substring(0, colon) : d;
    }
}
