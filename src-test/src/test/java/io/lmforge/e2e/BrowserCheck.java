package io.lmforge.e2e;

import io.lmforge.core.testing.PythonEnv;
import io.lmforge.core.testing.SharedSpark;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens an HTML page in headless Chromium (Debian's, via bin/browser-env) and reports what a reader would
 * see: how many images the page has, which of them did not load, and the page's text. A copy of the page
 * beside it gets a script that, once the page has loaded, writes those facts into the DOM that Chromium dumps.
 */
final class BrowserCheck {
    record Page(int images, String brokenImages, String text) {
    }

    private static final String PROBE = """
            <script>window.addEventListener('load', () => {
              const broken = [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.getAttribute('src'));
              document.body.setAttribute('data-images', document.images.length);
              document.body.setAttribute('data-broken', broken.join(' '));
            });</script>""";

    private BrowserCheck() {
    }

    static Page render(Path html) throws Exception {
        String chromium = PythonEnv.run(SharedSpark.repoRoot(), 900, new File(SharedSpark.repoRoot(), "bin/browser-env").getPath()).trim();
        Path probe = html.resolveSibling(".browser-check-" + html.getFileName());
        Files.writeString(probe, Files.readString(html).replace("</body>", PROBE + "</body>"));
        try {
            String dom = PythonEnv.run(html.getParent().toFile(), 120, chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    "--allow-file-access-from-files", "--dump-dom", probe.toUri().toString());
            Matcher body = Pattern.compile("<body data-images=\"(\\d+)\" data-broken=\"([^\"]*)\">").matcher(dom);
            if (!body.find()) {
                throw new AssertionError("Chromium did not run the page's load handler; DOM:\n" + dom);
            }
            String text = dom.replaceAll("(?s)<script.*?</script>", "").replaceAll("<[^>]+>", " ").replaceAll("\\s+", " ");
            return new Page(Integer.parseInt(body.group(1)), body.group(2), text);
        } finally {
            Files.deleteIfExists(probe);
        }
    }
}
