package io.lmforge.ingest.pii;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PiiScrubberTest {
    private final PiiScrubber s = new PiiScrubber(new PiiScrubber.Options(true, true, true, "US", "<EMAIL>", "<IP>", "<PHONE>"));

    @Test
    void redactsEmailsPublicIpsAndPhonesAndCountsThem() {
        PiiScrubber.Result r = s.scrub("Mail jane.doe+news@example.co.uk, ping 8.8.8.8 or 2606:4700:4700::1111, call (202) 555-0143 or +44 20 7946 0958.");
        assertEquals("Mail <EMAIL>, ping <IP> or <IP>, call <PHONE> or <PHONE>.", r.text());
        assertEquals(1, r.emails());
        assertEquals(2, r.ips());
        assertEquals(2, r.phones());
    }

    @Test
    void leavesPrivateAddressesVersionsAndOrdinaryNumbersAlone() {
        String text = "Router 192.168.1.1, loopback 127.0.0.1, docs 192.0.2.7 and 2001:db8::1; version 1.2.3.4000; in 1999 we sold 12345 units.";
        PiiScrubber.Result r = s.scrub(text);
        assertEquals(text, r.text());
        assertEquals(0, r.ips() + r.phones() + r.emails());
        assertFalse(PiiScrubber.isPublicIp("300.1.1.1"));
        assertTrue(PiiScrubber.isPublicIp("93.184.216.34"));
    }

    /** The cheap scan that skips the IP patterns is a necessary condition of a match: on random strings over their alphabet, no pattern match without it. */
    @Test
    void theIpPrefilterNeverSkipsAStringThePatternsWouldMatch() {
        java.util.Random rnd = new java.util.Random(11);
        String alphabet = "0123456789abcfAF.: x:..";
        int matched = 0;
        for (int k = 0; k < 200_000; k++) {
            StringBuilder b = new StringBuilder();
            for (int n = 1 + rnd.nextInt(24), i = 0; i < n; i++) {
                b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            String t = b.toString();
            if (PiiScrubber.IPV4.matcher(t).find()) {
                matched++;
                assertTrue(PiiScrubber.hasTriple(t, '.', false), t);
            }
            if (PiiScrubber.IPV6.matcher(t).find()) {
                matched++;
                assertTrue(PiiScrubber.hasTriple(t, ':', true), t);
            }
        }
        assertTrue(matched > 1000, "random strings that match a pattern: " + matched);
        assertFalse(PiiScrubber.hasTriple("version 1. 2 and a: b", '.', false));
        assertFalse(PiiScrubber.hasTriple("Note: see below", ':', true));
    }
}
