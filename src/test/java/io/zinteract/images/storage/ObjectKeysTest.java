package io.zinteract.images.storage;

import io.zinteract.images.config.R2Config;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
    void legacyPersonaIdsWithOddCharactersAreMadeSafeTheSameWayEveryTime() {
        ObjectKeys keys = keys("images/");
        assertEquals("images/Gen_Z__2_/x.webp", keys.forImage("Gen Z (2)", "x", "webp"));
        assertEquals("images/_/x.webp", keys.forImage(null, "x", "webp"));
        assertEquals("images/" + "a".repeat(64) + "/x.png", keys.forImage("a".repeat(100), "x", "png"));
    }

    @Test
    void unsafeKeysAreRefusedBeforeAnyCall() {
        for (String key : new String[] {"", "/abs", "a//b", "a/../b", "a/b c.png", "a/b.png/", "x".repeat(1025), "a/ü.png"}) {
            assertThrows(ObjectKeys.InvalidKeyException.class, () -> ObjectKeys.validate(key), key);
        }
    }
}
