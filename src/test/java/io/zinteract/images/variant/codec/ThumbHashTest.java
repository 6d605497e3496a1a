package io.zinteract.images.variant.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * Checks hashes by decoding them with {@link #render}, a decoder written here from the format's description: the
 * header's average colour, aspect and alpha flag, and the AC terms reproducing where an image is light or dark.
 */
class ThumbHashTest {

    /**
     * Vectors from the reference implementation (npm thumbhash 0.1.1, rgbaToThumbHash) for the pixels of
     * {@link #vectorPixels}: a red ramp left to right, a green ramp top to bottom, a bright blue disc in the middle and,
     * with alpha, a transparent top quarter and a half-transparent right half.
     */
    @Test
    void matchesTheReferenceImplementation() {
        assertEquals("XPkJRJowp4eAeIeEenfycg34eA==",
                Base64.getEncoder().encodeToString(ThumbHash.fromArgb(64, 40, vectorPixels(64, 40, false))));
        assertEquals("5JaFSw44UKdZuHmFcg/GO412YIhiWIc=",
                Base64.getEncoder().encodeToString(ThumbHash.fromArgb(30, 50, vectorPixels(30, 50, true))));
    }

    private static int[] vectorPixels(int w, int h, boolean alpha) {
        int[] argb = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = x * 255 / (w - 1);
                int g = y * 255 / (h - 1);
                double dx = x - w / 2.0;
                double dy = y - h / 2.0;
                int b = dx * dx + dy * dy < (h / 3.0) * (h / 3.0) ? 230 : 40;
                int a = !alpha ? 255 : y < h / 4.0 ? 0 : x < w / 2.0 ? 255 : 128;
                argb[y * w + x] = a << 24 | r << 16 | g << 8 | b;
            }
        }
        return argb;
    }

    @Test
    void opaqueLandscapeHashHasTheReferenceLayout() {
        BufferedImage scene = TestImages.scene(1792, 1024, BufferedImage.TYPE_INT_RGB);
        byte[] hash = ThumbHash.hash(decoded(scene, false));
        // 100x57: L has 7x4 terms (18 AC in the triangle), P and Q 3x3 (5 AC each): 28 nibbles after 5 header bytes
        assertEquals(5 + 14, hash.length);
        assertFalse(hasAlpha(hash));
        assertTrue((hash[4] & 0x80) != 0, "landscape flag");
        assertEquals(4, hash[3] & 7, "ly");
        assertEquals(7.0 / 4, aspect(hash), 1e-9);

        double[] avg = averageRgb(scene);
        double[] got = averageFromHeader(hash);
        for (int c = 0; c < 3; c++) {
            assertEquals(avg[c], got[c], 0.04, "channel " + c);
        }
    }

    @Test
    void acTermsKeepTheLayout() {
        BufferedImage img = new BufferedImage(200, 120, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setPaint(new GradientPaint(0, 0, Color.BLACK, 200, 0, Color.WHITE));
        g.fillRect(0, 0, 200, 120);
        g.setColor(new Color(200, 30, 30));
        g.fillOval(80, 40, 40, 40);
        g.dispose();
        byte[] hash = ThumbHash.hash(decoded(img, false));
        int[][] px = render(hash);
        int w = px[0].length;
        int h = px.length;
        assertEquals(32, w);
        int left = luminance(px[h / 2][1]);
        int right = luminance(px[h / 2][w - 2]);
        assertTrue(right - left > 120, "dark left, light right: " + left + " vs " + right);
        int middle = px[h / 2][w / 2];
        assertTrue(((middle >> 16) & 0xFF) > ((middle >> 8) & 0xFF) + 20, "a red middle: " + Integer.toHexString(middle));
    }

    @Test
    void alphaIsCarried() {
        BufferedImage img = TestImages.sceneWithAlpha(300, 400);
        byte[] hash = ThumbHash.hash(decoded(img, true));
        assertTrue(hasAlpha(hash));
        assertFalse((hash[4] & 0x80) != 0, "portrait");
        // 75x100 with alpha: L 4x5 (13 AC), P and Q 5 each, A 5x5 (14 AC): 37 nibbles after 6 header bytes
        assertEquals(6 + 19, hash.length);
        int[][] px = render(hash);
        assertTrue(px[1][px[0].length / 2] >>> 24 < 100, "transparent top");
        assertTrue(px[px.length / 2][px[0].length / 2] >>> 24 > 200, "opaque middle");
    }

    @Test
    void encodeIsPaddedStandardBase64OfTheHash() {
        DecodedImage img = decoded(TestImages.scene(400, 300, BufferedImage.TYPE_INT_RGB), false);
        String text = ThumbHash.encode(img);
        assertArrayEquals(ThumbHash.hash(img), Base64.getDecoder().decode(text));
        assertEquals(0, text.length() % 4);
    }

    private static DecodedImage decoded(BufferedImage img, boolean alpha) {
        return new DecodedImage(img, img.getWidth(), img.getHeight(), alpha);
    }

    private static boolean hasAlpha(byte[] hash) {
        return (hash[2] & 0x80) != 0;
    }

    private static double aspect(byte[] hash) {
        boolean landscape = (hash[4] & 0x80) != 0;
        int limit = hasAlpha(hash) ? 5 : 7;
        int lx = landscape ? limit : hash[3] & 7;
        int ly = landscape ? hash[3] & 7 : limit;
        return (double) lx / ly;
    }

    private static double[] averageFromHeader(byte[] hash) {
        int header = (hash[0] & 0xFF) | (hash[1] & 0xFF) << 8 | (hash[2] & 0xFF) << 16;
        double l = (header & 63) / 63.0;
        double p = ((header >> 6) & 63) / 31.5 - 1;
        double q = ((header >> 12) & 63) / 31.5 - 1;
        double b = l - 2.0 / 3 * p;
        double r = (3 * l - b + q) / 2;
        return new double[] {r, r - q, b};
    }

    private static double[] averageRgb(BufferedImage img) {
        double[] sum = new double[3];
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                sum[0] += ((p >> 16) & 0xFF) / 255.0;
                sum[1] += ((p >> 8) & 0xFF) / 255.0;
                sum[2] += (p & 0xFF) / 255.0;
            }
        }
        double n = (double) img.getWidth() * img.getHeight();
        return new double[] {sum[0] / n, sum[1] / n, sum[2] / n};
    }

    private static int luminance(int argb) {
        return (((argb >> 16) & 0xFF) + ((argb >> 8) & 0xFF) + (argb & 0xFF)) / 3;
    }

    /** Renders a hash as ARGB rows, 32 pixels on the long side, from the header and the 4-bit AC terms. */
    static int[][] render(byte[] hash) {
        int header24 = (hash[0] & 0xFF) | (hash[1] & 0xFF) << 8 | (hash[2] & 0xFF) << 16;
        int header16 = (hash[3] & 0xFF) | (hash[4] & 0xFF) << 8;
        boolean alpha = hasAlpha(hash);
        boolean landscape = (header16 >> 15) != 0;
        int limit = alpha ? 5 : 7;
        int lx = Math.max(3, landscape ? limit : header16 & 7);
        int ly = Math.max(3, landscape ? header16 & 7 : limit);
        double[] dc = {(header24 & 63) / 63.0, ((header24 >> 6) & 63) / 31.5 - 1, ((header24 >> 12) & 63) / 31.5 - 1,
                alpha ? (hash[5] & 15) / 15.0 : 1};
        double[] scales = {((header24 >> 18) & 31) / 31.0, ((header16 >> 3) & 63) / 63.0 * 1.25,
                ((header16 >> 9) & 63) / 63.0 * 1.25, alpha ? ((hash[5] >> 4) & 15) / 15.0 : 0};
        int[][] sizes = {{lx, ly}, {3, 3}, {3, 3}, {5, 5}};
        int channels = alpha ? 4 : 3;
        double[][] ac = new double[4][];
        int nibble = 0;
        int start = alpha ? 6 : 5;
        for (int c = 0; c < channels; c++) {
            int nx = sizes[c][0];
            int ny = sizes[c][1];
            java.util.List<Double> terms = new java.util.ArrayList<>();
            for (int cy = 0; cy < ny; cy++) {
                for (int cx = cy > 0 ? 0 : 1; cx * ny < nx * (ny - cy); cx++) {
                    int v = (hash[start + (nibble >> 1)] >> ((nibble & 1) * 4)) & 15;
                    nibble++;
                    terms.add((v / 7.5 - 1) * scales[c]);
                }
            }
            ac[c] = terms.stream().mapToDouble(Double::doubleValue).toArray();
        }
        double ratio = aspect(hash);
        int w = (int) Math.round(ratio > 1 ? 32 : 32 * ratio);
        int h = (int) Math.round(ratio > 1 ? 32 / ratio : 32);
        int[][] out = new int[h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double[] v = dc.clone();
                for (int c = 0; c < channels; c++) {
                    int nx = sizes[c][0];
                    int ny = sizes[c][1];
                    int j = 0;
                    for (int cy = 0; cy < ny; cy++) {
                        double fy = Math.cos(Math.PI / h * (y + 0.5) * cy) * 2;
                        for (int cx = cy > 0 ? 0 : 1; cx * ny < nx * (ny - cy); cx++) {
                            v[c] += ac[c][j++] * Math.cos(Math.PI / w * (x + 0.5) * cx) * fy;
                        }
                    }
                }
                double b = v[0] - 2.0 / 3 * v[1];
                double r = (3 * v[0] - b + v[2]) / 2;
                double g = r - v[2];
                out[y][x] = clamp(v[3]) << 24 | clamp(r) << 16 | clamp(g) << 8 | clamp(b);
            }
        }
        return out;
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v * 255)));
    }
}
