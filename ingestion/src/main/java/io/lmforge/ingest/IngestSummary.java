package io.lmforge.ingest;

import io.lmforge.core.progress.ProgressReporter;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The end-of-run table: per language kept and rejected (top reasons), then totals. */
final class IngestSummary {
    private IngestSummary() {
    }

    static void print(PrintStream out, String chunk, IngestStage.Counts c, double seconds, long inputBytes) {
        out.println();
        out.printf(Locale.ROOT, "ingest %s summary: %,d records read, %,d kept (%.1f%%), %,d rejected; %s in %.1f s (%,.0f records/s, %s/s)%n",
                chunk, c.total, c.kept, 100.0 * c.kept / Math.max(1, c.total), c.rejected, ProgressReporter.bytes(inputBytes), seconds,
                c.total / Math.max(1e-9, seconds), ProgressReporter.bytes((long) (inputBytes / Math.max(1e-9, seconds))));
        out.printf(Locale.ROOT, "%-8s %8s %9s  %s%n", "lang", "kept", "rejected", "top rejection reasons");
        List<Map.Entry<String, Map<String, Long>>> langs = new ArrayList<>(c.byLang.entrySet());
        langs.sort((a, b) -> Long.compare(b.getValue().getOrDefault("kept", 0L), a.getValue().getOrDefault("kept", 0L)));
        for (Map.Entry<String, Map<String, Long>> e : langs) {
            long kept = e.getValue().getOrDefault("kept", 0L);
            long rejected = e.getValue().values().stream().mapToLong(Long::longValue).sum() - kept;
            List<Map.Entry<String, Long>> reasons = new ArrayList<>(e.getValue().entrySet());
            reasons.removeIf(r -> r.getKey().equals("kept"));
            reasons.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
            StringBuilder top = new StringBuilder();
            for (int i = 0; i < Math.min(3, reasons.size()); i++) {
                top.append(i == 0 ? "" : ", ").append(reasons.get(i).getKey()).append('=').append(reasons.get(i).getValue());
            }
            out.printf(Locale.ROOT, "%-8s %8d %9d  %s%n", e.getKey(), kept, rejected, top);
        }
        out.println("rejected by reason: " + (c.byReason.isEmpty() ? "none" : c.byReason.toString().replaceAll("[{}]", "")));
        out.printf(Locale.ROOT, "PII redacted in kept docs: %,d e-mails, %,d IP addresses, %,d phone numbers%n", c.emails, c.ips, c.phones);
    }
}
