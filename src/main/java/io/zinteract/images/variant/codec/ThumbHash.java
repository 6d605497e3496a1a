package io.zinteract.images.variant.codec;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * ThumbHash placeholders (Evan Wallace, https://evanw.github.io/thumbhash/): the image shrunk to at most 100x100,
 * turned into luminance, two chroma channels and alpha, each reduced to a few low-frequency DCT terms of 4 bits,
 * behind a 5-byte header (6 with alpha) holding the average colour, the scales and the aspect ratio. Written from the
 * published description; the byte layout is the reference one, so any ThumbHash decoder renders these.
 */
public final class ThumbHash {

    private static final int MAX_SIDE = 100;

    private ThumbHash() {
    }

    /** The hash in standard Base64 with padding (RFC 4648 section 4), as browsers' {@code atob} reads it. */
    public static String encode(DecodedImage src) {
        return Base64.getEncoder().encodeToString(hash(src));
    }

    /** The raw ThumbHash bytes. */
    public static byte[] hash(DecodedImage src) {
        double scale = Math.min(1.0, (double) MAX_SIDE / Math.max(src.width(), src.height()));
        int w = Math.max(1, (int) Math.round(src.width() * scale));
        int h = Math.max(1, (int) Math.round(src.height() * scale));
        BufferedImage small = Downscale.to(src.image(), w, h, null);
        int[] argb = small.getRGB(0, 0, w, h, null, 0, w);
        return fromArgb(w, h, argb);
    }

    /** The hash of {@code w} x {@code h} non-premultiplied ARGB pixels (w, h at most 100). */
    static byte[] fromArgb(int w, int h, int[] argb) {
        if (w > MAX_SIDE || h > MAX_SIDE) {
            throw new IllegalArgumentException(w + "x" + h + " is larger than 100x100");
        }
        int n = w * h;
        double avgR = 0;
        double avgG = 0;
        double avgB = 0;
        double avgA = 0;
        for (int p : argb) {
            double a = (p >>> 24) / 255.0;
            avgR += a * ((p >> 16) & 0xFF) / 255.0;
            avgG += a * ((p >> 8) & 0xFF) / 255.0;
            avgB += a * (p & 0xFF) / 255.0;
            avgA += a;
        }
        if (avgA > 0) {
            avgR /= avgA;
            avgG /= avgA;
            avgB /= avgA;
        }
        boolean hasAlpha = avgA < n;
        int lLimit = hasAlpha ? 5 : 7; // alpha takes bytes, so luminance gets fewer terms
        int lx = Math.max(1, (int) Math.round((double) lLimit * w / Math.max(w, h)));
        int ly = Math.max(1, (int) Math.round((double) lLimit * h / Math.max(w, h)));
        double[] l = new double[n];
        double[] pc = new double[n];
        double[] qc = new double[n];
        double[] ac = new double[n];
        for (int i = 0; i < n; i++) {
            int p = argb[i];
            double a = (p >>> 24) / 255.0;
            // composite over the average colour, so transparent pixels do not drag the colour channels to black
            double r = avgR * (1 - a) + a * ((p >> 16) & 0xFF) / 255.0;
            double g = avgG * (1 - a) + a * ((p >> 8) & 0xFF) / 255.0;
            double b = avgB * (1 - a) + a * (p & 0xFF) / 255.0;
            l[i] = (r + g + b) / 3;
            pc[i] = (r + g) / 2 - b;
            qc[i] = r - g;
            ac[i] = a;
        }
        Channel lum = Channel.encode(l, w, h, Math.max(3, lx), Math.max(3, ly));
        Channel p = Channel.encode(pc, w, h, 3, 3);
        Channel q = Channel.encode(qc, w, h, 3, 3);
        Channel alpha = hasAlpha ? Channel.encode(ac, w, h, 5, 5) : null;

        boolean landscape = w > h;
        int header24 = (int) Math.round(63 * lum.dc)
                | (int) Math.round(31.5 + 31.5 * p.dc) << 6
                | (int) Math.round(31.5 + 31.5 * q.dc) << 12
                | (int) Math.round(31 * lum.scale) << 18
                | (hasAlpha ? 1 << 23 : 0);
        int header16 = (landscape ? ly : lx)
                | (int) Math.round(63 * p.scale) << 3
                | (int) Math.round(63 * q.scale) << 9
                | (landscape ? 1 << 15 : 0);
        List<Channel> channels = hasAlpha ? List.of(lum, p, q, alpha) : List.of(lum, p, q);
        int acCount = channels.stream().mapToInt(c -> c.ac.length).sum();
        int acStart = hasAlpha ? 6 : 5;
        byte[] hash = new byte[acStart + (acCount + 1) / 2];
        hash[0] = (byte) header24;
        hash[1] = (byte) (header24 >> 8);
        hash[2] = (byte) (header24 >> 16);
        hash[3] = (byte) header16;
        hash[4] = (byte) (header16 >> 8);
        if (hasAlpha) {
            hash[5] = (byte) ((int) Math.round(15 * alpha.dc) | (int) Math.round(15 * alpha.scale) << 4);
        }
        int index = 0;
        for (Channel c : channels) {
            for (double f : c.ac) {
                hash[acStart + (index >> 1)] |= (byte) ((int) Math.round(15 * f) << ((index & 1) << 2));
                index++;
            }
        }
        return hash;
    }

    /** One channel's DC term, its AC terms normalised to 0..1, and the scale that undoes the normalisation. */
    private record Channel(double dc, double[] ac, double scale) {

        /** DCT terms (cx, cy) with cx/nx + cy/ny < 1: a triangle of low frequencies, row by row. */
        static Channel encode(double[] values, int w, int h, int nx, int ny) {
            double dc = 0;
            double scale = 0;
            List<Double> ac = new ArrayList<>();
            double[] fx = new double[w];
            for (int cy = 0; cy < ny; cy++) {
                for (int cx = 0; cx * ny < nx * (ny - cy); cx++) {
                    for (int x = 0; x < w; x++) {
                        fx[x] = Math.cos(Math.PI / w * cx * (x + 0.5));
                    }
                    double f = 0;
                    for (int y = 0; y < h; y++) {
                        double fy = Math.cos(Math.PI / h * cy * (y + 0.5));
                        for (int x = 0; x < w; x++) {
                            f += values[x + y * w] * fx[x] * fy;
                        }
                    }
                    f /= (double) w * h;
                    if (cx > 0 || cy > 0) {
                        ac.add(f);
                        scale = Math.max(scale, Math.abs(f));
                    } else {
                        dc = f;
                    }
                }
            }
            double[] normalised = new double[ac.size()];
            for (int i = 0; i < normalised.length; i++) {
                normalised[i] = scale > 0 ? 0.5 + 0.5 / scale * ac.get(i) : ac.get(i);
            }
            return new Channel(dc, normalised, scale);
        }
    }
}
