package io.zinteract.images.generation;


import io.zinteract.images.image.intake.ImageBytes;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Draws a real PNG from a prompt with no account and no AWT (which a native image would need extra support for): two
 * colours and a ring pattern taken from the prompt's SHA-256, so the same prompt and size always give the same bytes.
 */
final class PlaceholderRenderer {

    private PlaceholderRenderer() {
    }

    static byte[] render(String prompt, int width, int height) {
        byte[] seed = HexFormat.of().parseHex(ImageBytes.sha256Hex(prompt.getBytes(StandardCharsets.UTF_8)));
        int[] from = {seed[0] & 0xFF, seed[1] & 0xFF, seed[2] & 0xFF};
        int[] to = {seed[3] & 0xFF, seed[4] & 0xFF, seed[5] & 0xFF};
        int cx = (seed[6] & 0xFF) * width / 256;
        int cy = (seed[7] & 0xFF) * height / 256;
        int ring = 8 + (seed[8] & 0x3F);

        byte[] raw = new byte[height * (1 + width * 3)];
        int i = 0;
        for (int y = 0; y < height; y++) {
            raw[i++] = 0; // filter: none
            for (int x = 0; x < width; x++) {
                double t = (x + (double) y) / (width + height);
                long dx = x - cx;
                long dy = y - cy;
                boolean band = ((int) Math.sqrt(dx * dx + dy * dy) / ring) % 2 == 0;
                for (int c = 0; c < 3; c++) {
                    int value = (int) (from[c] + (to[c] - from[c]) * t);
                    raw[i++] = (byte) (band ? value : 255 - value);
                }
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0).array());
        chunk(png, "IDAT", deflate(raw));
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static byte[] deflate(byte[] raw) {
        Deflater deflater = new Deflater(6);
        deflater.setInput(raw);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 4);
        byte[] buffer = new byte[64 * 1024];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
