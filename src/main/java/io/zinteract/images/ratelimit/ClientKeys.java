package io.zinteract.images.ratelimit;

import io.netty.util.NetUtil;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who a request counts against. The address is the TCP peer's, or with {@code TRUST_PROXY=true} the one the gateway
 * in front wrote: the <em>last</em> element of {@code X-Forwarded-For} (else the last {@code for=} of
 * {@code Forwarded}). Quarkus' own forwarding takes the first element, which a client chooses by sending its own
 * header that the gateway then appends to; the last one is the only element the gateway vouches for.
 * <p>
 * Keys are canonical so that spelling an address differently never yields a fresh bucket: an IPv4-mapped IPv6
 * address is its IPv4 address, IPv6 is cut to its /64 (one subscriber usually holds a whole /64, and a host can take
 * any address in it), hex case, zero compression, zone ids and ports are dropped. Ids longer than 64 characters or
 * outside {@code [A-Za-z0-9_-]} are hashed, so a key is never longer than 64 characters.
 */
final class ClientKeys {

    private static final Pattern PLAIN_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern FORWARDED_FOR = Pattern.compile("(?i)for=\"?([^;,\"]*)\"?");

    private ClientKeys() {
    }

    /** The request's client address key, e.g. {@code 4:203.0.113.7} or {@code 6:20010db800000001/64}. */
    static String address(HttpServerRequest request, boolean trustProxy) {
        if (trustProxy) {
            String forwarded = lastForwarded(request.headers().getAll("X-Forwarded-For"), request.headers().getAll("Forwarded"));
            String key = forwarded == null ? null : addressKey(forwarded);
            if (key != null) {
                return key;
            }
        }
        // With TRUST_PROXY Quarkus replaces remoteAddress() by the forwarded one; the connection keeps the peer.
        SocketAddress peer = request.connection() != null ? request.connection().remoteAddress() : request.remoteAddress();
        String key = peer == null ? null : addressKey(peer.hostAddress() != null ? peer.hostAddress() : peer.host());
        return key != null ? key : "peer:unknown";
    }

    /** The last element of X-Forwarded-For over all its lines, else the last for= of Forwarded; null if neither. */
    static String lastForwarded(List<String> xForwardedFor, List<String> forwarded) {
        String last = null;
        for (String line : xForwardedFor) {
            for (String element : line.split(",")) {
                if (!element.isBlank()) {
                    last = element.trim();
                }
            }
        }
        if (last != null) {
            return last;
        }
        for (String line : forwarded) {
            Matcher m = FORWARDED_FOR.matcher(line);
            while (m.find()) {
                last = m.group(1).trim();
            }
        }
        return last;
    }

    /** The canonical key of an address literal (with or without brackets, port or zone); null if it is none. */
    static String addressKey(String literal) {
        String s = literal.trim();
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            if (end < 0) {
                return null;
            }
            s = s.substring(1, end);
        } else if (s.indexOf(':') > 0 && s.indexOf(':') == s.lastIndexOf(':')) {
            s = s.substring(0, s.indexOf(':')); // IPv4 with a port
        }
        int zone = s.indexOf('%');
        if (zone >= 0) {
            s = s.substring(0, zone);
        }
        if (s.isEmpty() || s.length() > 45) {
            return null;
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(s); // a literal only: never a DNS lookup
        if (bytes == null) {
            return null;
        }
        if (bytes.length == 16 && mappedIpv4(bytes)) {
            bytes = new byte[] { bytes[12], bytes[13], bytes[14], bytes[15] };
        }
        if (bytes.length == 4) {
            return "4:" + (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff);
        }
        return "6:" + HexFormat.of().formatHex(bytes, 0, 8) + "/64";
    }

    private static boolean mappedIpv4(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }

    /** The key of a session or participant id as sent; null when absent or blank. */
    static String id(String kind, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        return kind + ":" + (PLAIN_ID.matcher(v).matches() ? v : "#" + hash(v));
    }

    private static String hash(String value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 18));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
