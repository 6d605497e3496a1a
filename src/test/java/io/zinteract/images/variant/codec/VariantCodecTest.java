package io.zinteract.images.variant.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zinteract.images.variant.codec.VariantException.Reason;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;

class VariantCodecTest {

    private static final CodecLimits LIMITS = new CodecLimits(50_000_000L, Duration.ofSeconds(10), 0.8f, 0.85f);
    private final VariantCodec codec = new VariantCodec(LIMITS);

    private static Instant later() {
        return Instant.now().plusSeconds(30);
    }

    @Test
    void pngToWebpKeepsAspectAndDecodesBack() {
        byte[] png = TestImages.png(TestImages.scene(1792, 1024, BufferedImage.TYPE_INT_RGB));
        DecodedImage decoded = codec.decode(png, later());
        assertEquals(1792, decoded.width());
        assertEquals(1024, decoded.height());
        assertFalse(decoded.alpha());

        Rendered webp = codec.render(decoded, 480, VariantFormat.WEBP, later());
        assertEquals(VariantFormat.WEBP, webp.format());
        assertEquals(480, webp.width());
        assertEquals(274, webp.height());
        BufferedImage back = TestImages.read(webp.bytes(), "webp", "com.twelvemonkeys.");
        assertEquals(480, back.getWidth());
        assertEquals(274, back.getHeight());
        assertTrue(TestImages.distance(back.getRGB(20, 10), TestImages.CORNER.getRGB()) < 30, "the red corner survives");
        assertTrue(TestImages.distance(back.getRGB(240, 137), 0x28AA50) < 30, "the green disc is in the middle");
    }

    @Test
    void neverUpscales() {
        DecodedImage small = codec.decode(TestImages.png(TestImages.scene(100, 60, BufferedImage.TYPE_INT_RGB)), later());
        Rendered out = codec.render(small, 480, VariantFormat.WEBP, later());
        assertEquals(100, out.width());
        assertEquals(60, out.height());
        assertEquals(100, TestImages.read(out.bytes(), "webp", "com.twelvemonkeys.").getWidth());
    }

    @Test
    void autoFormatIsPngWithAlphaAndJpegWithout() {
        DecodedImage alpha = codec.decode(TestImages.png(TestImages.sceneWithAlpha(600, 400)), later());
        assertTrue(alpha.alpha());
        Rendered png = codec.render(alpha, 160, null, later());
        assertEquals(VariantFormat.PNG, png.format());
        assertEquals(107, png.height());
        BufferedImage back = TestImages.read(png.bytes(), "png", "com.sun.");
        assertTrue(back.getColorModel().hasAlpha());
        assertEquals(0, back.getRGB(80, 5) >>> 24, "the transparent top stays transparent");
        assertEquals(255, back.getRGB(80, 50) >>> 24, "the opaque middle stays opaque");
        assertEquals(List.of("IHDR", "IDAT", "IEND"), pngChunks(png.bytes()).stream().distinct().toList());
        BufferedImage webp = TestImages.read(codec.render(alpha, 160, VariantFormat.WEBP, later()).bytes(), "webp",
                "com.twelvemonkeys.");
        assertTrue(webp.getRGB(80, 5) >>> 24 < 10, "WebP keeps the transparency");
        assertEquals(255, webp.getRGB(80, 50) >>> 24);

        // an ARGB PNG whose pixels are all opaque is opaque
        DecodedImage opaque = codec.decode(TestImages.png(TestImages.scene(600, 400, BufferedImage.TYPE_INT_ARGB)), later());
        assertFalse(opaque.alpha());
        Rendered jpeg = codec.render(opaque, 160, null, later());
        assertEquals(VariantFormat.JPEG, jpeg.format());
        assertEquals(3, TestImages.read(jpeg.bytes(), "jpeg", "com.sun.").getRaster().getNumBands());
    }

