package io.zinteract.images.support;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Files that start like an image and are not one the service may store, each with the problem code it must get. The
 * first six are the ones issue 9 quotes; the rest cover every format's truncation, missing dimensions and trailing
 * data.
 */
public final class HostileImages {

    /** A hostile file, the MIME type its signature claims, and the code that refuses it. */
    public record Case(String name, byte[] bytes, String mimeType, String code) {
    }

    private HostileImages() {
    }

    public static Map<String, Case> all() {
        Map<String, Case> cases = new LinkedHashMap<>();
        byte[] png = TestImages.png(16, 16, 1);
        byte[] jpeg = TestImages.jpeg(24, 16, 2);
        byte[] gif = TestImages.gif();
        add(cases, "PNG with HTML appended", concat(png, html()), "image/png", "IMAGE_TRAILING_DATA");
        add(cases, "GIF/JavaScript polyglot", gifJsPolyglot(), "image/gif", "IMAGE_TRAILING_DATA");
        add(cases, "8-byte PNG", Arrays.copyOf(png, 8), "image/png", "IMAGE_TRUNCATED");
        add(cases, "20-byte truncated PNG", Arrays.copyOf(png, 20), "image/png", "IMAGE_TRUNCATED");
        add(cases, "51 KB PNG declaring 100000x100000", pngDeclaring(100_000, 100_000, 51 * 1024), "image/png",
                "IMAGE_TOO_MANY_PIXELS");
        add(cases, "30-byte WebP declaring 16383x16383", webpDeclaring(16383, 16383), "image/webp", "IMAGE_TOO_MANY_PIXELS");
        add(cases, "PNG cut before IEND", Arrays.copyOf(png, png.length - 12), "image/png", "IMAGE_TRUNCATED");
        add(cases, "PNG declaring 0x16", pngDeclaring(0, 16, 64), "image/png", "IMAGE_DIMENSIONS_MISSING");
        add(cases, "PNG with a wrong IHDR CRC", withByte(png, 30, png[30] ^ 0x55), "image/png", "IMAGE_MALFORMED");
        add(cases, "JPEG cut in half", Arrays.copyOf(jpeg, jpeg.length / 2), "image/jpeg", "IMAGE_TRUNCATED");
        add(cases, "JPEG without a frame header", jpegWithoutSof(), "image/jpeg", "IMAGE_DIMENSIONS_MISSING");
        add(cases, "JPEG with HTML after EOI", concat(jpeg, html()), "image/jpeg", "IMAGE_TRAILING_DATA");
        add(cases, "GIF without its trailer", Arrays.copyOf(gif, gif.length - 1), "image/gif", "IMAGE_TRUNCATED");
        byte[] webp = TestImages.webp(200, 3);
        add(cases, "WebP cut short", Arrays.copyOf(webp, 120), "image/webp", "IMAGE_TRUNCATED");
        add(cases, "WebP with bytes after RIFF", concat(webp, html()), "image/webp", "IMAGE_TRAILING_DATA");
        byte[] avif = TestImages.avif(300);
        add(cases, "AVIF cut inside mdat", Arrays.copyOf(avif, 150), "image/avif", "IMAGE_TRUNCATED");
        add(cases, "AVIF without ispe", avifWithoutExtents(), "image/avif", "IMAGE_DIMENSIONS_MISSING");
        add(cases, "AVIF declaring 20000x20000", TestImages.avif(20_000, 20_000, 300), "image/avif", "IMAGE_TOO_MANY_PIXELS");
        add(cases, "AVIF with HTML after its boxes", concat(avif, html()), "image/avif", "IMAGE_TRAILING_DATA");
        return cases;
    }

    /** The six files issue 9 quotes; the ones every serve mode is tested with over HTTP. */
    public static Map<String, Case> quoted() {
        Map<String, Case> quoted = new LinkedHashMap<>();
        all().values().stream().limit(6).forEach(c -> quoted.put(c.name(), c));
        return quoted;
    }

    private static void add(Map<String, Case> cases, String name, byte[] bytes, String mime, String code) {
        cases.put(name, new Case(name, bytes, mime, code));
    }

    public static byte[] html() {
        return "<html><body><script>alert(document.domain)</script></body></html>".getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * {@code GIF89a/*}: the logical screen width is the bytes of a JavaScript comment opener, the file is a real 1x1
     * GIF up to its trailer, and after the trailer the comment closes and a script runs.
     */
    public static byte[] gifJsPolyglot() {
        byte[] gif = {
            'G', 'I', 'F', '8', '9', 'a', '/', '*', 0x0A, 0x00, 0x00, 0x00, 0x00,
            0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0,
            0x02, 0x02, 0x4C, 0x01, 0x00,
            0x3B
        };
        return concat(gif, "*/=1;alert(document.domain);//".getBytes(StandardCharsets.US_ASCII));
    }

    /** A PNG whose IHDR (with a correct CRC) declares {@code width}x{@code height}, an IDAT of zeros, and IEND. */
    public static byte[] pngDeclaring(long width, long height, int totalBytes) {
        byte[] signature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
        byte[] ihdr = chunk("IHDR", concat(TestImages.be32(width), TestImages.be32(height), new byte[] {8, 2, 0, 0, 0}));
        byte[] iend = chunk("IEND", new byte[0]);
        int idat = Math.max(0, totalBytes - signature.length - ihdr.length - iend.length - 12);
        return concat(signature, ihdr, chunk("IDAT", new byte[idat]), iend);
    }

    /** A 30-byte lossless WebP whose VP8L header declares {@code width}x{@code height}. */
    public static byte[] webpDeclaring(int width, int height) {
        byte[] payload = new byte[10];
        payload[0] = 0x2F;
        int bits = (width - 1) | ((height - 1) << 14);
        for (int i = 0; i < 4; i++) {
            payload[1 + i] = (byte) (bits >>> (8 * i));
        }
        return TestImages.riff("VP8L", payload);
    }

    static byte[] jpegWithoutSof() {
        byte[] app0 = {(byte) 0xFF, (byte) 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0};
        return concat(new byte[] {(byte) 0xFF, (byte) 0xD8}, app0, new byte[] {(byte) 0xFF, (byte) 0xD9});
    }

    static byte[] avifWithoutExtents() {
        byte[] ftyp = TestImages.box("ftyp", concat("avif".getBytes(), new byte[4], "avifmif1".getBytes()));
        byte[] meta = TestImages.box("meta", concat(new byte[4], TestImages.box("iprp", TestImages.box("ipco", new byte[0]))));
        return concat(ftyp, meta, TestImages.box("mdat", new byte[64]));
    }

    static byte[] chunk(String type, byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(type.getBytes(StandardCharsets.US_ASCII));
        crc.update(data);
        return concat(TestImages.be32(data.length), type.getBytes(StandardCharsets.US_ASCII), data,
                TestImages.be32(crc.getValue()));
    }

    static byte[] withByte(byte[] bytes, int index, int value) {
        byte[] copy = bytes.clone();
        copy[index] = (byte) value;
        return copy;
    }

    public static byte[] concat(byte[]... parts) {
        return TestImages.concat(parts);
    }
}
