package io.zinteract.images.variant.codec;

import java.awt.Image;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * Times the variant codec on one thread: decode, resize and encode of a 1792x1024 PNG to a 480 px WebP, each stage
 * separately (median of ITER runs after warm-up), the resize against Thumbnailator when it is on the class path, and
 * output sizes per preset. Run with bench/variant-bench.sh; writes its input to target/bench-variant/in.png so that
 * vips can be timed on the same file.
 */
public final class VariantBench {

    private static final int ITER = Integer.getInteger("iter", 15);

    public static void main(String[] args) throws Exception {
        Path dir = Path.of("target/bench-variant");
        Files.createDirectories(dir);
        byte[] png = args.length > 0 ? Files.readAllBytes(Path.of(args[0])) : TexturedScene.png(1792, 1024);
        Files.write(dir.resolve("in.png"), png);
        System.out.printf("input: %d bytes PNG%n", png.length);

        float webpQ = Float.parseFloat(System.getProperty("webpq", "0.8"));
        VariantCodec codec = new VariantCodec(new CodecLimits(50_000_000, Duration.ofSeconds(30), webpQ, 0.82f));
        Instant far = Instant.now().plusSeconds(3600);
        DecodedImage decoded = codec.decode(png, far);
        int w = 480;
        int h = (int) Math.round((double) decoded.height() * w / decoded.width());

        double decode = median(() -> codec.decode(png, far));
        BufferedImage[] scaled = new BufferedImage[1];
        double resize = median(() -> scaled[0] = Downscale.to(decoded.image(), w, h, far));
        double encode = median(() -> Encoders.encode(scaled[0], VariantFormat.WEBP, codec.limits()));
        byte[] webp = Encoders.encode(scaled[0], VariantFormat.WEBP, codec.limits());
        Files.write(dir.resolve("out-480.webp"), webp);
        System.out.printf("1792x1024 PNG -> 480 WebP q%.2f: decode %.1f ms, resize %.1f ms, encode %.1f ms, %d bytes%n",
                webpQ, decode, resize, encode, webp.length);

        BufferedImage reference = areaAverage(decoded.image(), w, h);
        System.out.printf("progressive Java2D: %.1f ms, PSNR vs area average %.2f dB%n", resize, psnr(scaled[0], reference));
        try {
            Class.forName("net.coobird.thumbnailator.Thumbnails");
            BufferedImage[] tn = new BufferedImage[1];
            double t = median(() -> tn[0] = ThumbnailatorResize.resize(decoded.image(), w, h));
            System.out.printf("Thumbnailator 0.4.21: %.1f ms, PSNR vs area average %.2f dB%n", t, psnr(tn[0], reference));
        } catch (ClassNotFoundException e) {
            System.out.println("Thumbnailator not on the class path");
        }
        for (int preset : new int[] {160, 480, 1024}) {
            StringBuilder line = new StringBuilder("preset " + preset + ":");
            for (VariantFormat f : VariantFormat.values()) {
                Rendered r = codec.render(decoded, preset, f, far);
                double ms = median(() -> codec.render(decoded, preset, f, far));
                line.append(String.format(" %s %d bytes %.1f ms;", f.wire(), r.bytes().length, ms));
            }
            System.out.println(line);
        }
        double th = median(() -> ThumbHash.encode(decoded));
        System.out.printf("ThumbHash: %s (%.1f ms)%n", ThumbHash.encode(decoded), th);
        System.out.printf("memoryEstimate: %.1f MiB%n", VariantCodec.memoryEstimate(1792, 1024, png.length) / 1048576.0);
    }

    private static double median(Runnable task) {
        for (int i = 0; i < 3; i++) {
            task.run();
        }
        double[] ms = new double[ITER];
        for (int i = 0; i < ITER; i++) {
            long t0 = System.nanoTime();
            task.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[ITER / 2];
    }

    /** The JDK's area-averaging filter: slow, but an exact box filter to compare the fast ones against. */
    private static BufferedImage areaAverage(BufferedImage src, int w, int h) {
        Image scaled = src.getScaledInstance(w, h, Image.SCALE_AREA_AVERAGING);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        out.getGraphics().drawImage(scaled, 0, 0, null);
        return out;
    }

    private static double psnr(BufferedImage a, BufferedImage b) {
        double sum = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int s = 0; s < 24; s += 8) {
                    double d = ((p >> s) & 0xFF) - ((q >> s) & 0xFF);
                    sum += d * d;
                }
            }
        }
        double mse = sum / (3.0 * a.getWidth() * a.getHeight());
        return 10 * Math.log10(255 * 255 / mse);
    }
}