    @Test
    void jpegOutputOfAlphaIsOnWhite() {
        DecodedImage alpha = codec.decode(TestImages.png(TestImages.sceneWithAlpha(600, 400)), later());
        Rendered jpeg = codec.render(alpha, 300, VariantFormat.JPEG, later());
        BufferedImage back = TestImages.read(jpeg.bytes(), "jpeg", "com.sun.");
        assertTrue(TestImages.distance(back.getRGB(150, 5), 0xFFFFFF) < 8, "transparent pixels become white");
    }

    @Test
    void exifOrientationIsAppliedAndNoMetadataIsWritten() {
        byte[] plain = TestImages.jpeg(TestImages.scene(200, 100, BufferedImage.TYPE_INT_RGB), 0.95f);
        byte[] withExif = ExifJpeg.withExif(plain, 6);
        assertTrue(TestImages.contains(withExif, "Exif") && TestImages.contains(withExif, ExifJpeg.GPS_DATUM));

        DecodedImage decoded = codec.decode(withExif, later());
        assertEquals(100, decoded.width(), "orientation 6 turns 200x100 stored pixels into a 100x200 picture");
        assertEquals(200, decoded.height());
        BufferedImage img = decoded.image();
        assertTrue(TestImages.distance(img.getRGB(94, 10), TestImages.CORNER.getRGB()) < 30, "stored top-left is top-right");
        assertTrue(TestImages.distance(img.getRGB(5, 10), TestImages.CORNER.getRGB()) > 60);

        for (VariantFormat format : VariantFormat.values()) {
            Rendered out = codec.render(decoded, 480, format, later());
            assertEquals(100, out.width());
            assertEquals(200, out.height());
            assertFalse(TestImages.contains(out.bytes(), "Exif"), format + " has no Exif");
            assertFalse(TestImages.contains(out.bytes(), "GPS"), format + " has no GPS");
            assertFalse(TestImages.contains(out.bytes(), ExifJpeg.GPS_DATUM), format + " has no GPS tag values");
            assertFalse(TestImages.contains(out.bytes(), "XMP") || TestImages.contains(out.bytes(), "ICC"));
        }
        Rendered jpeg = codec.render(decoded, 480, VariantFormat.JPEG, later());
        assertEquals(List.of(0xE0), jpegAppAndComMarkers(jpeg.bytes()), "only the JFIF APP0 header");
    }

    @Test
    void headerDeclaringTooManyPixelsIsRefusedBeforeDecoding() {
        byte[] bomb = pngClaiming(100_000, 100_000);
        VariantException e = assertTimeoutPreemptively(Duration.ofSeconds(1),
                () -> assertThrows(VariantException.class, () -> codec.decode(bomb, later())));
        assertEquals(Reason.TOO_LARGE, e.reason());
        assertTrue(VariantCodec.memoryEstimate(100_000, 100_000, bomb.length) > 100_000L * 100_000 * 4);
    }

    @Test
    void embeddedIccProfileIsConvertedToSrgbAndDropped() {
        // linear-light 0.2157 (stored 55) is sRGB 128: a reader that ignores the profile shows 55
        BufferedImage stored = new BufferedImage(128, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 128; x++) {
                int v = x < 64 ? 55 : x * 2 - 1; // a flat patch, then a ramp
                stored.setRGB(x, y, v << 16 | v << 8 | (x < 64 ? 55 : 255 - v));
            }
        }
        byte[] icc = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        byte[] jpeg = withApp2Icc(TestImages.jpeg(stored, 0.98f), icc);

        DecodedImage decoded = codec.decode(jpeg, later());
        int center = decoded.image().getRGB(32, 32);
        assertTrue(TestImages.distance(center, 0x808080) <= 6, "converted to sRGB: " + Integer.toHexString(center));

