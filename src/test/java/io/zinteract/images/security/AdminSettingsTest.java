package io.zinteract.images.security;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** An admin key short enough to guess is refused at start; none at all is allowed (admin endpoints then refuse). */
class AdminSettingsTest {

    private static String problem(Optional<String> key) {
        return new AdminSettings(new AdminConfig() {
            public Optional<String> apiKey() {
                return key;
            }

            public boolean allowUnauthenticated() {
                return false;
            }
        }).problem();
    }

    @Test
    void shortKeysAreRefused() {
        assertEquals("ADMIN_API_KEY must be at least 16 characters (e.g. openssl rand -hex 32)", problem(Optional.of("short")));
        assertNull(problem(Optional.empty()));
        assertNull(problem(Optional.of(" ")));
        assertNull(problem(Optional.of("0123456789abcdef")));
    }
}
