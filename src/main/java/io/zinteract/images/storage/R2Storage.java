package io.zinteract.images.storage;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.arc.NoClassInterceptors;
import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.storage.model.BucketCorsRule;
import io.zinteract.images.storage.model.ListPage;
import io.zinteract.images.storage.model.ObjectHead;
import io.zinteract.images.storage.model.ObjectStream;
import io.zinteract.images.storage.model.PutObject;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Our door to the object store (with {@code multipart.R2Multipart} for the calls of a multipart upload, and
 * {@link R2Urls} for the URLs that let others reach an object). It owns the bucket, the time-outs, the retries and one
 * circuit breaker per operation; "not found" is an answer, not a failure, so it never trips a breaker. The retry and
 * breaker policy is declared once, on the class; a call writes only what differs: its time-out, its breaker's name
 * and, for calls that must not be repeated much, fewer retries; accessors and compositions of guarded calls opt out
 * ({@link NoClassInterceptors}). Calls are lazy: nothing is sent before the {@link Uni} is subscribed, so a retry resends.
 *
 * <p>With an SSE-C key ({@code R2_SSE_C_KEY}) every call that reads or writes object data carries it; the S3 API
 * defines no SSE-C headers for DELETE, LIST and abort, so those go without.
 */
@Retry(maxRetries = 4, delay = 200, jitter = 100, retryOn = { TransientStorageException.class, TimeoutException.class })
@ExponentialBackoff(maxDelay = 5000)
@CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 10000, successThreshold = 2,
        failOn = { TransientStorageException.class, TimeoutException.class })
@ApplicationScoped
public class R2Storage {

    /** Sent on every object: keys are per image and never rewritten with other bytes, so caches may keep them. */
    public static final String IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable";

    private final S3AsyncClient client;
    private final R2Config config;
    private final Timer putTimer;
    private final Optional<SseCustomerKey> sse;

    public R2Storage(S3AsyncClient client, R2Config config, MeterRegistry registry) {
        this.client = client;
        this.config = config;
        this.sse = SseCustomerKey.parse(config.sseCKey());
        this.putTimer = Timer.builder("r2.put.duration").description("Time to upload one object to R2, per attempt")
                .publishPercentiles(0.5, 0.95, 0.99).register(registry);
    }

    @NoClassInterceptors
    public boolean configured() {
        return config.configured();
    }

    @NoClassInterceptors
    public String bucket() {
        return config.bucket();
    }

    @NoClassInterceptors
    public Optional<String> endpoint() {
        return config.effectiveEndpoint();
    }

    /** Objects are encrypted with a customer key (SSE-C): only requests with the key read them, so no URLs. */
    @NoClassInterceptors
    public boolean sseC() {
        return sse.isPresent();
    }

    /**
     * Whether a single-PUT object's ETag is the MD5 of its bytes: not with SSE-C (the store hashes the ciphertext), when
     * uploads are proven by Content-MD5 (checked on PUT) and the SHA-256 of the bytes read back instead.
     */
    @NoClassInterceptors
    public boolean etagIsMd5() {
        return sse.isEmpty();
    }

    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    @CircuitBreakerName("r2-put")
    public Uni<String> put(PutObject object) {
        ObjectKeys.validate(object.key());
        return StoreCalls.call(config, "PUT", object.key(), () -> {
            Timer.Sample sample = Timer.start();
            return client.putObject(b -> {
                b.bucket(config.bucket()).key(object.key()).contentType(object.contentType())
                        .contentLength((long) object.bytes().length).contentMD5(object.md5Base64())
                        .cacheControl(IMMUTABLE_CACHE_CONTROL).metadata(object.metadata());
                if (object.storageClass() != null) {
                    b.storageClass(object.storageClass());
                }
                if (object.ifAbsent()) {
                    b.ifNoneMatch("*");
                }
                sse.ifPresent(k -> k.apply(b::sseCustomerAlgorithm, b::sseCustomerKey, b::sseCustomerKeyMD5));
            }, AsyncRequestBody.fromBytesUnsafe(object.bytes())).whenComplete((r, e) -> sample.stop(putTimer));
        }).map(response -> R2Responses.unquote(response.eTag()));
    }

    @Timeout(value = 10, unit = ChronoUnit.SECONDS)
    @CircuitBreakerName("r2-head")
    public Uni<Optional<ObjectHead>> head(String key) {
        ObjectKeys.validate(key);
        return StoreCalls.optional(config, "HEAD", key, () -> sendHead(key))
                .map(found -> found.map(response -> R2Responses.toHead(key, response)));
    }

