package io.lmforge.ingest.pii;

import io.lmforge.core.ml.StepTransformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Step: replaces PII in the text column and adds pii_emails, pii_ips, pii_phones counts. Rows
 * whose skip column is non-null (already rejected) are left untouched: rejected/ keeps the
 * original text for inspection, and scanning it would only cost time.
 */
public final class PiiRedactor extends StepTransformer {
    static final StructType RESULT = new StructType().add("text", DataTypes.StringType)
            .add("emails", DataTypes.IntegerType).add("ips", DataTypes.IntegerType).add("phones", DataTypes.IntegerType);
    private final Param<String> inputCol;
    private final Param<String> skipCol;
    private final BooleanParam emails;
    private final BooleanParam ips;
    private final BooleanParam phones;
    private final Param<String> region;
    private final Param<String> emailReplacement;
    private final Param<String> ipReplacement;
    private final Param<String> phoneReplacement;

    public PiiRedactor() {
        this(newUid("piiRedactor"));
    }

    public PiiRedactor(String uid) {
        super(uid);
        inputCol = new Param<>(this, "inputCol", "text column, rewritten in place");
        skipCol = new Param<>(this, "skipCol", "rows where this column is non-null are not scanned (empty: scan all)");
        emails = new BooleanParam(this, "emails", "redact e-mail addresses");
        ips = new BooleanParam(this, "ips", "redact public IP addresses");
        phones = new BooleanParam(this, "phones", "redact phone numbers");
        region = new Param<>(this, "region", "region for national phone numbers (ISO 3166 alpha-2)");
        emailReplacement = new Param<>(this, "emailReplacement", "replacement for e-mails");
        ipReplacement = new Param<>(this, "ipReplacement", "replacement for IPs");
        phoneReplacement = new Param<>(this, "phoneReplacement", "replacement for phone numbers");
        setDefault(inputCol, "text");
        setDefault(skipCol, "");
        setDefault(emails, true);
        setDefault(ips, true);
        setDefault(phones, true);
        setDefault(region, "US");
        setDefault(emailReplacement, "|||EMAIL_ADDRESS|||");
        setDefault(ipReplacement, "|||IP_ADDRESS|||");
        setDefault(phoneReplacement, "|||PHONE_NUMBER|||");
    }

    public Param<String> inputCol() { return inputCol; }
    public Param<String> skipCol() { return skipCol; }
    public BooleanParam emails() { return emails; }
    public BooleanParam ips() { return ips; }
    public BooleanParam phones() { return phones; }
    public Param<String> region() { return region; }
    public Param<String> emailReplacement() { return emailReplacement; }
    public Param<String> ipReplacement() { return ipReplacement; }
    public Param<String> phoneReplacement() { return phoneReplacement; }

    public PiiRedactor setSkipCol(String v) {
        set(skipCol, v);
        return this;
    }

    public PiiRedactor setOptions(PiiScrubber.Options o) {
        set(emails, o.emails());
        set(ips, o.ips());
        set(phones, o.phones());
        set(region, o.region());
        set(emailReplacement, o.emailReplacement());
        set(ipReplacement, o.ipReplacement());
        set(phoneReplacement, o.phoneReplacement());
        return this;
    }

    PiiScrubber.Options options() {
        return new PiiScrubber.Options((Boolean) $(emails), (Boolean) $(ips), (Boolean) $(phones), $(region),
                $(emailReplacement), $(ipReplacement), $(phoneReplacement));
    }

    @Override
    public Dataset<Row> transform(Dataset<?> ds) {
        PiiScrubber scrubber = new PiiScrubber(options());
        UDF2<String, Object, Row> fn = (text, skip) -> {
            if (text == null || skip != null) {
                return RowFactory.create(text, 0, 0, 0);
            }
            PiiScrubber.Result r = scrubber.scrub(text);
            return RowFactory.create(r.text(), r.emails(), r.ips(), r.phones());
        };
        Column skip = $(skipCol).isEmpty() ? functions.lit(null).cast(DataTypes.StringType) : ds.col($(skipCol));
        // Non-deterministic so Spark evaluates the UDF once per row: otherwise the optimizer inlines
        // it into every field extracted from the struct below (one detector call per field).
        String tmp = "_" + uid();
        String in = $(inputCol);
        return ds.withColumn(tmp, functions.udf(fn, RESULT).asNondeterministic().apply(ds.col(in), skip))
                .withColumn(in, functions.col(tmp + ".text"))
                .withColumn("pii_emails", functions.col(tmp + ".emails"))
                .withColumn("pii_ips", functions.col(tmp + ".ips"))
                .withColumn("pii_phones", functions.col(tmp + ".phones"))
                .drop(tmp);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return schema.add("pii_emails", DataTypes.IntegerType).add("pii_ips", DataTypes.IntegerType).add("pii_phones", DataTypes.IntegerType);
    }

    public static MLReader<PiiRedactor> read() {
        return new DefaultParamsReader<>();
    }
}
