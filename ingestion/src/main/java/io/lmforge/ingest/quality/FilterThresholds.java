package io.lmforge.ingest.quality;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** ingest.filters.defaults merged with ingest.filters.per-lang.&lt;lang&gt;: the thresholds for one language. */
public final class FilterThresholds implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Map<String, Double> defaults;
    private final Map<String, Map<String, Double>> perLang;

    public FilterThresholds(Map<String, Double> defaults, Map<String, Map<String, Double>> perLang) {
        this.defaults = new TreeMap<>(defaults);
        this.perLang = new TreeMap<>(perLang);
    }

    public static FilterThresholds from(Config filters) {
        Map<String, Double> defaults = values(filters.getConfig("defaults"));
        Map<String, Map<String, Double>> per = new HashMap<>();
        Config perLang = filters.getConfig("per-lang");
        for (String lang : perLang.root().keySet()) {
            per.put(lang, values(perLang.getConfig(com.typesafe.config.ConfigUtil.quoteString(lang))));
        }
        return new FilterThresholds(defaults, per);
    }

    private static Map<String, Double> values(Config c) {
        Map<String, Double> m = new TreeMap<>();
        for (Map.Entry<String, ConfigValue> e : c.entrySet()) {
            Object v = e.getValue().unwrapped();
            m.put(e.getKey(), e.getValue().valueType() == ConfigValueType.BOOLEAN ? ((Boolean) v ? 1.0 : 0.0) : ((Number) v).doubleValue());
        }
        return m;
    }

    Map<String, Object> toJsonMap() {
        return Map.of("defaults", defaults, "perLang", perLang);
    }

    @SuppressWarnings("unchecked")
    static FilterThresholds fromJsonMap(Map<String, Map<String, Object>> m) {
        Map<String, Double> d = new TreeMap<>();
        m.get("defaults").forEach((k, v) -> d.put(k, ((Number) v).doubleValue()));
        Map<String, Map<String, Double>> p = new TreeMap<>();
        m.getOrDefault("perLang", Map.of()).forEach((lang, over) -> {
            Map<String, Double> o = new TreeMap<>();
            ((Map<String, Object>) over).forEach((k, v) -> o.put(k, ((Number) v).doubleValue()));
            p.put(lang, o);
        });
        return new FilterThresholds(d, p);
    }

    public Map<String, Double> forLang(String lang) {
        Map<String, Double> over = perLang.get(lang);
        if (over == null) {
            return defaults;
        }
        Map<String, Double> m = new HashMap<>(defaults);
        m.putAll(over);
        return m;
    }
}
