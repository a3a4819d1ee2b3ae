package io.lmforge.eval.task;

import com.typesafe.config.ConfigFactory;
import io.lmforge.core.config.ConfigError;
import io.lmforge.core.config.HomePaths;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A task config with its examples per language: the evaluation split and the demonstration pool. */
public record LoadedTask(TaskSpec spec, Map<String, List<Map<String, String>>> evalDocs, Map<String, List<Map<String, String>>> demoDocs) {

    /** conf/tasks/NAME.conf under the tasks directory (relative paths resolve against the lmforge checkout). */
    public static LoadedTask load(String tasksDir, String name, List<String> onlyLanguages) throws IOException {
        Path file = Path.of(HomePaths.resolve(tasksDir), name + ".conf");
        if (!Files.isRegularFile(file)) {
            throw new ConfigError("eval.tasks names '" + name + "' but there is no task config " + file);
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        TaskSpec spec = TaskSpec.from(ConfigFactory.parseString(text).resolve(), text);
        if (!spec.name().equals(name)) {
            throw new ConfigError(file + " defines task '" + spec.name() + "', expected '" + name + "'");
        }
        Map<String, List<Map<String, String>>> eval = new LinkedHashMap<>();
        Map<String, List<Map<String, String>>> demo = new LinkedHashMap<>();
        for (String lang : spec.languages()) {
            if (!onlyLanguages.isEmpty() && !onlyLanguages.contains(lang)) {
                continue;
            }
            eval.put(lang, docs(spec, spec.evalFile(), lang));
            if (!spec.demoFile().isEmpty()) {
                demo.put(lang, docs(spec, spec.demoFile(), lang));
            }
        }
        return new LoadedTask(spec, eval, demo);
    }

    private static List<Map<String, String>> docs(TaskSpec spec, String fileTemplate, String lang) throws IOException {
        List<Map<String, String>> all = TaskDocs.read(spec.format(), Path.of(HomePaths.resolve(spec.file(fileTemplate, lang))));
        if (spec.languageField().isEmpty()) {
            return all;
        }
        List<Map<String, String>> out = new ArrayList<>();
        for (Map<String, String> d : all) {
            if (lang.equals(d.get(spec.languageField()))) {
                out.add(d);
            }
        }
        if (out.isEmpty()) {
            throw new ConfigError("task " + spec.name() + ": no examples with " + spec.languageField() + " = " + lang + " in " + fileTemplate);
        }
        return out;
    }

    /** Demonstrations for an example of {@code lang}, drawn from demoLang's pool ("" = lang); whether that pool is the evaluation split. */
    public record Pool(List<Map<String, String>> docs, boolean isEvalSplit) {
    }

    public Pool demoPool(String lang, String demoLang) throws IOException {
        String from = demoLang.isEmpty() ? lang : demoLang;
        if (spec.demoFile().isEmpty()) {
            List<Map<String, String>> d = evalDocs.containsKey(from) ? evalDocs.get(from) : docs(spec, spec.evalFile(), from);
            return new Pool(d, from.equals(lang));
        }
        List<Map<String, String>> d = demoDocs.containsKey(from) ? demoDocs.get(from) : docs(spec, spec.demoFile(), from);
        return new Pool(d, false);
    }
}
