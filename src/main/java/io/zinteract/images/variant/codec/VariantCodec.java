package io.zinteract.images.variant.codec;

import io.zinteract.images.image.intake.ImageDefect;
import io.zinteract.images.image.intake.ImageStructure;
import io.zinteract.images.image.intake.ImageType;
import io.zinteract.images.variant.codec.VariantException.Reason;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes originals and renders right-sized variants of them. Thread-safe and stateless apart from its limits; every
 * call makes its own ImageIO reader and writer.
 */
public final class VariantCodec {

    private final CodecLimits limits;

    public VariantCodec(CodecLimits limits) {
        this.limits = limits;
    }

    public CodecLimits limits() {
        return limits;
    }

    /**
     * The original's pixels, upright and in sRGB. The header's dimensions are checked against
     * {@link CodecLimits#maxPixels()} before any pixel is decoded ({@link Reason#TOO_LARGE}); the decoder is aborted
     * when {@code deadline} passes ({@link Reason#TIMED_OUT}); anything undecodable is {@link Reason#UNREADABLE}.
     */
    public DecodedImage decode(byte[] original, Instant deadline) {
        checkDeadline(deadline, "decoding");
        ImageType type = ImageType.sniff(original)
                .orElseThrow(() -> new VariantException(Reason.UNREADABLE, "not a JPEG, PNG, GIF or WebP image"));
        try {
            ImageStructure.check(type, original, limits.maxPixels());
        } catch (ImageDefect e) {
            throw new VariantException(e.kind() == ImageDefect.Kind.TOO_MANY_PIXELS ? Reason.TOO_LARGE : Reason.UNREADABLE,
                    e.getMessage());
        }
        Embedded embedded = Embedded.of(type, original);
        BufferedImage read = read(type, original, deadline);
        BufferedImage image = Pixels.normalize(read, embedded.pngIcc());
        read = null; // the reader's raster can go before the next copy
        checkDeadline(deadline, "decoding");
        image = Pixels.orient(image, embedded.orientation());
        boolean alpha = Pixels.anyTransparent(image);
        if (!alpha && image.getType() != BufferedImage.TYPE_INT_RGB) {
            image = Pixels.copy(image, BufferedImage.TYPE_INT_RGB);
        }
        return new DecodedImage(image, image.getWidth(), image.getHeight(), alpha);
    }

    /**
     * {@code src} scaled to {@code min(maxWidth, src.width)} wide with its aspect ratio (never upscaled), encoded
     * without metadata. A null {@code format} means PNG for images with transparency and JPEG otherwise; JPEG output
     * puts transparent pixels on white.
     */
    public Rendered render(DecodedImage src, int maxWidth, VariantFormat format, Instant deadline) {
        if (maxWidth < 1) {
            throw new IllegalArgumentException("maxWidth must be at least 1");
        }
        checkDeadline(deadline, "rendering");
        VariantFormat target = format != null ? format : src.alpha() ? VariantFormat.PNG : VariantFormat.JPEG;
        int width = Math.min(maxWidth, src.width());
        int height = (int) Math.max(1, Math.round((double) src.height() * width / src.width()));
        BufferedImage scaled = Downscale.to(src.image(), width, height, deadline);
        checkDeadline(deadline, "encoding");
        byte[] bytes = Encoders.encode(scaled, target, limits);
        return new Rendered(bytes, target, width, height);
    }

    /**
     * Heap that decoding and rendering an image with these header dimensions holds at its peak, with margin: the
     * source bytes and the reader's stream buffer, the reader's raster (up to 8 bytes a pixel for 16-bit RGBA PNG),
     * the normalised 4-byte-a-pixel copy and one more while orienting or converting colour, and the resize chain's
     * (at most a third of the pixels again), plus a fixed 4 MiB for codec state and the encoded output.
     */
    public static long memoryEstimate(long width, long height, long sourceBytes) {
        long pixels = Math.max(0, width) * Math.max(0, height);
        return 2 * Math.max(0, sourceBytes) + pixels * 16 + pixels * 4 / 3 + (4L << 20);
    }

    static void checkDeadline(Instant deadline, String stage) {
        if (deadline != null && !Instant.now().isBefore(deadline)) {
            throw new VariantException(Reason.TIMED_OUT, "the deadline passed before " + stage + " finished");
        }
    }

    private static BufferedImage read(ImageType type, byte[] bytes, Instant deadline) {
        ImageReader reader = Plugins.reader(type);
        AtomicBoolean aborted = new AtomicBoolean();
        ScheduledFuture<?> timer = null;
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            if (deadline != null) {
                long delay = Math.max(0, Duration.between(Instant.now(), deadline).toNanos());
                timer = Timer.INSTANCE.schedule(() -> {
                    aborted.set(true);
                    reader.abort();
                }, delay, TimeUnit.NANOSECONDS);
            }
            ImageReadParam param = reader.getDefaultReadParam();
            BufferedImage image = reader.read(0, param);
            if (aborted.get()) {
                throw new VariantException(Reason.TIMED_OUT, "the deadline passed while decoding");
            }
            if (image == null) {
                throw new VariantException(Reason.UNREADABLE, "the " + type + " reader returned no image");
            }
            return image;
        } catch (IOException | RuntimeException e) {
            if (e instanceof VariantException v) {
                throw v;
            }
            if (aborted.get()) {
                throw new VariantException(Reason.TIMED_OUT, "the deadline passed while decoding", e);
            }
            throw new VariantException(Reason.UNREADABLE, type + " decoder: " + e.getMessage(), e);
        } finally {
            if (timer != null) {
                timer.cancel(false);
            }
            reader.dispose();
        }
    }

    /** One daemon thread for all decode deadlines, made on first use (not while a native image is built). */
    private static final class Timer {
        static final ScheduledExecutorService INSTANCE = create();

        private static ScheduledExecutorService create() {
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "variant-decode-deadline");
                t.setDaemon(true);
                return t;
            });
            executor.setRemoveOnCancelPolicy(true);
            return executor;
        }
    }
}
