package io.zinteract.images.storage;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SSE-C headers are computed from the configured key exactly as S3 defines them. */
class SseCustomerKeyTest {

    @Test
    void theThreeHeaderValuesAreAlgorithmKeyAndTheKeysMd5() throws Exception {
        byte[] raw = "0123456789abcdef0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
        String setting = Base64.getEncoder().encodeToString(raw);
        SseCustomerKey key = SseCustomerKey.parse(Optional.of(" " + setting + "\n")).orElseThrow();
        List<String> values = new ArrayList<>();
        key.apply(values::add, values::add, values::add);
        String md5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(raw));
        assertEquals(List.of("AES256", setting, md5), values);
        assertEquals(md5, key.keyMd5Base64());
        assertFalse(key.toString().contains(setting), "the key itself never reaches a log line");
    }

    @Test
    void noSettingMeansNoEncryptionAndBadOnesAreRefused() {
        assertTrue(SseCustomerKey.parse(Optional.empty()).isEmpty());
        assertTrue(SseCustomerKey.parse(Optional.of("  ")).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> SseCustomerKey.parse(Optional.of("%%%")));
        assertThrows(IllegalArgumentException.class,
                () -> SseCustomerKey.parse(Optional.of(Base64.getEncoder().encodeToString(new byte[16]))));
    }
}