        Rendered out = codec.render(decoded, 64, VariantFormat.JPEG, later());
        assertFalse(TestImages.contains(out.bytes(), "ICC_PROFILE"));
        int back = TestImages.read(out.bytes(), "jpeg", "com.sun.").getRGB(16, 16);
        assertTrue(TestImages.distance(back, 0x808080) <= 6, Integer.toHexString(back));
    }

    @Test
    void pngIccpProfileIsApplied() {
        BufferedImage stored = new BufferedImage(96, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 96; x++) {
                int v = x < 48 ? 55 : 255 - y; // a flat patch beside a vertical ramp
                stored.setRGB(x, y, v << 16 | v << 8 | v);
            }
        }
        byte[] png = TestImages.png(stored);
        DecodedImage ignored = codec.decode(png, later());
        assertEquals(55, ignored.image().getRGB(10, 10) & 0xFF, "without a profile the stored values are sRGB");

        Deflater deflater = new Deflater();
        deflater.setInput(ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData());
        deflater.finish();
        byte[] compressed = new byte[1 << 16];
        int length = deflater.deflate(compressed);
        deflater.end();
        ByteArrayOutputStream iccp = new ByteArrayOutputStream();
        iccp.writeBytes("linear\0\0".getBytes(StandardCharsets.US_ASCII));
        iccp.write(compressed, 0, length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, 33); // signature and IHDR; iCCP must come before IDAT
        chunk(out, "iCCP", iccp.toByteArray());
        out.write(png, 33, png.length - 33);

        DecodedImage decoded = codec.decode(out.toByteArray(), later());
        int center = decoded.image().getRGB(10, 10);
        assertTrue(TestImages.distance(center, 0x808080) <= 3, "converted to sRGB: " + Integer.toHexString(center));
        Rendered rendered = codec.render(decoded, 48, VariantFormat.PNG, later());
        assertEquals(List.of("IHDR", "IDAT", "IEND"), pngChunks(rendered.bytes()).stream().distinct().toList());
    }

    @Test
    void adobeCmykJpegDecodesToRgb() throws Exception {
        int w = 120;
        int h = 80;
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int fade = y * 2; // key rises downwards
                int[] cmyk = x < w / 2 ? new int[] {0, 255, 255, fade} : new int[] {255, 0, 0, fade};
                for (int i = 0; i < 4; i++) {
                    cmyk[i] = 255 - cmyk[i]; // Adobe APP14 CMYK is stored inverted
                }
                raster.setPixel(x, y, cmyk);
            }
        }
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        ImageWriter writer = writers.next();
        while (!writer.getClass().getName().startsWith("com.sun.")) {
            writer = writers.next(); // the JDK's writer: it writes a 4-band raster as four plain components
        }
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(raw)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(raster, null, null), null);
        }
        byte[] bytes = raw.toByteArray();
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        jpeg.write(bytes, 0, 2);
        // APP14 "Adobe", version 100, flags 0, transform 0: four components are CMYK, not YCCK
        jpeg.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0});
        jpeg.write(bytes, 2, bytes.length - 2);

        DecodedImage decoded = codec.decode(jpeg.toByteArray(), later());
        assertTrue(TestImages.distance(decoded.image().getRGB(10, 2), 0xFF0000) < 40,
                Integer.toHexString(decoded.image().getRGB(10, 2)));
        assertTrue(TestImages.distance(decoded.image().getRGB(110, 2), 0x00FFFF) < 40,
                Integer.toHexString(decoded.image().getRGB(110, 2)));
        int top = decoded.image().getRGB(10, 5);
        int bottom = decoded.image().getRGB(10, 75);
        assertTrue(((bottom >> 16) & 0xFF) < ((top >> 16) & 0xFF) - 80, "more key, darker red: " + Integer.toHexString(bottom));
    }

    @Test
    void pastDeadlineTimesOut() {
        byte[] png = TestImages.png(TestImages.scene(300, 200, BufferedImage.TYPE_INT_RGB));
        Instant past = Instant.now().minusMillis(1);
        assertEquals(Reason.TIMED_OUT, assertThrows(VariantException.class, () -> codec.decode(png, past)).reason());
        DecodedImage decoded = codec.decode(png, later());
        assertEquals(Reason.TIMED_OUT,
                assertThrows(VariantException.class, () -> codec.render(decoded, 100, VariantFormat.WEBP, past)).reason());
    }

    @Test
    void deadlineDuringDecodeAbortsIt() {
        byte[] png = TestImages.png(TestImages.scene(1792, 1024, BufferedImage.TYPE_INT_RGB));
        Instant soon = Instant.now().plusMillis(2);
        assertEquals(Reason.TIMED_OUT, assertThrows(VariantException.class, () -> codec.decode(png, soon)).reason());
    }

    @Test
    void gifAndWebpOriginalsDecode() {
        BufferedImage scene = TestImages.scene(320, 200, BufferedImage.TYPE_INT_RGB);
        DecodedImage gif = codec.decode(TestImages.write(scene, "gif", -1), later());
        assertEquals(320, gif.width());
        assertTrue(TestImages.distance(gif.image().getRGB(10, 10), TestImages.CORNER.getRGB()) < 40);

        byte[] webp = codec.render(codec.decode(TestImages.png(scene), later()), 320, VariantFormat.WEBP, later()).bytes();
        DecodedImage fromWebp = codec.decode(webp, later());
        assertEquals(200, fromWebp.height());
        assertTrue(TestImages.distance(fromWebp.image().getRGB(10, 10), TestImages.CORNER.getRGB()) < 30);
    }

    @Test
    void garbageIsUnreadable() {
        byte[] text = "<html>not an image</html>".getBytes(StandardCharsets.US_ASCII);
        assertEquals(Reason.UNREADABLE, assertThrows(VariantException.class, () -> codec.decode(text, later())).reason());
    }

    @Test
    void formatNames() {
        assertEquals(VariantFormat.JPEG, VariantFormat.parse("JPG").orElseThrow());
        assertEquals(VariantFormat.WEBP, VariantFormat.parse("WebP").orElseThrow());
        assertTrue(VariantFormat.parse("avif").isEmpty());
        assertEquals("jpg", VariantFormat.JPEG.extension());
        assertEquals("jpeg", VariantFormat.JPEG.wire());
        assertEquals("image/webp", VariantFormat.WEBP.mimeType());
    }

    /** The profile in one APP2 ICC_PROFILE segment right after SOI (sequence 1 of 1). */
    static byte[] withApp2Icc(byte[] jpeg, byte[] icc) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        int length = 2 + 12 + 2 + icc.length;
        out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xE2, (byte) (length >> 8), (byte) length});
        out.writeBytes("ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(new byte[] {1, 1});
        out.writeBytes(icc);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** A PNG with a valid IHDR for {@code w} x {@code h}, one tiny IDAT and IEND: a decompression bomb's header. */
    static byte[] pngClaiming(int w, int h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).array());
        chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(name);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    static List<String> pngChunks(byte[] png) {
        List<String> chunks = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(png);
        int pos = 8;
        while (pos + 8 <= png.length) {
            int length = b.getInt(pos);
            chunks.add(new String(png, pos + 4, 4, StandardCharsets.US_ASCII));
            pos += 12 + length;
        }
        return chunks;
    }

    /** The APPn (0xE0..0xEF) and COM (0xFE) markers before the first scan. */
    static List<Integer> jpegAppAndComMarkers(byte[] jpeg) {
        List<Integer> markers = new ArrayList<>();
        int pos = 2;
        while (pos + 4 <= jpeg.length && (jpeg[pos] & 0xFF) == 0xFF) {
            int marker = jpeg[pos + 1] & 0xFF;
            if (marker == 0xDA) {
                break;
            }
            if (marker >= 0xE0 && marker <= 0xEF || marker == 0xFE) {
                markers.add(marker);
            }
            pos += 2 + ((jpeg[pos + 2] & 0xFF) << 8 | (jpeg[pos + 3] & 0xFF));
        }
        return markers;
    }
}
