package io.zinteract.images.ingest;

import io.zinteract.images.error.ErrorCode;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AddressPolicyTest {

    static AddressPolicy policy(List<String> exempt) {
        return new AddressPolicy(new IngestConfig() {
            public List<String> allowedHosts() { return List.of(); }
            public boolean allowHttp() { return false; }
            public Optional<List<String>> allowedNetworks() { return Optional.of(exempt); }
            public int maxRedirects() { return 3; }
            public Duration connectTimeout() { return Duration.ofSeconds(1); }
            public Duration readTimeout() { return Duration.ofSeconds(1); }
        });
    }

    @Test
    void everyInternalAddressIsRefusedForItsReason() throws Exception {
        Map<String, ErrorCode> cases = new java.util.LinkedHashMap<>();
        cases.put("127.0.0.1", ErrorCode.INGEST_LOOPBACK_ADDRESS);
        cases.put("127.9.9.9", ErrorCode.INGEST_LOOPBACK_ADDRESS);
        cases.put("::1", ErrorCode.INGEST_LOOPBACK_ADDRESS);
        cases.put("::ffff:127.0.0.1", ErrorCode.INGEST_LOOPBACK_ADDRESS);
        cases.put("64:ff9b::7f00:1", ErrorCode.INGEST_LOOPBACK_ADDRESS);
        cases.put("10.1.2.3", ErrorCode.INGEST_PRIVATE_ADDRESS);
        cases.put("172.16.0.1", ErrorCode.INGEST_PRIVATE_ADDRESS);
        cases.put("172.31.255.255", ErrorCode.INGEST_PRIVATE_ADDRESS);
        cases.put("192.168.1.1", ErrorCode.INGEST_PRIVATE_ADDRESS);
        cases.put("100.64.0.1", ErrorCode.INGEST_PRIVATE_ADDRESS);
        cases.put("fd12:3456::1", ErrorCode.INGEST_PRIVATE_ADDRESS);
        cases.put("::ffff:10.0.0.5", ErrorCode.INGEST_PRIVATE_ADDRESS);
        cases.put("169.254.169.254", ErrorCode.INGEST_METADATA_ADDRESS);
        cases.put("fd00:ec2::254", ErrorCode.INGEST_METADATA_ADDRESS);
        cases.put("100.100.100.200", ErrorCode.INGEST_METADATA_ADDRESS);
        cases.put("169.254.1.1", ErrorCode.INGEST_LINK_LOCAL_ADDRESS);
        cases.put("fe80::1", ErrorCode.INGEST_LINK_LOCAL_ADDRESS);
        cases.put("0.0.0.0", ErrorCode.INGEST_RESERVED_ADDRESS);
        cases.put("::", ErrorCode.INGEST_RESERVED_ADDRESS);
        cases.put("224.0.0.1", ErrorCode.INGEST_RESERVED_ADDRESS);
        cases.put("255.255.255.255", ErrorCode.INGEST_RESERVED_ADDRESS);
        cases.put("198.18.0.1", ErrorCode.INGEST_RESERVED_ADDRESS);
        AddressPolicy policy = policy(List.of());
        for (var c : cases.entrySet()) {
            assertEquals(Optional.of(c.getValue()), policy.refusal(InetAddress.getByName(c.getKey())), c.getKey());
        }
    }

    @Test
    void publicAddressesPass() throws Exception {
        AddressPolicy policy = policy(List.of());
        for (String address : new String[] {"104.18.0.1", "8.8.8.8", "172.32.0.1", "2606:4700::1111", "::ffff:8.8.8.8"}) {
            assertEquals(Optional.empty(), policy.refusal(InetAddress.getByName(address)), address);
        }
    }

    @Test
    void onlyListedNetworksAreExempt() throws Exception {
        AddressPolicy policy = policy(List.of("127.0.0.2/32", "10.8.0.0/16"));
        assertEquals(Optional.empty(), policy.refusal(InetAddress.getByName("127.0.0.2")));
        assertEquals(Optional.empty(), policy.refusal(InetAddress.getByName("10.8.200.1")));
        assertTrue(policy.refusal(InetAddress.getByName("127.0.0.1")).isPresent());
        assertTrue(policy.refusal(InetAddress.getByName("10.9.0.1")).isPresent());
    }

    @Test
    void hostPatternsMatchSubdomainsOnly() {
        assertTrue(SafeUrlFetcher.hostMatches("*.oaiusercontent.com", "files.oaiusercontent.com"));
        assertFalse(SafeUrlFetcher.hostMatches("*.oaiusercontent.com", "oaiusercontent.com"));
        assertFalse(SafeUrlFetcher.hostMatches("*.oaiusercontent.com", "evil-oaiusercontent.com"));
        assertTrue(SafeUrlFetcher.hostMatches("a.example", "a.example"));
        assertFalse(SafeUrlFetcher.hostMatches("a.example", "a.example.evil"));
    }
}
