package io.zinteract.images.ingest;

import io.zinteract.images.error.ErrorCode;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides which resolved addresses may be connected to. Everything that reaches inside a network is refused:
 * loopback, private ranges, link-local, cloud metadata endpoints and reserved blocks, also when written as IPv4-mapped
 * or NAT64 IPv6. Only networks listed in {@code INGEST_ALLOWED_NETWORKS} are exempt.
 */
@ApplicationScoped
public class AddressPolicy {

    private static final List<Cidr> METADATA = List.of(Cidr.parse("169.254.169.254/32"), Cidr.parse("fd00:ec2::254/128"),
            Cidr.parse("100.100.100.200/32"));
    private static final List<Cidr> PRIVATE = List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("172.16.0.0/12"),
            Cidr.parse("192.168.0.0/16"), Cidr.parse("100.64.0.0/10"), Cidr.parse("fc00::/7"), Cidr.parse("fec0::/10"));
    private static final List<Cidr> RESERVED = List.of(Cidr.parse("0.0.0.0/8"), Cidr.parse("192.0.0.0/24"),
            Cidr.parse("192.0.2.0/24"), Cidr.parse("198.18.0.0/15"), Cidr.parse("198.51.100.0/24"),
            Cidr.parse("203.0.113.0/24"), Cidr.parse("240.0.0.0/4"), Cidr.parse("2001:db8::/32"), Cidr.parse("::/128"));

    private final List<Cidr> exempt;

    public AddressPolicy(IngestConfig config) {
        List<Cidr> networks = new ArrayList<>();
        config.allowedNetworks().orElse(List.of()).stream().filter(s -> !s.isBlank()).map(String::trim)
                .map(Cidr::parse).forEach(networks::add);
        this.exempt = List.copyOf(networks);
    }

    /** The reason {@code address} must not be connected to, or empty when it may. */
    public Optional<ErrorCode> refusal(InetAddress address) {
        InetAddress effective = embeddedIpv4(address).orElse(address);
        if (exempt.stream().anyMatch(c -> c.contains(effective) || c.contains(address))) {
            return Optional.empty();
        }
        if (address.isLoopbackAddress() || effective.isLoopbackAddress()) {
            return Optional.of(ErrorCode.INGEST_LOOPBACK_ADDRESS);
        }
        if (METADATA.stream().anyMatch(c -> c.contains(effective))) {
            return Optional.of(ErrorCode.INGEST_METADATA_ADDRESS);
        }
        if (effective.isLinkLocalAddress()) {
            return Optional.of(ErrorCode.INGEST_LINK_LOCAL_ADDRESS);
        }
        if (effective.isSiteLocalAddress() || PRIVATE.stream().anyMatch(c -> c.contains(effective))) {
            return Optional.of(ErrorCode.INGEST_PRIVATE_ADDRESS);
        }
        if (address.isAnyLocalAddress() || effective.isAnyLocalAddress() || effective.isMulticastAddress()
                || RESERVED.stream().anyMatch(c -> c.contains(effective))
                || effective.getHostAddress().equals("255.255.255.255")) {
            return Optional.of(ErrorCode.INGEST_RESERVED_ADDRESS);
        }
        return Optional.empty();
    }

    /** The IPv4 address inside an IPv4-mapped ({@code ::ffff:a.b.c.d}) or NAT64 ({@code 64:ff9b::/96}) address. */
    static Optional<InetAddress> embeddedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return Optional.empty();
        }
        byte[] b = address.getAddress();
        boolean mapped = isZero(b, 0, 10) && (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF;
        boolean nat64 = (b[0] & 0xFF) == 0x00 && (b[1] & 0xFF) == 0x64 && (b[2] & 0xFF) == 0xFF && (b[3] & 0xFF) == 0x9B
                && isZero(b, 4, 12);
        boolean compatible = isZero(b, 0, 12) && !isZero(b, 12, 16);
        if (!mapped && !nat64 && !compatible) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static boolean isZero(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** An address block such as {@code 10.0.0.0/8} or {@code fc00::/7}. */
    record Cidr(byte[] network, int prefix) {

        static Cidr parse(String cidr) {
            int slash = cidr.indexOf('/');
            String literal = slash < 0 ? cidr : cidr.substring(0, slash);
            if (!literal.matches("[0-9a-fA-F:.]+")) {
                throw new IllegalArgumentException("not a network (an address literal is needed): " + cidr);
            }
            try {
                byte[] address = InetAddress.getByName(slash < 0 ? cidr : cidr.substring(0, slash)).getAddress();
                int prefix = slash < 0 ? address.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
                if (prefix < 0 || prefix > address.length * 8) {
                    throw new IllegalArgumentException("bad prefix length in " + cidr);
                }
                return new Cidr(address, prefix);
            } catch (UnknownHostException | NumberFormatException e) {
                throw new IllegalArgumentException("not a network: " + cidr, e);
            }
        }

        boolean contains(InetAddress address) {
            byte[] candidate = address.getAddress();
            if (candidate.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (candidate[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (candidate[full] & mask) == (network[full] & mask);
        }
    }

}
