package io.zinteract.images.ratelimit;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every spelling of one client is one key; nothing a client sends makes a key longer than 64 characters. */
class ClientKeysTest {

    @Test
    void ipv4SpellingsAreOneKey() {
        for (String s : List.of("198.51.100.3", " 198.51.100.3 ", "198.51.100.3:4711", "::ffff:198.51.100.3",
                "[::FFFF:c633:6403]:80", "::ffff:C633:6403", "[::ffff:198.51.100.3]")) {
            assertEquals("4:198.51.100.3", ClientKeys.addressKey(s), s);
        }
    }

    @Test
    void ipv6IsCutToItsSlash64WhateverItsCaseOrZone() {
        String key = ClientKeys.addressKey("2001:db8:aa:1::1");
        assertEquals("6:20010db800aa0001/64", key);
        for (String s : List.of("2001:DB8:AA:1:ffff:1:2:3", "[2001:0db8:00aa:0001::9]:443", "2001:db8:aa:1::1%eth0",
                "fe80::1%1")) {
            if (!s.startsWith("fe80")) {
                assertEquals(key, ClientKeys.addressKey(s), s);
            }
        }
        assertEquals("6:fe80000000000000/64", ClientKeys.addressKey("fe80::1%1"));
        assertTrue(!key.equals(ClientKeys.addressKey("2001:db8:aa:2::1")));
    }

    @Test
    void namesAndGarbageAreNoAddress() {
        for (String s : List.of("", "unknown", "_hidden", "example.com", "1.2.3", "[::1", "1.2.3.4.5", "x".repeat(500))) {
            assertNull(ClientKeys.addressKey(s), s);
        }
    }

    @Test
    void theLastForwardedElementIsTheGatewaysOne() {
        assertEquals("10.0.0.2", ClientKeys.lastForwarded(List.of("1.1.1.1, 10.0.0.1", "10.0.0.2"), List.of()));
        assertEquals("10.0.0.1", ClientKeys.lastForwarded(List.of("1.1.1.1, 10.0.0.1 , "), List.of()));
        assertEquals("[2001:db8::1]:4711", ClientKeys.lastForwarded(List.of(),
                List.of("for=1.1.1.1;proto=https, for=\"[2001:db8::1]:4711\"")));
        assertEquals("10.0.0.1", ClientKeys.lastForwarded(List.of("10.0.0.1"), List.of("for=1.1.1.1")),
                "X-Forwarded-For first, as gateways append to it");
        assertNull(ClientKeys.lastForwarded(List.of(), List.of()));
    }

    @Test
    void idsAreBounded() {
        assertEquals("s:s-7", ClientKeys.id("s", "s-7"));
        assertNull(ClientKeys.id("s", " "));
        String hashed = ClientKeys.id("p", "x".repeat(100_000));
        assertTrue(hashed.startsWith("p:#") && hashed.length() <= 64, hashed);
        assertEquals(hashed, ClientKeys.id("p", "x".repeat(100_000)));
        assertTrue(!ClientKeys.id("s", "a b").equals(ClientKeys.id("s", "a_b")));
    }

    @Test
    void limitsReadAndRefuse() {
        assertEquals(new LimitSpec(10, java.time.Duration.ofMinutes(1)), LimitSpec.parse("10/PT1M"));
        assertEquals(new LimitSpec(5, java.time.Duration.ofHours(1)), LimitSpec.parse(" 5/pt1h "));
        assertNull(LimitSpec.parse("off"));
        assertNull(LimitSpec.parse("0"));
        assertNull(LimitSpec.parse("0/PT1M"));
        for (String bad : List.of("", "10", "10/min", "-1/PT1M", "ten/PT1M", "10/PT0.5S", "10/P2D")) {
            assertThrows(IllegalArgumentException.class, () -> LimitSpec.parse(bad), bad);
        }
        assertEquals(60, LimitSpec.parse("10/PT1M").windowSeconds());
    }
}
