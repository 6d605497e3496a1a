package io.zinteract.images.image.intake;

import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stored base64 forms the legacy app left behind, each decoded to the very bytes, and the corrupt ones refused. */
class ImageBytesTest {

    private static final byte[] BYTES = new byte[10_001];

    static {
        new Random(6).nextBytes(BYTES);
    }

    @Test
    void oneLineOfBase64() {
        assertArrayEquals(BYTES, ImageBytes.decodeBase64(Base64.getEncoder().encodeToString(BYTES)).orElseThrow());
    }

    @Test
    void aDataUrl() {
        String stored = "data:image/png;base64," + Base64.getEncoder().encodeToString(BYTES);
        assertArrayEquals(BYTES, ImageBytes.decodeBase64(stored).orElseThrow());
    }

    @Test
    void lineBrokenBase64WithSpacesAndTabs() {
        String mime = Base64.getMimeEncoder().encodeToString(BYTES);
        assertTrue(mime.contains("\r\n"));
        assertArrayEquals(BYTES, ImageBytes.decodeBase64(" " + mime.replace("\r\n", "\n\t") + "\n").orElseThrow());
        assertArrayEquals(BYTES, ImageBytes.decodeBase64("data:image/png;base64,\n" + mime).orElseThrow());
    }

    @Test
    void corruptOrEmptyValuesDecodeToNothing() {
        String good = Base64.getEncoder().encodeToString(BYTES);
        for (String stored : new String[] { null, "", " \n\t", "data:image/png;base64,", "data:image/png,abcd",
                "data:image/png;base64", good.substring(0, good.length() - 1) + "*", good.substring(1), "not base64!" }) {
            assertTrue(ImageBytes.decodeBase64(stored).isEmpty(), () -> "must not decode: " + stored);
        }
    }
}
