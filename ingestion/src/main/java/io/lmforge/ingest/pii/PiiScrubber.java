package io.lmforge.ingest.pii;

import com.google.i18n.phonenumbers.PhoneNumberMatch;
import com.google.i18n.phonenumbers.PhoneNumberUtil;

import java.io.Serializable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces e-mail addresses, public IP addresses and phone numbers with fixed replacement strings and counts
 * them. Private, loopback, link-local and documentation IPs are left alone (datatrove keeps only
 * `is_global` addresses as PII). Phone numbers come from libphonenumber with VALID leniency:
 * international +NN numbers anywhere, national numbers for the configured region.
 */
public final class PiiScrubber implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern EMAIL = Pattern.compile(
            "(?<![\\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,24}(?![\\w-])");
    static final Pattern IPV4 = Pattern.compile("(?<![\\d.])(?:\\d{1,3}\\.){3}\\d{1,3}(?![\\d.]*\\d)");
    static final Pattern IPV6 = Pattern.compile("(?<![\\w:])(?:[0-9A-Fa-f]{1,4}:){2,7}(?::|[0-9A-Fa-f]{1,4})(?![\\w:])|(?<![\\w:])(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}:){0,5}[0-9A-Fa-f]{1,4}(?![\\w:])");

    public record Options(boolean emails, boolean ips, boolean phones, String region,
                          String emailReplacement, String ipReplacement, String phoneReplacement) implements Serializable {
    }

    public record Result(String text, int emails, int ips, int phones) {
    }

    private final Options opts;

    public PiiScrubber(Options opts) {
        this.opts = opts;
    }

    public Result scrub(String text) {
        if (text == null) {
            return new Result(null, 0, 0, 0);
        }
        String s = text;
        int emails = 0;
        int ips = 0;
        int phones = 0;
        if (opts.emails() && s.indexOf('@') >= 0) {
            Matcher m = EMAIL.matcher(s);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                emails++;
                m.appendReplacement(sb, Matcher.quoteReplacement(opts.emailReplacement()));
            }
            m.appendTail(sb);
            s = sb.toString();
        }
        if (opts.ips()) {
            // the patterns are tried at every character; most texts lack what any match needs
            int[] n = new int[1];
            if (hasTriple(s, '.', false)) { // IPv4: a digit, '.', a digit
                s = replaceIf(s, IPV4, PiiScrubber::isPublicIp, opts.ipReplacement(), n);
            }
            if (hasTriple(s, ':', true)) { // IPv6: a hex digit, ':', a hex digit or ':'
                s = replaceIf(s, IPV6, PiiScrubber::isPublicIp, opts.ipReplacement(), n);
            }
            ips = n[0];
        }
        if (opts.phones() && hasDigitRun(s)) {
            PhoneNumberUtil util = PhoneNumberUtil.getInstance();
            List<int[]> spans = new ArrayList<>();
            for (PhoneNumberMatch m : util.findNumbers(s, opts.region(), PhoneNumberUtil.Leniency.VALID, Long.MAX_VALUE)) {
                spans.add(new int[]{m.start(), m.end()});
            }
            if (!spans.isEmpty()) {
                StringBuilder sb = new StringBuilder(s.length());
                int last = 0;
                for (int[] sp : spans) {
                    sb.append(s, last, sp[0]).append(opts.phoneReplacement());
                    last = sp[1];
                }
                sb.append(s, last, s.length());
                s = sb.toString();
                phones = spans.size();
            }
        }
        return new Result(s, emails, ips, phones);
    }

    private interface Check {
        boolean test(String candidate);
    }

    private static String replaceIf(String s, Pattern p, Check check, String replacement, int[] counter) {
        Matcher m = p.matcher(s);
        StringBuilder sb = null;
        int last = 0;
        while (m.find()) {
            if (!check.test(m.group())) {
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(s.length());
            }
            sb.append(s, last, m.start()).append(replacement);
            last = m.end();
            counter[0]++;
        }
        if (sb == null) {
            return s;
        }
        sb.append(s, last, s.length());
        return sb.toString();
    }

    /** A syntactically valid, globally routable address (literal only: never a DNS lookup). */
    static boolean isPublicIp(String literal) {
        if (literal.indexOf(':') < 0) {
            String[] parts = literal.split("\\.");
            for (String part : parts) {
                if (part.length() > 1 && part.startsWith("0") || Integer.parseInt(part) > 255) {
                    return false;
                }
            }
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(literal); // a literal: parsed, not resolved
        } catch (UnknownHostException | SecurityException e) {
            return false;
        }
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (b.length == 4) {
            int o0 = b[0] & 0xFF;
            int o1 = b[1] & 0xFF;
            int o2 = b[2] & 0xFF;
            return !(o0 == 0 || o0 >= 240 || (o0 == 100 && o1 >= 64 && o1 < 128) // this-network, reserved, CGNAT
                    || (o0 == 192 && o1 == 0 && (o2 == 0 || o2 == 2)) || (o0 == 198 && (o1 == 18 || o1 == 19)) // IETF, TEST-NET-1, benchmarking
                    || (o0 == 198 && o1 == 51 && o2 == 100) || (o0 == 203 && o1 == 0 && o2 == 113)); // TEST-NET-2/3
        }
        int first = ((b[0] & 0xFF) << 8) | (b[1] & 0xFF);
        return !((first & 0xFE00) == 0xFC00 // unique local fc00::/7
                || (first == 0x2001 && (((b[2] & 0xFF) << 8) | (b[3] & 0xFF)) == 0x0DB8)); // documentation 2001:db8::/32
    }

    /** Whether s has [0-9] sep [0-9] (hex: [0-9A-Fa-f] sep ([0-9A-Fa-f] or sep)) somewhere: what \\d and the hex class need. */
    static boolean hasTriple(String s, char sep, boolean hex) {
        for (int i = s.indexOf(sep, 1); i >= 0 && i + 1 < s.length(); i = s.indexOf(sep, i + 1)) {
            char before = s.charAt(i - 1);
            char after = s.charAt(i + 1);
            if (hex ? isHex(before) && (isHex(after) || after == sep) : isDigit(before) && isDigit(after)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHex(char c) {
        return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    private static boolean hasDigitRun(String s) {
        int run = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                if (++run >= 3) {
                    return true;
                }
            } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') {
                run = 0;
            }
        }
        return false;
    }
}