    /** Reads a whole object into memory; for verification of objects that fit there (images, not arbitrary files). */
    @Timeout(value = 60, unit = ChronoUnit.SECONDS)
    @CircuitBreakerName("r2-get")
    public Uni<Optional<byte[]>> getBytes(String key) {
        ObjectKeys.validate(key);
        return StoreCalls.optional(config, "GET", key, () -> client.getObject(b -> {
            b.bucket(config.bucket()).key(key);
            sse.ifPresent(k -> k.apply(b::sseCustomerAlgorithm, b::sseCustomerKey, b::sseCustomerKeyMD5));
        }, AsyncResponseTransformer.toBytes()))
                .map(found -> found.map(bytes -> bytes.asByteArrayUnsafe()));
    }

    /**
     * Opens an object for streaming; only the opening is retried, since bytes already sent to a client cannot be
     * taken back. {@code range} is an HTTP Range header value or null.
     */
    @Timeout(value = 10, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = { TransientStorageException.class, TimeoutException.class })
    @ExponentialBackoff(factor = 1)
    @CircuitBreakerName("r2-stream")
    public Uni<Optional<ObjectStream>> open(String key, String range) {
        ObjectKeys.validate(key);
        return StoreCalls.optional(config, "GET", key, () -> client.getObject(b -> {
            b.bucket(config.bucket()).key(key).range(range);
            sse.ifPresent(k -> k.apply(b::sseCustomerAlgorithm, b::sseCustomerKey, b::sseCustomerKeyMD5));
        }, AsyncResponseTransformer.toPublisher()))
                .map(found -> found.map(R2Responses::toStream));
    }

    /** The first {@code length} bytes of an object (a ranged GET), enough to tell its format without reading it all. */
    @Timeout(value = 10, unit = ChronoUnit.SECONDS)
    @CircuitBreakerName("r2-get-range")
    public Uni<Optional<byte[]>> readPrefix(String key, int length) {
        ObjectKeys.validate(key);
        return StoreCalls.optional(config, "GET", key, () -> client.getObject(b -> b.bucket(config.bucket()).key(key)
                .range("bytes=0-" + (length - 1)), AsyncResponseTransformer.toBytes()))
                .map(found -> found.map(bytes -> bytes.asByteArrayUnsafe()));
    }

    /**
     * Copies {@code sourceKey} to {@code targetKey} inside the bucket, only if the source still has ETag
     * {@code sourceEtag} (else HTTP 412), giving the copy its own type, cache header and metadata. This is how a
     * verified upload becomes an image: the copy holds exactly the bytes that were checked, and the presigned URL,
     * which names the source, can never touch it.
     */
    @Timeout(value = 60, unit = ChronoUnit.SECONDS)
    @CircuitBreakerName("r2-copy-upload")
    public Uni<Void> copyIfUnchanged(String sourceKey, String sourceEtag, String targetKey, String contentType,
            Map<String, String> metadata) {
        ObjectKeys.validate(sourceKey);
        ObjectKeys.validate(targetKey);
        return StoreCalls.call(config, "COPY", sourceKey + " -> " + targetKey, () -> client.copyObject(b -> b
                .sourceBucket(config.bucket()).sourceKey(sourceKey).copySourceIfMatch("\"" + sourceEtag + "\"")
                .destinationBucket(config.bucket()).destinationKey(targetKey)
                .metadataDirective(MetadataDirective.REPLACE).contentType(contentType)
                .cacheControl(IMMUTABLE_CACHE_CONTROL).metadata(metadata)))
                .replaceWithVoid();
    }

    /** Deletes an object; deleting one that is not there succeeds, as S3 defines it. */
    @Timeout(value = 10, unit = ChronoUnit.SECONDS)
    @CircuitBreakerName("r2-delete")
    public Uni<Void> delete(String key) {
        ObjectKeys.validate(key);
        return StoreCalls.call(config, "DELETE", key, () -> client.deleteObject(b -> b.bucket(config.bucket()).key(key)))
                .replaceWithVoid();
    }

    /** One page of keys under {@code prefix}; pass the previous page's token to get the next. */
    @Timeout(value = 15, unit = ChronoUnit.SECONDS)
    @CircuitBreakerName("r2-list")
    public Uni<ListPage> list(String prefix, String continuationToken, int maxKeys) {
        return StoreCalls.call(config, "LIST", prefix, () -> client.listObjectsV2(b -> b.bucket(config.bucket()).prefix(prefix)
                .maxKeys(maxKeys).continuationToken(continuationToken)))
                .map(R2Responses::toPage);
    }

    /** Every key under {@code prefix}, page after page; each page is one guarded {@link #list} call. */
    @NoClassInterceptors
    public Multi<ListPage.Entry> listAll(String prefix, int pageSize) {
        return Multi.createBy().repeating()
                .uni(AtomicReference<String>::new, token -> list(prefix, token.get(), pageSize)
                        .invoke(page -> token.set(page.nextContinuationToken())))
                .whilst(page -> page.nextContinuationToken() != null)
                .onItem().transformToIterable(ListPage::entries);
    }

