package io.zinteract.images.image.intake;

import io.zinteract.images.support.BigImages;
import io.zinteract.images.support.HostileImages;
import io.zinteract.images.support.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/** The header parsers alone: every hostile file gets its own code, from memory and from a file alike. */
class ImageStructureTest {

    static final long LIMIT = 50_000_000;

    @TempDir
    Path dir;

    @Test
    void everyHostileFileIsRefusedWithItsCode() throws Exception {
        for (HostileImages.Case c : HostileImages.all().values()) {
            ImageType type = ImageType.sniff(c.bytes()).orElseThrow(() -> new AssertionError(c.name() + " must sniff"));
            assertEquals(c.mimeType(), type.mimeType(), c.name());
            ImageDefect inMemory = assertThrows(ImageDefect.class, () -> ImageStructure.check(type, c.bytes(), LIMIT),
                    c.name());
            assertEquals(c.code(), inMemory.kind().code().name(), c.name() + ": " + inMemory.getMessage());
            Path file = Files.write(dir.resolve("f" + Math.abs(c.name().hashCode())), c.bytes());
            ImageDefect fromFile = assertThrows(ImageDefect.class, () -> ImageStructure.check(type, file, LIMIT), c.name());
            assertEquals(c.code(), fromFile.kind().code().name(), c.name());
        }
    }

    @Test
    void validImagesOfEveryFormatPassWithTheirDimensions() {
        assertInfo(ImageType.PNG, TestImages.png(300, 200, 1), 300, 200);
        assertInfo(ImageType.JPEG, TestImages.jpeg(80, 60, 2), 80, 60);
        assertInfo(ImageType.GIF, TestImages.gif(), 8, 8);
        assertInfo(ImageType.WEBP, TestImages.webp(501, 3), 16, 16);
        assertInfo(ImageType.AVIF, TestImages.avif(640, 480, 400), 640, 480);
        assertInfo(ImageType.PNG, BigImages.png(2 * 1024 * 1024, 4), 32, 32);
        assertInfo(ImageType.WEBP, HostileImages.webpDeclaring(4000, 3000), 4000, 3000);
    }

    @Test
    void jpegsAppendedAfterEoiAndZeroPaddingAreAccepted() {
        byte[] first = TestImages.jpeg(40, 30, 5);
        byte[] gainMap = TestImages.jpeg(20, 15, 6);
        assertInfo(ImageType.JPEG, HostileImages.concat(first, gainMap), 40, 30);
        assertInfo(ImageType.JPEG, HostileImages.concat(first, new byte[64]), 40, 30);
        ImageDefect cut = assertThrows(ImageDefect.class, () -> ImageStructure.check(ImageType.JPEG,
                HostileImages.concat(first, java.util.Arrays.copyOf(gainMap, gainMap.length - 2)), LIMIT));
        assertEquals(ImageDefect.Kind.TRUNCATED, cut.kind());
    }

    @Test
    void thePixelLimitIsInclusiveAndConfigurable() {
        byte[] png = HostileImages.pngDeclaring(10_000, 5_000, 200);
        assertEquals(10_000, ImageStructure.check(ImageType.PNG, png, 50_000_000).width());
        ImageDefect over = assertThrows(ImageDefect.class, () -> ImageStructure.check(ImageType.PNG, png, 49_999_999));
        assertEquals(ImageDefect.Kind.TOO_MANY_PIXELS, over.kind());
        // 2^32-1 x 2^32-1 must not overflow into a small product
        ImageDefect huge = assertThrows(ImageDefect.class, () -> ImageStructure.check(ImageType.AVIF,
                TestImages.avif(0xFFFFFFFFL, 0xFFFFFFFFL, 300), Long.MAX_VALUE));
        assertEquals(ImageDefect.Kind.TOO_MANY_PIXELS, huge.kind());
    }

    private static void assertInfo(ImageType type, byte[] bytes, long width, long height) {
        try {
            ImageStructure.Info info = ImageStructure.check(type, bytes, LIMIT);
            assertEquals(type, info.type());
            assertEquals(width, info.width(), type + " width");
            assertEquals(height, info.height(), type + " height");
        } catch (ImageDefect e) {
            fail(type + " refused: " + e.reason());
        }
    }
}
