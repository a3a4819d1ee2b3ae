package io.lmforge.eval.task;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import io.lmforge.core.config.ConfigError;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One few-shot multiple-choice task as defined in conf/tasks/NAME.conf (format documented in the
 * README, "Few-shot tasks"). Two scoring modes, as in lm-evaluation-harness:
 * {@code choices}: one context, one continuation per candidate (XCOPA, XStoryCloze);
 * {@code contexts}: one context per candidate, one shared continuation - partial scoring (XWinograd).
 */
public record TaskSpec(String name, String format, String evalFile, String demoFile, String languageField, List<String> languages,
                       String mode, Template context, List<Template> choices, Template target, String goldField, int goldBase,
                       String targetDelimiter, String fewshotDelimiter, Map<String, Map<String, String>> words,
                       String sourceText, boolean harnessExcludesExample) implements Serializable {

    public static final String CHOICES = "choices";
    public static final String CONTEXTS = "contexts";

    public static TaskSpec from(Config c, String sourceText) {
        try {
            String name = c.getString("name");
            String mode = c.getString("mode");
            if (!mode.equals(CHOICES) && !mode.equals(CONTEXTS)) {
                throw new ConfigError("task " + name + ": mode must be 'choices' or 'contexts', got '" + mode + "'");
            }
            String format = c.getString("format");
            if (!TaskDocs.FORMATS.contains(format)) {
                throw new ConfigError("task " + name + ": format must be one of " + TaskDocs.FORMATS + ", got '" + format + "'");
            }
            List<Template> choices = new ArrayList<>();
            for (String s : c.getStringList("choices")) {
                choices.add(Template.parse(s));
            }
            if (choices.size() < 2) {
                throw new ConfigError("task " + name + ": needs at least 2 choices");
            }
            Map<String, Map<String, String>> words = new TreeMap<>();
            if (c.hasPath("words")) {
                for (Map.Entry<String, ConfigValue> lang : c.getObject("words").entrySet()) {
                    Map<String, String> w = new LinkedHashMap<>();
                    Config lc = c.getConfig("words").getConfig("\"" + lang.getKey() + "\"");
                    for (Map.Entry<String, ConfigValue> e : lc.entrySet()) {
                        w.put(e.getKey().replace("\"", ""), String.valueOf(e.getValue().unwrapped()));
                    }
                    words.put(lang.getKey(), w);
                }
            }
            return new TaskSpec(name, format, c.getString("eval-file"), c.hasPath("demo-file") ? c.getString("demo-file") : "",
                    c.hasPath("language-field") ? c.getString("language-field") : "", c.getStringList("languages"), mode,
                    Template.parse(c.getString("context")), choices, Template.parse(c.hasPath("target") ? c.getString("target") : ""),
                    c.getString("gold.field"), c.getInt("gold.base"),
                    c.hasPath("target-delimiter") ? c.getString("target-delimiter") : " ",
                    c.hasPath("fewshot-delimiter") ? c.getString("fewshot-delimiter") : "\n\n", words, sourceText,
                    c.hasPath("harness-excludes-example") && c.getBoolean("harness-excludes-example"));
        } catch (ConfigException e) {
            throw new ConfigError("task config: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ConfigError("task config: " + e.getMessage());
        }
    }

    /** Words of a language ({} when the task has none). */
    public Map<String, String> wordsFor(String lang) {
        Map<String, String> w = words.get(lang);
        if (w == null && !words.isEmpty()) {
            throw new ConfigError("task " + name + ": no words for language '" + lang + "' (have " + words.keySet() + ")");
        }
        return w == null ? Map.of() : w;
    }

    /** Index of the gold candidate of an example. */
    public int gold(Map<String, String> doc) {
        String v = doc.get(goldField);
        if (v == null) {
            throw new IllegalArgumentException("task " + name + ": example without gold field '" + goldField + "'");
        }
        int g = Integer.parseInt(v.strip()) - goldBase;
        if (g < 0 || g >= choices.size()) {
            throw new IllegalArgumentException("task " + name + ": gold " + v + " outside " + choices.size() + " choices");
        }
        return g;
    }

    public String file(String template, String lang) {
        return template.replace("{lang}", lang);
    }
}
