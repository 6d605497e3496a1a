package io.zinteract.images.variant;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.zinteract.images.admission.MemoryBudget;
import io.zinteract.images.admission.MemoryPermit;
import io.zinteract.images.config.ServiceConfig;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.image.intake.ImageDefect;
import io.zinteract.images.image.intake.ImageStructure;
import io.zinteract.images.image.intake.ImageType;
import io.zinteract.images.variant.codec.CodecLimits;
import io.zinteract.images.variant.codec.DecodedImage;
import io.zinteract.images.variant.codec.Rendered;
import io.zinteract.images.variant.codec.ThumbHash;
import io.zinteract.images.variant.codec.VariantCodec;
import io.zinteract.images.variant.codec.VariantException;
import io.zinteract.images.variant.codec.VariantFormat;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decodes an original once and renders the variants asked of it, on a pool of one thread per core (VARIANTS_WORKERS)
 * with a short queue, never on the event loop. Before any pixel is decoded the header's dimensions must pass
 * MAX_IMAGE_PIXELS and the decode's memory must be granted by the admission budget; a full queue or budget is the
 * client's 503 with Retry-After, an image that can never be rendered here its 422.
 */
@ApplicationScoped
public class VariantRenderer {

    /** Tasks waiting per worker before new ones are refused: enough to ride a burst, short enough to answer in time. */
    static final int QUEUE_PER_WORKER = 16;

    /** One variant to make: {@code format} null means JPEG, or PNG when the image has transparency. */
    public record Target(Preset preset, VariantFormat format) {
    }

    public record Made(Preset preset, Rendered rendered) {
    }

    /** The variants made, in the order asked; the placeholder when asked for; whether the image has transparency. */
    public record Output(List<Made> made, String thumbHash, boolean alpha) {
    }

    private final VariantCodec codec;
    private final MemoryBudget budget;
    private final long maxPixels;
    private final java.time.Duration timeout;
    private final ThreadPoolExecutor pool;
    private final Timer renderTimer;

    @Inject
    public VariantRenderer(VariantConfig config, ServiceConfig service, MemoryBudget budget, MeterRegistry registry) {
        this.budget = budget;
        this.maxPixels = service.maxImagePixels();
        this.timeout = config.timeout();
        this.codec = new VariantCodec(new CodecLimits(maxPixels, config.timeout(), config.webpQuality(),
                config.jpegQuality()));
        int threads = config.workers() > 0 ? config.workers() : Runtime.getRuntime().availableProcessors();
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(threads * QUEUE_PER_WORKER), r -> {
                    Thread t = new Thread(r, "variant-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        this.renderTimer = Timer.builder("variants.render").description("Decode and render of one original's variants")
                .register(registry);
        registry.gauge("variants.render.queue", pool, p -> p.getQueue().size());
    }

    @PreDestroy
    void stop() {
        pool.shutdownNow();
    }

    /** Renders {@code targets} (and the ThumbHash when {@code thumbHash}) of the image in {@code original}. */
    public Uni<Output> render(String imageId, byte[] original, List<Target> targets, boolean thumbHash) {
        return Uni.createFrom().item(() -> header(imageId, original))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(info -> {
                    long need = VariantCodec.memoryEstimate(info.width(), info.height(), original.length);
                    if (need > budget.capacity()) {
                        throw new ApiException(ErrorCode.VARIANT_NOT_POSSIBLE, "image " + imageId + " ("
                                + info.width() + "x" + info.height() + ") needs more memory to render than this "
                                + "service's budget for images in flight (MEMORY_BUDGET_BYTES)");
                    }
                    return budget.reserve(need);
                })
                .chain(permit -> Uni.createFrom().completionStage(() -> submit(imageId, original, targets, thumbHash,
                        permit)));
    }

    private ImageStructure.Info header(String imageId, byte[] original) {
        ImageType type = ImageType.sniff(original).orElseThrow(() -> new ApiException(ErrorCode.VARIANT_NOT_POSSIBLE,
                "image " + imageId + " is not in a format variants are made of"));
        try {
            return ImageStructure.check(type, original, maxPixels);
        } catch (ImageDefect defect) {
            throw new ApiException(defect.kind() == ImageDefect.Kind.TOO_MANY_PIXELS ? ErrorCode.IMAGE_TOO_MANY_PIXELS
                    : ErrorCode.VARIANT_NOT_POSSIBLE, "no variant of image " + imageId + ": " + defect.getMessage());
        }
    }

    /** The permit is released by the task itself, so memory stays counted for as long as the pixels are held. */
    private CompletableFuture<Output> submit(String imageId, byte[] original, List<Target> targets, boolean thumbHash,
            MemoryPermit permit) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return renderTimer.record(() -> renderNow(imageId, original, targets, thumbHash));
                } finally {
                    permit.release();
                }
            }, pool);
        } catch (RejectedExecutionException full) {
            permit.release();
            return CompletableFuture.failedFuture(busy("every variant worker is busy and its queue is full"));
        }
    }

    private Output renderNow(String imageId, byte[] original, List<Target> targets, boolean thumbHash) {
        Instant deadline = Instant.now().plus(timeout);
        try {
            DecodedImage decoded = codec.decode(original, deadline);
            List<Made> made = new ArrayList<>(targets.size());
            for (Target t : targets) {
                made.add(new Made(t.preset(), codec.render(decoded, t.preset().width(), t.format(), deadline)));
            }
            return new Output(made, thumbHash ? ThumbHash.encode(decoded) : null, decoded.alpha());
        } catch (VariantException e) {
            throw switch (e.reason()) {
                case TOO_LARGE -> new ApiException(ErrorCode.IMAGE_TOO_MANY_PIXELS, "no variant of image " + imageId
                        + ": " + e.getMessage());
                case UNREADABLE -> new ApiException(ErrorCode.VARIANT_NOT_POSSIBLE, "image " + imageId
                        + " cannot be decoded: " + e.getMessage());
                case TIMED_OUT -> busy("rendering image " + imageId + " took longer than VARIANTS_TIMEOUT");
            };
        }
    }

    private static ApiException busy(String why) {
        return new ApiException(ErrorCode.VARIANTS_BUSY, why + "; retry shortly", Map.of(), null);
    }
}
