package io.zinteract.images.quota;

import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The decoded size of every form the legacy app stored, for every padding, without decoding. */
class LegacyBytesTest {

    @Test
    void everyLengthAndFormDecodesToItsSize() {
        Random random = new Random(7);
        for (int length = 0; length <= 300; length++) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            String plain = Base64.getEncoder().encodeToString(bytes);
            assertEquals(length, LegacyBytes.decodedLength(plain), "plain " + length);
            assertEquals(length, LegacyBytes.decodedLength(Base64.getEncoder().withoutPadding().encodeToString(bytes)));
            assertEquals(length, LegacyBytes.decodedLength(Base64.getMimeEncoder().encodeToString(bytes)), "mime");
            assertEquals(length, LegacyBytes.decodedLength("data:image/png;base64," + plain), "data URL");
            assertEquals(length, LegacyBytes.decodedLength(plain + "\n"), "trailing newline");
        }
        assertEquals(0, LegacyBytes.decodedLength(null));
        assertEquals(0, LegacyBytes.decodedLength("data:image/png;base64"));
    }
}
