package io.zinteract.images.storage;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ObjectKeysTest {

    static ObjectKeys keys(String prefix) {
        return new ObjectKeys(new R2Config() {
            public Optional<String> accountId() { return Optional.empty(); }
            public Optional<String> endpoint() { return Optional.empty(); }
            public Optional<String> accessKeyId() { return Optional.empty(); }
            public Optional<String> secretAccessKey() { return Optional.empty(); }
            public String bucket() { return "b"; }
            public Optional<String> publicUrl() { return Optional.empty(); }
            public String region() { return "auto"; }
            public String keyPrefix() { return prefix; }
            public Duration callTimeout() { return Duration.ofSeconds(1); }
            public long readBufferBytes() { return 1 << 20; }
            public Optional<String> sseCKey() { return Optional.empty(); }
            public java.util.OptionalInt iaAfterDays() { return java.util.OptionalInt.empty(); }
        });
    }

    @Test
    void keysAreAFunctionOfTheImageAlone() {
        ObjectKeys keys = keys("images/");
        String id = "6f1c1f7e-0b3a-4d55-9a57-1b2c3d4e5f60";
        assertEquals("images/gen-x/" + id + ".png", keys.forImage("gen-x", id, "png"));
        assertEquals(keys.forImage("gen-x", id, "png"), keys.forImage("gen-x", id, "png"));
        assertEquals(Optional.of(id), keys.imageIdOf("images/gen-x/" + id + ".png"));
        assertEquals(Optional.empty(), keys.imageIdOf("other/gen-x/" + id + ".png"));
        assertEquals("archive/2024/gen-x/a.jpg", keys("archive/2024/").forImage("gen-x", "a", "jpg"));
    }

    @Test
    void legacyPersonaIdsWithOddCharactersGetAKeyOfTheirOwnTheSameWayEveryTime() {
        ObjectKeys keys = keys("images/");
        assertEquals("images/~" + ObjectKeys.base32("Gen Z (2)".getBytes(StandardCharsets.UTF_8)) + "/x.webp",
                keys.forImage("Gen Z (2)", "x", "webp"));
        assertEquals("mfrgg", ObjectKeys.base32("abc".getBytes(StandardCharsets.UTF_8)));
        assertEquals("images/~/x.webp", keys.forImage(null, "x", "webp"));
        assertEquals(keys.forImage("", "x", "webp"), keys.forImage(null, "x", "webp"));
        assertNotEquals(keys.forImage("_", "x", "webp"), keys.forImage("", "x", "webp"));
        assertEquals("images/" + "a".repeat(64) + "/x.png", keys.forImage("a".repeat(64), "x", "png"));
        assertNotEquals("images/" + "a".repeat(64) + "/x.png", keys.forImage("a".repeat(100), "x", "png"));
    }

    /** The case: two legacy rows of one persona, {@code coll_1} and {@code coll.1}, had one key. */
    @Test
    void collOneAndCollDotOneHaveTwoKeys() {
        ObjectKeys keys = keys("images/");
        assertEquals("images/legacy-c/coll_1.png", keys.forImage("legacy-c", "coll_1", "png"));
        assertNotEquals(keys.forImage("legacy-c", "coll_1", "png"), keys.forImage("legacy-c", "coll.1", "png"));
        assertEquals("images/legacy-c/~mnxwy3boge.png", keys.forImage("legacy-c", "coll.1", "png"));
        assertEquals(Optional.of("coll.1"), keys.imageIdOf(keys.forImage("legacy-c", "coll.1", "png")));
    }

    /** Ids chosen to break a mapping: every way two of them could meet, plus thousands of random ones. */
    static List<String> hostileIds() {
        List<String> ids = new ArrayList<>(List.of("coll_1", "coll.1", "coll/1", "coll 1", "coll\\1", "coll%2E1",
                "COLL_1", "Coll_1", "coll_1 ", " coll_1", "", " ", "_", "-", "~", "~~", ".", "..", "../x", "a/../b",
                "/", "//", "a/b", "a.b.c", "x.png", "ç", "c\u0327", "日本", "😀", "é", "e\u0301", "\u00a0",
                "a".repeat(64), "a".repeat(65), "a".repeat(64) + "b", "a".repeat(200), "a".repeat(201),
                "ü".repeat(200), "日".repeat(300), "x".repeat(1000), "x".repeat(5000), "mfrgg", "~mfrgg",
                "~" + ObjectKeys.base32("coll.1".getBytes(StandardCharsets.UTF_8)),
                "~~" + "0".repeat(64), "~~" + "a".repeat(64)));
        Random random = new Random(9);
        for (int i = 0; i < 3000; i++) {
            StringBuilder id = new StringBuilder();
            int length = random.nextInt(i % 10 == 0 ? 400 : 20);
            for (int j = 0; j < length; j++) {
                int kind = random.nextInt(4);
                int cp = switch (kind) {
                    case 0 -> "aA0_-./~ ".charAt(random.nextInt(9));
                    case 1 -> 0x20 + random.nextInt(0x5f);
                    case 2 -> 0xa0 + random.nextInt(0x3000);
                    default -> 0x1f300 + random.nextInt(0x300);
                };
                id.appendCodePoint(cp);
            }
            ids.add(id.toString());
        }
        return ids;
    }

    @Test
    void everyPairOfDistinctIdsGetsDistinctKeysThatAreValidAndReadBack() {
        for (String prefix : List.of("images/", "", "archive/2024/")) {
            ObjectKeys keys = keys(prefix);
            List<String> ids = hostileIds();
            Map<String, String> seen = new HashMap<>();
            String[] personas = {"gen-x", "", "gen.x", "gen/x", "Gen-X", "ü".repeat(300)};
            int n = 0;
            for (String persona : personas) {
                for (String id : new java.util.LinkedHashSet<>(ids)) {
                    String key = keys.forImage(persona, id, "png");
                    ObjectKeys.validate(key);
                    assertTrue(key.getBytes(StandardCharsets.UTF_8).length <= ObjectKeys.MAX_KEY_BYTES, key);
                    assertTrue(key.startsWith(prefix));
                    String pair = persona + "\u0000" + id;
                    String before = seen.put(key, pair);
                    assertTrue(before == null || before.equals(pair), () -> "two ids share " + key);
                    if (id.matches("[A-Za-z0-9_-]{1,64}") && persona.matches("[A-Za-z0-9_-]{1,64}")) {
                        assertEquals(prefix + persona + "/" + id + ".png", key, "a safe id keeps today's key");
                    }
                    for (String segment : key.split("/")) {
                        assertTrue(segment.getBytes(StandardCharsets.UTF_8).length <= 200 + ".png".length(), key);
                    }
                    Optional<String> back = keys.imageIdOf(key);
                    String segment = key.substring(key.lastIndexOf('/') + 1, key.lastIndexOf('.'));
                    if (segment.startsWith("~~")) {
                        assertEquals(Optional.empty(), back);
                    } else {
                        assertEquals(Optional.of(id), back, key);
                    }
                    n++;
                }
            }
            assertTrue(n > 15_000, "pairs checked: " + n);
            assertEquals(n, seen.size());
        }
    }

    @Test
    void keysWrittenBeforeEncodedSegmentsStayValid() {
        for (String key : new String[] {"images/Gen_Z__2_/x.webp", "images/_/x.webp", "images/" + "a".repeat(64) + "/x.png",
                "images/legacy-c/coll_1.png", "uploads/6f1c1f7e-0b3a-4d55-9a57-1b2c3d4e5f60"}) {
            ObjectKeys.validate(key);
        }
    }

    @Test
    void base32DecodingIsStrict() {
        assertEquals(Optional.empty(), ObjectKeys.unbase32("mfrgh"), "non-zero padding bits");
        assertEquals(Optional.empty(), ObjectKeys.unbase32("m"), "a length base32 never has");
        assertEquals(Optional.empty(), ObjectKeys.unbase32("MFRGG"));
        assertArrayEquals("abc".getBytes(StandardCharsets.UTF_8), ObjectKeys.unbase32("mfrgg").orElseThrow());
    }

    @Test
    void unsafeKeysAreRefusedBeforeAnyCall() {
        for (String key : new String[] {"", "/abs", "a//b", "a/../b", "a/b c.png", "a/b.png/", "x".repeat(1025), "a/ü.png",
                "a/~A.png", "a/~1.png", "a/~~abc.png", "a/b~c.png", "a/~.b.png", "~/../x"}) {
            assertThrows(ObjectKeys.InvalidKeyException.class, () -> ObjectKeys.validate(key), key);
        }
    }
}
