package io.lmforge.eval.report;

import java.util.List;

/** The report written twice from the same calls: Markdown (for git / Zeppelin) and standalone HTML. */
final class ReportDocument {
    private final StringBuilder md = new StringBuilder();
    private final StringBuilder html = new StringBuilder();

    ReportDocument(String title) {
        md.append("# ").append(title).append("\n\n");
        html.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(esc(title)).append("</title>")
                .append("<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}th{background:#f4f4f4}</style></head><body>\n")
                .append("<h1>").append(esc(title)).append("</h1>\n");
    }

    ReportDocument heading(String text) {
        md.append("## ").append(text).append("\n\n");
        html.append("<h2>").append(esc(text)).append("</h2>\n");
        return this;
    }

    ReportDocument paragraph(String text) {
        md.append(text).append("\n\n");
        html.append("<p>").append(esc(text)).append("</p>\n");
        return this;
    }

    ReportDocument table(List<String> header, List<List<String>> rows) {
        md.append("| ").append(String.join(" | ", header)).append(" |\n|");
        header.forEach(h -> md.append("---|"));
        md.append('\n');
        html.append("<table><tr>");
        header.forEach(h -> html.append("<th>").append(esc(h)).append("</th>"));
        html.append("</tr>\n");
        for (List<String> r : rows) {
            md.append("| ").append(String.join(" | ", r)).append(" |\n");
            html.append("<tr>");
            r.forEach(c -> html.append("<td>").append(esc(c)).append("</td>"));
            html.append("</tr>\n");
        }
        md.append('\n');
        html.append("</table>\n");
        return this;
    }

    ReportDocument image(String file, String alt) {
        md.append("![").append(alt).append("](").append(file).append(")\n\n");
        html.append("<p><img src=\"").append(esc(file)).append("\" alt=\"").append(esc(alt)).append("\"></p>\n");
        return this;
    }

    String markdown() {
        return md.toString();
    }

    String html() {
        return html + "</body></html>\n";
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
