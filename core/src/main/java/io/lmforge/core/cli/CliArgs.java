package io.lmforge.core.cli;

import io.lmforge.core.config.ConfigError;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/** `<stage> [--conf FILE] [--root DIR] [--chunk ID] [--set key=value]... [--out DIR] [--force] [--allow-gaps] [--dry-run] [--compare RUN]... [--help]`; --out DIR = --set export.out=DIR, --allow-gaps = --set pipeline.allow-gaps=true */
public record CliArgs(String stage, File conf, String root, String chunk, List<String> sets, boolean force, boolean help, boolean dryRun) {

    public static CliArgs parse(String[] rawArgs) {
        List<String> split = new ArrayList<>();
        for (String a : rawArgs) { // accept --root=DIR as well as --root DIR
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 2 && List.of("--conf", "--root", "--chunk", "--set", "--out", "--compare").contains(a.substring(0, eq))) {
                split.add(a.substring(0, eq));
                split.add(a.substring(eq + 1));
            } else {
                split.add(a);
            }
        }
        String[] args = split.toArray(new String[0]);
        String stage = null;
        File conf = null;
        String root = null;
        String chunk = null;
        List<String> sets = new ArrayList<>();
        boolean force = false;
        boolean help = false;
        boolean dryRun = false;
        List<String> compare = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--help", "-h" -> help = true;
                case "--force" -> force = true;
                case "--dry-run" -> dryRun = true;
                case "--allow-gaps" -> sets.add("pipeline.allow-gaps=true");
                case "--compare" -> compare.add(value(args, ++i, a));
                case "--conf" -> { // an empty value means no file: schedulers (the Airflow DAG) always pass the flag
                    String file = value(args, ++i, a);
                    conf = file.isEmpty() ? null : new File(file);
                }
                case "--root" -> root = value(args, ++i, a);
                case "--chunk" -> chunk = value(args, ++i, a);
                case "--set" -> sets.add(value(args, ++i, a));
                case "--out" -> sets.add("export.out=\"" + value(args, ++i, a).replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
                default -> {
                    if (a.startsWith("-")) {
                        throw new ConfigError("unknown option '" + a + "' (see --help)");
                    } else if (stage == null) {
                        stage = a;
                    } else {
                        throw new ConfigError("unexpected argument '" + a + "' (one stage per invocation; see --help)");
                    }
                }
            }
        }
        if (!compare.isEmpty()) { // report --compare RUN (repeatable) = --set report.compare=[RUN, ...]
            sets.add("report.compare=[" + String.join(", ", compare.stream().map(r -> "\"" + r.replace("\"", "") + "\"").toList()) + "]");
        }
        return new CliArgs(stage, conf, root, chunk, sets, force, help, dryRun);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new ConfigError(option + " needs a value");
        }
        return args[i];
    }
}
