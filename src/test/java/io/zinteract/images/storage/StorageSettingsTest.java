package io.zinteract.images.storage;

import io.zinteract.images.support.FakeSettings;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Each unusable R2 setting is refused with one line that names the variable to fix. */
class StorageSettingsTest {

    static final String ACCOUNT = "0123456789abcdef0123456789abcdef";

    private static String problem(FakeSettings s) {
        return new StorageSettings(s.service(), s.r2()).problem();
    }

    @Test
    void defaultsStartWithoutAnyR2Account() {
        assertNull(problem(new FakeSettings()));
    }

    @Test
    void aCompleteR2AccountStartsWithR2StorageOn() {
        assertNull(problem(new FakeSettings().with("ENABLE_R2_STORAGE", "true").with("R2_ACCOUNT_ID", ACCOUNT)
                .with("R2_ACCESS_KEY_ID", "k").with("R2_SECRET_ACCESS_KEY", "s")));
    }

    @Test
    void theAccountIdGivesTheR2Endpoint() {
        FakeSettings s = new FakeSettings().with("R2_ACCOUNT_ID", ACCOUNT);
        assertEquals("https://" + ACCOUNT + ".r2.cloudflarestorage.com", s.r2().effectiveEndpoint().orElseThrow());
        s.with("R2_ENDPOINT", "http://127.0.0.1:9000");
        assertEquals("http://127.0.0.1:9000", s.r2().effectiveEndpoint().orElseThrow(), "R2_ENDPOINT overrides");
    }

    @Test
    void eachBadSettingNamesItsVariable() {
        Map<FakeSettings, String> cases = new LinkedHashMap<>();
        cases.put(new FakeSettings().with("ENABLE_R2_STORAGE", "true"), "ENABLE_R2_STORAGE=true needs R2_ACCOUNT_ID or R2_ENDPOINT");
        cases.put(new FakeSettings().with("ENABLE_R2_STORAGE", "true").with("R2_ACCOUNT_ID", ACCOUNT),
                "ENABLE_R2_STORAGE=true needs R2_ACCESS_KEY_ID and R2_SECRET_ACCESS_KEY");
        cases.put(new FakeSettings().with("R2_ACCESS_KEY_ID", "k"), "R2_SECRET_ACCESS_KEY is missing while R2_ACCESS_KEY_ID is set");
        cases.put(new FakeSettings().with("R2_SECRET_ACCESS_KEY", "s"), "R2_ACCESS_KEY_ID is missing while R2_SECRET_ACCESS_KEY is set");
        cases.put(new FakeSettings().with("R2_READ_BUFFER_BYTES", "65535"), "R2_READ_BUFFER_BYTES must be between 65536 and 268435456");
        cases.put(new FakeSettings().with("R2_READ_BUFFER_BYTES", "268435457"), "R2_READ_BUFFER_BYTES must be between 65536 and 268435456");
        cases.put(new FakeSettings().with("R2_ACCOUNT_ID", "my-account"), "R2_ACCOUNT_ID must be the 32-character hexadecimal Cloudflare account id");
        cases.put(new FakeSettings().with("R2_ENDPOINT", "ftp://x"), "R2_ENDPOINT must be an http(s) URL such as https://<account>.r2.cloudflarestorage.com");
        cases.put(new FakeSettings().with("R2_PUBLIC_URL", "images.example.com"), "R2_PUBLIC_URL must be an http(s) URL such as https://images.example.com");
        cases.put(new FakeSettings().with("R2_BUCKET", "Bad_Bucket"), "R2_BUCKET must be 3 to 63 lowercase letters, digits or hyphens");
        cases.put(new FakeSettings().with("R2_KEY_PREFIX", "../"), "R2_KEY_PREFIX must be empty or folders of [A-Za-z0-9_-] each ending in '/'");
        cases.put(new FakeSettings().with("PRESIGN_TTL", "P8D"), "PRESIGN_TTL must be between PT1S and P7D (R2's presign limits)");
        cases.forEach((settings, expected) -> assertEquals(expected, problem(settings)));
    }

    @Test
    void storageFeatureSettingsAreRefusedWithOneLineNamingTheirVariable() {
        String key32 = Base64.getEncoder().encodeToString(new byte[32]);
        String key31 = Base64.getEncoder().encodeToString(new byte[31]);
        String key33 = Base64.getEncoder().encodeToString(new byte[33]);
        Map<FakeSettings, String> cases = new LinkedHashMap<>();
        cases.put(new FakeSettings().with("R2_SSE_C_KEY", "not base64!"), "R2_SSE_C_KEY must be base64 (e.g. openssl rand -base64 32)");
        cases.put(new FakeSettings().with("R2_SSE_C_KEY", key31),
                "R2_SSE_C_KEY must be the base64 of exactly 32 bytes, not 31 (e.g. openssl rand -base64 32)");
        cases.put(new FakeSettings().with("R2_SSE_C_KEY", key33),
                "R2_SSE_C_KEY must be the base64 of exactly 32 bytes, not 33 (e.g. openssl rand -base64 32)");
        cases.put(new FakeSettings().with("R2_SSE_C_KEY", key32).with("R2_PUBLIC_URL", "https://images.example.com"),
                "R2_PUBLIC_URL cannot serve objects encrypted with R2_SSE_C_KEY (a browser cannot send the key); unset one of them");
        cases.put(new FakeSettings().with("R2_SSE_C_KEY", key32).with("R2_ENDPOINT", "http://s3.example.com"),
                "R2_SSE_C_KEY needs an https R2_ENDPOINT: the key travels in request headers");
        cases.put(new FakeSettings().with("R2_IA_AFTER_DAYS", "-1"),
                "R2_IA_AFTER_DAYS must be a number of days, 0 or more (empty: never use STANDARD_IA)");
        cases.forEach((settings, expected) -> assertEquals(expected, problem(settings)));

        assertNull(problem(new FakeSettings().with("R2_SSE_C_KEY", key32).with("R2_ACCOUNT_ID", ACCOUNT)));
        assertNull(problem(new FakeSettings().with("R2_SSE_C_KEY", key32).with("R2_ENDPOINT", "http://127.0.0.1:9000")),
                "plain HTTP is fine on loopback (local S3 servers, test proxies)");
        assertNull(problem(new FakeSettings().with("R2_IA_AFTER_DAYS", "0")));
    }
}
