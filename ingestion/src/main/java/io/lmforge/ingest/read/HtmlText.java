package io.lmforge.ingest.read;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.util.Set;

/**
 * HTML to text for WARC responses: jsoup parses (and picks the charset from the header, the
 * meta tag or the BOM), then block elements become line breaks so paragraph-level quality
 * signals and line dedup still see the page's structure. Boilerplate removal (jusText,
 * Trafilatura) is out of scope: WET input is the recommended path for Common Crawl.
 */
final class HtmlText {
    private static final Set<String> BLOCKS = Set.of("p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
            "tr", "table", "section", "article", "header", "footer", "pre", "blockquote", "dd", "dt", "dl", "main", "nav",
            "aside", "form", "hr", "title", "figcaption", "address");

    private HtmlText() {
    }

    static String extract(byte[] html, String charset, String url) throws IOException {
        String cs = supported(charset) ? charset : null;
        Document doc = Jsoup.parse(new ByteArrayInputStream(html), cs, url == null ? "" : url);
        StringBuilder sb = new StringBuilder();
        NodeTraversor.traverse(new NodeVisitor() {
            @Override
            public void head(Node node, int depth) {
                if (node instanceof TextNode t) {
                    sb.append(t.getWholeText().replaceAll("\\s+", " "));
                } else if (node instanceof Element e && BLOCKS.contains(e.normalName())) {
                    sb.append('\n');
                }
            }

            @Override
            public void tail(Node node, int depth) {
                if (node instanceof Element e && BLOCKS.contains(e.normalName())) {
                    sb.append('\n');
                }
            }
        }, doc);
        return sb.toString();
    }

    static String decodePlain(byte[] body, String charset) {
        if (charset == null || !supported(charset) || Charset.forName(charset).name().equals("UTF-8")) {
            return Utf8.decodeStrict(body);
        }
        return new String(body, Charset.forName(charset));
    }

    private static boolean supported(String charset) {
        try {
            return charset != null && Charset.isSupported(charset.trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
