package io.lmforge.ingest;

import io.lmforge.core.config.PipelineConfig;
import io.lmforge.ingest.langid.LanguageIdentifier;
import io.lmforge.ingest.normalize.TextNormalizer;
import io.lmforge.ingest.pii.PiiRedactor;
import io.lmforge.ingest.pii.PiiScrubber;
import io.lmforge.ingest.quality.FilterThresholds;
import io.lmforge.ingest.quality.QualityFilter;
import io.lmforge.ingest.quality.QualitySignals;

/** The ingest steps configured from ingest.*: what the stage runs, and what a notebook can run by hand. */
public record IngestSteps(TextNormalizer normalizer, LanguageIdentifier languageIdentifier, QualitySignals signals,
                          QualityFilter filter, PiiRedactor pii, boolean piiEnabled) {

    public static IngestSteps from(PipelineConfig c) {
        TextNormalizer normalizer = new TextNormalizer().setForm(c.getString("ingest.normalize.form"));
        LanguageIdentifier langId = new LanguageIdentifier()
                .setDetector(c.getEnum("ingest.langid.detector", io.lmforge.ingest.langid.LangIdModelStore.DETECTORS.toArray(new String[0])))
                .setModelPath(c.getString("ingest.langid.model"))
                .setMaxChars(c.getInt("ingest.langid.max-chars"))
                .setLinguaAccuracy(c.getEnum("ingest.langid.lingua-accuracy"));
        QualitySignals signals = new QualitySignals()
                .setStopWords(!"none".equals(c.getEnum("ingest.filters.stop-words")));
        QualityFilter filter = new QualityFilter().setThresholds(FilterThresholds.from(c.getConfig("ingest.filters")));
        PiiRedactor pii = new PiiRedactor().setSkipCol("reject_reason").setOptions(new PiiScrubber.Options(
                c.getBoolean("ingest.pii.emails"), c.getBoolean("ingest.pii.ip-addresses"), c.getBoolean("ingest.pii.phone-numbers"),
                c.getString("ingest.pii.phone-region"), c.getString("ingest.pii.email-replacement"),
                c.getString("ingest.pii.ip-replacement"), c.getString("ingest.pii.phone-replacement")));
        return new IngestSteps(normalizer, langId, signals, filter, pii, c.getBoolean("ingest.pii.enabled"));
    }
}