    /**
     * Replaces the bucket's CORS configuration. PutBucketCors is an operation that requires a checksum: the client
     * sends Content-MD5 (LegacyMd5Plugin) and no x-amz-checksum-* header, which R2 would refuse.
     */
    @Timeout(value = 15, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = { TransientStorageException.class, TimeoutException.class })
    @ExponentialBackoff(factor = 1)
    @CircuitBreakerName("r2-cors-put")
    public Uni<Void> putBucketCors(List<BucketCorsRule> rules) {
        var sdkRules = rules.stream().map(BucketCorsRule::toSdk).toList();
        return StoreCalls.call(config, "PUT-CORS", config.bucket(), () -> client.putBucketCors(b -> b.bucket(config.bucket())
                .corsConfiguration(c -> c.corsRules(sdkRules))))
                .replaceWithVoid();
    }

    /** The bucket's CORS rules; empty when it has none (S3 answers 404 NoSuchCORSConfiguration then). */
    @Timeout(value = 15, unit = ChronoUnit.SECONDS)
    @CircuitBreakerName("r2-cors-get")
    public Uni<List<BucketCorsRule>> getBucketCors() {
        return StoreCalls.call(config, "GET-CORS", config.bucket(), () -> client.getBucketCors(b -> b.bucket(config.bucket())))
                .map(response -> response.corsRules().stream().map(BucketCorsRule::fromSdk).toList())
                .onFailure(R2Responses::noCorsConfiguration).recoverWithItem(List.of());
    }

    /** Lists at most one key, to prove the bucket answers; never retried nor counted, so readiness sees R2's answer. */
    @Retry(maxRetries = 0)
    @CircuitBreaker(skipOn = Throwable.class)
    public Uni<Void> ping(Duration timeout) {
        return StoreCalls.call(config, "LIST", config.bucket(), () -> client.listObjectsV2(b -> b.bucket(config.bucket()).maxKeys(1)))
                .ifNoItem().after(timeout).failWith(() -> new TransientStorageException(
                        "no answer from " + config.bucket() + " within " + timeout.toMillis() + " ms", 0, null))
                .replaceWithVoid();
    }

    /**
     * Rewrites an object in place with another storage class: a copy onto its own key that keeps type, cache and
     * custom metadata ({@code MetadataDirective COPY}). Some S3 servers (S3Proxy among them) refuse a COPY-directive
     * copy onto the same key even when the class changes; on that 400 the copy is sent again with {@code REPLACE} and
     * the object's own headers, read by a HEAD. Empty when the object is not there; else its new ETag, which for a
     * copied multipart object need not be the old one.
     */
    @Timeout(value = 60, unit = ChronoUnit.SECONDS)
    @CircuitBreakerName("r2-copy")
    public Uni<Optional<String>> changeStorageClass(String key, String storageClass) {
        ObjectKeys.validate(key);
        return StoreCalls.optional(config, "COPY", key, () -> client.copyObject(b -> copyInPlace(b, key, storageClass)
                .metadataDirective(MetadataDirective.COPY)))
                .onFailure(e -> e instanceof StorageException s && s.status() == 400)
                .recoverWithUni(() -> StoreCalls.optional(config, "HEAD", key, () -> sendHead(key)).chain(head -> head.isEmpty() ? Uni.createFrom().item(Optional.<CopyObjectResponse>empty())
                        : StoreCalls.optional(config, "COPY", key, () -> client.copyObject(b -> copyInPlace(b, key, storageClass)
                                .metadataDirective(MetadataDirective.REPLACE).contentType(head.get().contentType())
                                .cacheControl(head.get().cacheControl()).contentDisposition(head.get().contentDisposition())
                                .contentEncoding(head.get().contentEncoding()).contentLanguage(head.get().contentLanguage())
                                .metadata(head.get().metadata())))))
                .map(found -> found.map(r -> R2Responses.unquote(r.copyObjectResult() == null ? null : r.copyObjectResult().eTag())));
    }

    private CompletableFuture<HeadObjectResponse> sendHead(String key) {
        return client.headObject(b -> {
            b.bucket(config.bucket()).key(key);
            sse.ifPresent(k -> k.apply(b::sseCustomerAlgorithm, b::sseCustomerKey, b::sseCustomerKeyMD5));
        });
    }

    private CopyObjectRequest.Builder copyInPlace(CopyObjectRequest.Builder b, String key, String storageClass) {
        b.sourceBucket(config.bucket()).sourceKey(key).destinationBucket(config.bucket()).destinationKey(key)
                .storageClass(storageClass);
        sse.ifPresent(k -> {
            k.apply(b::sseCustomerAlgorithm, b::sseCustomerKey, b::sseCustomerKeyMD5);
            k.apply(b::copySourceSSECustomerAlgorithm, b::copySourceSSECustomerKey, b::copySourceSSECustomerKeyMD5);
        });
        return b;
    }
}
