package io.zinteract.images.generation;

import io.zinteract.images.image.data.ImageRepository;
import io.zinteract.images.image.ImageIntake;
import io.zinteract.images.image.ImageService;
import io.zinteract.images.image.StoredImage;
import io.zinteract.images.image.data.NewImageRow;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.config.ServiceConfig;
import io.zinteract.images.db.Blocking;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.ingest.IngestRefusedException;
import io.zinteract.images.ingest.SafeUrlFetcher;
import io.zinteract.images.ratelimit.RateLimiter;
import io.zinteract.images.quota.QuotaService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Generates an image and stores it through the same dual-storage path as uploads. The row is written first in status
 * {@code generating}; it ends {@code completed} with its storage fields or {@code failed} with the reason, matching
 * the answer. When the provider is down nothing is stored at all: the row is removed and the client told to retry.
 */
@ApplicationScoped
public class GenerationService {

    private static final Logger LOG = Logger.getLogger(GenerationService.class);
    static final Set<String> SIZES = Set.of("256x256", "512x512", "1024x1024", "1792x1024", "1024x1792");
    static final Set<String> QUALITIES = Set.of("standard", "hd");

    private final Map<String, ImageProvider> providers = new TreeMap<>();
    private final GenerationConfig config;
    private final ServiceConfig service;
    private final ImageRepository repository;
    private final ImageService images;
    private final ImageIntake intake;
    private final SafeUrlFetcher fetcher;
    private final RateLimiter providerCeiling;
    private final QuotaService quota;

    public GenerationService(Instance<ImageProvider> providers, GenerationConfig config, ServiceConfig service,
            ImageRepository repository, ImageService images, ImageIntake intake, SafeUrlFetcher fetcher,
            RateLimiter providerCeiling, QuotaService quota) {
        this.quota = quota;
        providers.forEach(p -> this.providers.put(p.name(), p));
        this.config = config;
        this.service = service;
        this.repository = repository;
        this.images = images;
        this.intake = intake;
        this.fetcher = fetcher;
        this.providerCeiling = providerCeiling;
    }

    public Uni<GenerationResult> generate(GenerationRequest request) {
        return Uni.createFrom().deferred(() -> {
            Validated v = validate(request);
            NewImageRow pending = NewImageRow.generating(UUID.randomUUID().toString(), new NewImageRow.Owner(
                    v.personaId, v.personaTitle, v.prompt, v.sessionId, v.participantId, v.tableId, v.provider.name()),
                    Instant.now().getEpochSecond());
            String[] originalUrl = new String[1];
            // The provider budget of all clients (RATE_LIMIT_PROVIDER_CALLS) is taken first, then the quotas decide and
            // write the generating row: either refusal (503 PROVIDER_BUSY, 429 QUOTA_EXCEEDED) leaves no row and makes
            // no call. A quota refusal after the ceiling leaves one token of the ceiling unused, never a call too many.
            return providerCeiling.providerCall().chain(() -> Blocking.run(() -> quota.admitGeneration(pending))
                    .chain(() -> v.provider.generate(v.prompt, v.size, v.quality))
                    .onFailure(GenerationService::providerUnavailable).call(f -> Blocking.run(() -> repository.delete(pending.id())))
                    .onFailure(GenerationService::providerUnavailable).transform(f -> new ApiException(
                            ErrorCode.PROVIDER_UNAVAILABLE, "provider " + v.provider.name() + " is unavailable: " + f.getMessage()))
                    .chain(image -> {
                        originalUrl[0] = image.url();
                        return image.bytes() != null ? Uni.createFrom().item(image.bytes())
                                : fetcher.fetch(image.url(), service.maxImageBytes()).map(f -> f.bytes());
                    })
                    .chain(bytes -> images.completeGenerating(pending, bytes))
                    .onFailure(GenerationService::recorded)
                    .call(f -> Blocking.run(() -> repository.markFailed(pending.id(), reason(f))))
                    .onFailure(GenerationService::recorded)
                    .transform(f -> failed(pending.id(), f))
                    .map(stored -> result(stored, originalUrl[0], v)));
        });
    }

    private static boolean providerUnavailable(Throwable f) {
        return f instanceof ProviderException.Transient || f instanceof CircuitBreakerOpenException
                || f instanceof TimeoutException;
    }

    /** Failures the row records as failed; an outage (row deleted) and a quota refusal (no row) pass as they are. */
    private static boolean recorded(Throwable f) {
        return !(f instanceof ApiException a
                && (a.code() == ErrorCode.PROVIDER_UNAVAILABLE || a.code() == ErrorCode.QUOTA_EXCEEDED));
    }

    private static String reason(Throwable f) {
        return f instanceof ApiException a ? a.code().name() + ": " + a.getMessage() : String.valueOf(f.getMessage());
    }

    /** The failed row's id goes with the problem, so the client can look at what was recorded. */
    private static Throwable failed(String id, Throwable f) {
        if (f instanceof IngestRefusedException refused) {
            return new ApiException(ErrorCode.PROVIDER_FAILED, "the provider's image URL was refused: " + refused.getMessage(),
                    Map.of("imageId", id, "reason", refused.code().name()));
        }
        if (f instanceof ProviderException) {
            return new ApiException(ErrorCode.PROVIDER_FAILED, f.getMessage(), Map.of("imageId", id));
        }
        if (f instanceof ApiException api) {
            Map<String, Object> extensions = new java.util.LinkedHashMap<>(api.extensions());
            extensions.put("imageId", id);
            return new ApiException(api.code(), api.getMessage(), extensions);
        }
        LOG.errorf(f, "Generation of image %s failed", id);
        return f;
    }

    private GenerationResult result(StoredImage stored, String originalUrl, Validated v) {
        return new GenerationResult(stored.id(), stored.url(), originalUrl,
                new GenerationResult.Storage(stored.storage().wire(), stored.r2Key(), new GenerationResult.Details(
                        stored.contentType(), stored.size(), stored.sha256(), stored.fallback())),
                new GenerationResult.Generation(v.provider.name(), v.prompt, v.size, v.quality,
                        v.provider instanceof PlaceholderProvider));
    }

    private record Validated(String prompt, String personaId, String personaTitle, String sessionId,
            String participantId, String tableId, String size, String quality, ImageProvider provider) {
    }

    private Validated validate(GenerationRequest r) {
        if (r == null) {
            throw new ApiException(ErrorCode.MALFORMED_JSON, "a JSON body with prompt and personaId is required");
        }
        String size = r.size() == null ? "1024x1024" : r.size();
        if (!SIZES.contains(size)) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "size must be one of " + new java.util.TreeSet<>(SIZES));
        }
        String quality = r.quality() == null ? "standard" : r.quality();
        if (!QUALITIES.contains(quality)) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "quality must be one of " + new java.util.TreeSet<>(QUALITIES));
        }
        String name = r.provider() == null ? config.provider() : r.provider();
        ImageProvider provider = providers.get(name);
        if (provider == null) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "provider must be one of " + providers.keySet());
        }
        if (!provider.available()) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "provider " + name + " is not configured on this service");
        }
        ImageIntake.Fields f = intake.validateFields(r.personaId(), r.personaTitle(), r.prompt(), r.sessionId(),
                r.participantId(), r.tableId(), provider.name());
        return new Validated(f.prompt(), f.personaId(), f.personaTitle(), f.sessionId(), f.participantId(), f.tableId(),
                size, quality, provider);
    }
}
