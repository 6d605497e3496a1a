import io.zinteract.images.variant.codec.CodecLimits;
import io.zinteract.images.variant.codec.DecodedImage;
import io.zinteract.images.variant.codec.Rendered;
import io.zinteract.images.variant.codec.VariantCodec;
import io.zinteract.images.variant.codec.VariantFormat;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The variant benchmark's Java side (bench/variants.sh compiles it against target/classes and the project's runtime
 * classpath). Prints one JSON line per run.
 *
 * <ul>
 * <li>{@code ours GALLERY OUT WIDTH QUALITY [FORMAT]}: the service's codec (VariantCodec) making a WIDTH px WebP (or
 * FORMAT: webp, png, jpeg) of every PNG in GALLERY at QUALITY (0..100, libwebp's scale), on one thread: one untimed warm-up pass over all images, then a timed
 * pass (decode + resize + encode from bytes in memory; wall time, this thread's CPU time and the whole process's,
 * JIT compiler and GC threads included). The timed pass's outputs are written to OUT/NAME.webp (.png, .jpg).</li>
 * <li>{@code ssim GALLERY LABEL=DIR...}: for every GALLERY/NAME.png and every contender, the SSIM of DIR/NAME.png (the
 * contender's variant, already decoded to PNG by libwebp) against a reference made here: the original's luma
 * area-averaged to the variant's size. SSIM as Wang et al. 2004: luma (BT.601), 11x11 gaussian window (sigma 1.5),
 * K1 0.01, K2 0.03, L 255, mean over the windows that fit inside the image (no padding).</li>
 * </ul>
 */
public class VariantFigures {

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "ours" -> ours(Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]),
                    Float.parseFloat(args[4]), args.length > 5 ? VariantFormat.parse(args[5]).orElseThrow()
                            : VariantFormat.WEBP);
            case "ssim" -> ssim(Path.of(args[1]), List.of(args).subList(2, args.length));
            default -> throw new IllegalArgumentException("mode ours or ssim");
        }
    }

    static List<Path> originals(Path gallery) throws Exception {
        try (Stream<Path> files = Files.list(gallery)) {
            return files.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
    }

    static String stem(Path p) {
        String name = p.getFileName().toString();
        return name.substring(0, name.lastIndexOf('.'));
    }

    static void ours(Path gallery, Path out, int width, float quality, VariantFormat format) throws Exception {
        List<Path> files = originals(gallery);
        List<byte[]> inputs = new ArrayList<>();
        for (Path f : files) {
            inputs.add(Files.readAllBytes(f));
        }
        Files.createDirectories(out);
        VariantCodec codec = new VariantCodec(new CodecLimits(100_000_000L, Duration.ofMinutes(2), quality / 100f,
                CodecLimits.DEFAULT_JPEG_QUALITY));
        for (byte[] input : inputs) {
            codec.render(codec.decode(input, deadline()), width, format, deadline());
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long decodeNanos = 0;
        long bytesOut = 0;
        List<Rendered> rendered = new ArrayList<>();
        long processCpu0 = os.getProcessCpuTime();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        for (byte[] input : inputs) {
            long d0 = System.nanoTime();
            DecodedImage decoded = codec.decode(input, deadline());
            decodeNanos += System.nanoTime() - d0;
            Rendered r = codec.render(decoded, width, format, deadline());
            bytesOut += r.bytes().length;
            rendered.add(r);
        }
        long wall = System.nanoTime() - t0;
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        long processCpu = os.getProcessCpuTime() - processCpu0;
        long bytesIn = 0;
        for (int i = 0; i < files.size(); i++) {
            bytesIn += inputs.get(i).length;
            Files.write(out.resolve(stem(files.get(i)) + "." + format.extension()), rendered.get(i).bytes());
        }
        Rendered first = rendered.get(0);
        System.out.printf(Locale.ROOT, "{\"images\": %d, \"seconds\": %.4f, \"cpuSeconds\": %.4f,"
                + " \"processCpuSeconds\": %.4f, \"decodeSeconds\": %.4f, \"bytesIn\": %d, \"bytesOut\": %d,"
                + " \"width\": %d, \"height\": %d}%n", inputs.size(), wall / 1e9,
                cpu / 1e9, processCpu / 1e9, decodeNanos / 1e9, bytesIn, bytesOut, first.width(), first.height());
    }

    static Instant deadline() {
        return Instant.now().plusSeconds(120);
    }

    static void ssim(Path gallery, List<String> contenders) throws Exception {
        StringBuilder json = new StringBuilder("{\"selfCheck\": ");
        List<Path> files = originals(gallery);
        StringBuilder[] lists = new StringBuilder[contenders.size()];
        for (int c = 0; c < lists.length; c++) {
            lists[c] = new StringBuilder();
        }
        boolean checked = false;
        for (Path f : files) {
            BufferedImage original = ImageIO.read(f.toFile());
            double[] luma = luma(original);
            for (int c = 0; c < contenders.size(); c++) {
                Path variant = Path.of(contenders.get(c).split("=", 2)[1]).resolve(stem(f) + ".png");
                BufferedImage v = ImageIO.read(variant.toFile());
                double[] reference = areaResize(luma, original.getWidth(), original.getHeight(), v.getWidth(),
                        v.getHeight());
                if (!checked) {
                    // The implementation must give 1 for identical images and less for a blurred copy.
                    double same = ssim(reference, reference, v.getWidth(), v.getHeight());
                    double blurred = ssim(reference, boxBlur(reference, v.getWidth(), v.getHeight()), v.getWidth(),
                            v.getHeight());
                    json.append(String.format(Locale.ROOT, "{\"identical\": %.6f, \"blurred3x3\": %.6f}", same,
                            blurred));
                    checked = true;
                }
                double s = ssim(reference, luma(v), v.getWidth(), v.getHeight());
                lists[c].append(lists[c].length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.6f", s));
            }
        }
        for (int c = 0; c < contenders.size(); c++) {
            json.append(", \"").append(contenders.get(c).split("=", 2)[0]).append("\": [").append(lists[c]).append("]");
        }
        System.out.println(json.append("}"));
    }

    /** BT.601 luma, 0..255, as the SSIM paper's reference code (MATLAB rgb2gray) computes it. */
    static double[] luma(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] rgb = img.getRGB(0, 0, w, h, null, 0, w);
        double[] y = new double[w * h];
        for (int i = 0; i < rgb.length; i++) {
            int p = rgb[i];
            y[i] = 0.299 * ((p >> 16) & 255) + 0.587 * ((p >> 8) & 255) + 0.114 * (p & 255);
        }
        return y;
    }

    /**
     * Area average (a box filter with fractional coverage at the edges): each output pixel is the exact mean of the
     * source area it covers. Luma is linear in R, G, B, so averaging luma equals the luma of the averaged colours.
     */
    static double[] areaResize(double[] src, int sw, int sh, int dw, int dh) {
        double[] rows = new double[dw * sh];
        for (int y = 0; y < sh; y++) {
            resampleLine(src, y * sw, 1, sw, rows, y * dw, 1, dw);
        }
        double[] out = new double[dw * dh];
        for (int x = 0; x < dw; x++) {
            resampleLine(rows, x, dw, sh, out, x, dw, dh);
        }
        return out;
    }

    static void resampleLine(double[] src, int srcOff, int srcStride, int sn, double[] dst, int dstOff, int dstStride,
            int dn) {
        double scale = (double) sn / dn;
        for (int i = 0; i < dn; i++) {
            double start = i * scale;
            double end = start + scale;
            double sum = 0;
            for (int s = (int) Math.floor(start); s < Math.min(sn, (int) Math.ceil(end)); s++) {
                double cover = Math.min(end, s + 1) - Math.max(start, s);
                sum += cover * src[srcOff + s * srcStride];
            }
            dst[dstOff + i * dstStride] = sum / scale;
        }
    }

    static double[] boxBlur(double[] a, int w, int h) {
        double[] out = new double[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double sum = 0;
                int n = 0;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int yy = y + dy;
                        int xx = x + dx;
                        if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                            sum += a[yy * w + xx];
                            n++;
                        }
                    }
                }
                out[y * w + x] = sum / n;
            }
        }
        return out;
    }

    static double ssim(double[] a, double[] b, int w, int h) {
        double[] k = gaussian(11, 1.5);
        double[] aa = new double[a.length];
        double[] bb = new double[a.length];
        double[] ab = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            aa[i] = a[i] * a[i];
            bb[i] = b[i] * b[i];
            ab[i] = a[i] * b[i];
        }
        int ow = w - k.length + 1;
        int oh = h - k.length + 1;
        double[] muA = filter(a, w, h, k);
        double[] muB = filter(b, w, h, k);
        double[] sAA = filter(aa, w, h, k);
        double[] sBB = filter(bb, w, h, k);
        double[] sAB = filter(ab, w, h, k);
        double c1 = Math.pow(0.01 * 255, 2);
        double c2 = Math.pow(0.03 * 255, 2);
        double sum = 0;
        for (int i = 0; i < ow * oh; i++) {
            double ma = muA[i];
            double mb = muB[i];
            double va = sAA[i] - ma * ma;
            double vb = sBB[i] - mb * mb;
            double cov = sAB[i] - ma * mb;
            sum += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
        }
        return sum / (ow * oh);
    }

    static double[] gaussian(int size, double sigma) {
        double[] k = new double[size];
        double sum = 0;
        for (int i = 0; i < size; i++) {
            double d = i - (size - 1) / 2.0;
            k[i] = Math.exp(-d * d / (2 * sigma * sigma));
            sum += k[i];
        }
        for (int i = 0; i < size; i++) {
            k[i] /= sum;
        }
        return k;
    }

    /** Separable filtering, "valid" mode: the result is (w - n + 1) x (h - n + 1). */
    static double[] filter(double[] src, int w, int h, double[] k) {
        int n = k.length;
        int ow = w - n + 1;
        int oh = h - n + 1;
        double[] rows = new double[ow * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < ow; x++) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += k[i] * src[y * w + x + i];
                }
                rows[y * ow + x] = s;
            }
        }
        double[] out = new double[ow * oh];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += k[i] * rows[(y + i) * ow + x];
                }
                out[y * ow + x] = s;
            }
        }
        return out;
    }
}
