package io.zinteract.images.storage;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.reactivestreams.FlowAdapters;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.ResponsePublisher;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Our door to the object store (with {@link R2Multipart} for the calls of a multipart upload, and {@link R2Urls} for
 * the URLs that let others reach an object). It owns the bucket,
 * the time-outs, the retries and one circuit breaker per operation; "not found" is an answer, not a failure, so it
 * never trips a breaker. Every method is lazy: nothing is sent until the returned {@link Uni} is subscribed, which is
 * what lets a retry send the request again.
 *
 * <p>With an SSE-C key ({@code R2_SSE_C_KEY}) every call that reads or writes object data carries it; the S3 API
 * defines no SSE-C headers for DELETE, LIST and abort, so those go without.
 */
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

    /**
     * Builds the clients at start: building them loads the CRT's native library and takes seconds, which must not
     * happen on the event loop inside the first request or probe.
     */
    void warmUp(@Observes @Priority(5) StartupEvent event) {
        if (config.configured()) {
            client.serviceName();
        }
    }

    public boolean configured() {
        return config.configured();
    }

    public String bucket() {
        return config.bucket();
    }

    public Optional<String> endpoint() {
        return config.effectiveEndpoint();
    }

    /**
     * True when objects are encrypted with a customer key (SSE-C). Such objects can only be read by a request that
     * carries the key, so they must be streamed through this service: no public URL, no presigned URL.
     */
    public boolean sseC() {
        return sse.isPresent();
    }

    /**
     * Whether the ETag of a single-PUT object is the hex MD5 of its bytes. Not with SSE-C (the store hashes the
     * ciphertext), so code that verifies uploads by comparing ETag and MD5 must skip that comparison then and rely
     * on Content-MD5 (checked by the store on PUT) and on SHA-256 of the bytes read back.
     */
    public boolean etagIsMd5() {
        return sse.isEmpty();
    }

    @Timeout(value = 30, unit = java.time.temporal.ChronoUnit.SECONDS)
    @Retry(maxRetries = 4, delay = 200, jitter = 100, retryOn = { TransientStorageException.class, TimeoutException.class })
    @ExponentialBackoff(maxDelay = 5000)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 10000, successThreshold = 2,
            failOn = { TransientStorageException.class, TimeoutException.class })
    @CircuitBreakerName("r2-put")
    public Uni<String> put(PutObject object) {
        ObjectKeys.validate(object.key());
        return call("PUT", object.key(), () -> {
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
        }).map(response -> unquote(response.eTag()));
    }

    @Timeout(value = 10, unit = java.time.temporal.ChronoUnit.SECONDS)
    @Retry(maxRetries = 4, delay = 200, jitter = 100, retryOn = { TransientStorageException.class, TimeoutException.class })
    @ExponentialBackoff(maxDelay = 5000)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 10000, successThreshold = 2,
            failOn = { TransientStorageException.class, TimeoutException.class })
    @CircuitBreakerName("r2-head")
    public Uni<Optional<ObjectHead>> head(String key) {
        ObjectKeys.validate(key);
        return optional("HEAD", key, () -> client.headObject(b -> {
            b.bucket(config.bucket()).key(key);
            sse.ifPresent(k -> k.apply(b::sseCustomerAlgorithm, b::sseCustomerKey, b::sseCustomerKeyMD5));
        }))
                .map(found -> found.map(response -> toHead(key, response)));
    }

    /** Reads a whole object into memory; for verification of objects that fit there (images, not arbitrary files). */
    @Timeout(value = 60, unit = java.time.temporal.ChronoUnit.SECONDS)
    @Retry(maxRetries = 4, delay = 200, jitter = 100, retryOn = { TransientStorageException.class, TimeoutException.class })
    @ExponentialBackoff(maxDelay = 5000)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 10000, successThreshold = 2,
            failOn = { TransientStorageException.class, TimeoutException.class })
    @CircuitBreakerName("r2-get")
    public Uni<Optional<byte[]>> getBytes(String key) {
        ObjectKeys.validate(key);
        return optional("GET", key, () -> client.getObject(b -> {
            b.bucket(config.bucket()).key(key);
            sse.ifPresent(k -> k.apply(b::sseCustomerAlgorithm, b::sseCustomerKey, b::sseCustomerKeyMD5));
        }, AsyncResponseTransformer.toBytes()))
                .map(found -> found.map(bytes -> bytes.asByteArrayUnsafe()));
    }

    /**
     * Opens an object for streaming; only the opening is retried, since bytes already sent to a client cannot be
     * taken back. {@code range} is an HTTP Range header value or null.
     */
    @Timeout(value = 10, unit = java.time.temporal.ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = { TransientStorageException.class, TimeoutException.class })
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 10000, successThreshold = 2,
            failOn = { TransientStorageException.class, TimeoutException.class })
    @CircuitBreakerName("r2-stream")
    public Uni<Optional<ObjectStream>> open(String key, String range) {
        ObjectKeys.validate(key);
        return optional("GET", key, () -> client.getObject(b -> {
            b.bucket(config.bucket()).key(key).range(range);
            sse.ifPresent(k -> k.apply(b::sseCustomerAlgorithm, b::sseCustomerKey, b::sseCustomerKeyMD5));
        }, AsyncResponseTransformer.toPublisher()))
                .map(found -> found.map(R2Storage::toStream));
    }

    /** The first {@code length} bytes of an object (a ranged GET), enough to tell its format without reading it all. */
    @Timeout(value = 10, unit = java.time.temporal.ChronoUnit.SECONDS)
    @Retry(maxRetries = 4, delay = 200, jitter = 100, retryOn = { TransientStorageException.class, TimeoutException.class })
    @ExponentialBackoff(maxDelay = 5000)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 10000, successThreshold = 2,
            failOn = { TransientStorageException.class, TimeoutException.class })
    @CircuitBreakerName("r2-get-range")
    public Uni<Optional<byte[]>> readPrefix(String key, int length) {
        ObjectKeys.validate(key);
        return optional("GET", key, () -> client.getObject(b -> b.bucket(config.bucket()).key(key)
                .range("bytes=0-" + (length - 1)), AsyncResponseTransformer.toBytes()))
                .map(found -> found.map(bytes -> bytes.asByteArrayUnsafe()));
    }

    /**
     * Copies {@code sourceKey} to {@code targetKey} inside the bucket, only if the source still has ETag
     * {@code sourceEtag} (else HTTP 412), giving the copy its own type, cache header and metadata. This is how a
     * verified upload becomes an image: the copy holds exactly the bytes that were checked, and the presigned URL,
     * which names the source, can never touch it.
     */
    @Timeout(value = 60, unit = java.time.temporal.ChronoUnit.SECONDS)
    @Retry(maxRetries = 4, delay = 200, jitter = 100, retryOn = { TransientStorageException.class, TimeoutException.class })
    @ExponentialBackoff(maxDelay = 5000)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 10000, successThreshold = 2,
            failOn = { TransientStorageException.class, TimeoutException.class })
    @CircuitBreakerName("r2-copy-upload")
    public Uni<Void> copyIfUnchanged(String sourceKey, String sourceEtag, String targetKey, String contentType,
            Map<String, String> metadata) {
        ObjectKeys.validate(sourceKey);
        ObjectKeys.validate(targetKey);
        return call("COPY", sourceKey + " -> " + targetKey, () -> client.copyObject(b -> b
                .sourceBucket(config.bucket()).sourceKey(sourceKey).copySourceIfMatch("\"" + sourceEtag + "\"")
                .destinationBucket(config.bucket()).destinationKey(targetKey)
                .metadataDirective(MetadataDirective.REPLACE).contentType(contentType)
                .cacheControl(IMMUTABLE_CACHE_CONTROL).metadata(metadata)))
                .replaceWithVoid();
    }

    /** Deletes an object; deleting one that is not there succeeds, as S3 defines it. */
    @Timeout(value = 10, unit = java.time.temporal.ChronoUnit.SECONDS)
    @Retry(maxRetries = 4, delay = 200, jitter = 100, retryOn = { TransientStorageException.class, TimeoutException.class })
    @ExponentialBackoff(maxDelay = 5000)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 10000, successThreshold = 2,
            failOn = { TransientStorageException.class, TimeoutException.class })
    @CircuitBreakerName("r2-delete")
    public Uni<Void> delete(String key) {
        ObjectKeys.validate(key);
        return call("DELETE", key, () -> client.deleteObject(b -> b.bucket(config.bucket()).key(key)))
                .replaceWithVoid();
    }

    /** One page of keys under {@code prefix}; pass the previous page's token to get the next. */
    @Timeout(value = 15, unit = java.time.temporal.ChronoUnit.SECONDS)
    @Retry(maxRetries = 4, delay = 200, jitter = 100, retryOn = { TransientStorageException.class, TimeoutException.class })
    @ExponentialBackoff(maxDelay = 5000)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 10000, successThreshold = 2,
            failOn = { TransientStorageException.class, TimeoutException.class })
    @CircuitBreakerName("r2-list")
    public Uni<ListPage> list(String prefix, String continuationToken, int maxKeys) {
        return call("LIST", prefix, () -> client.listObjectsV2(b -> b.bucket(config.bucket()).prefix(prefix)
                .maxKeys(maxKeys).continuationToken(continuationToken)))
                .map(R2Storage::toPage);
    }

    /** Every key under {@code prefix}, page after page until the store says there are no more. */
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
    @Timeout(value = 15, unit = java.time.temporal.ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = { TransientStorageException.class, TimeoutException.class })
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 10000, successThreshold = 2,
            failOn = { TransientStorageException.class, TimeoutException.class })
    @CircuitBreakerName("r2-cors-put")
    public Uni<Void> putBucketCors(List<BucketCorsRule> rules) {
        var sdkRules = rules.stream().map(BucketCorsRule::toSdk).toList();
        return call("PUT-CORS", config.bucket(), () -> client.putBucketCors(b -> b.bucket(config.bucket())
                .corsConfiguration(c -> c.corsRules(sdkRules))))
                .replaceWithVoid();
    }

    /** The bucket's CORS rules; empty when it has none (S3 answers 404 NoSuchCORSConfiguration then). */
    @Timeout(value = 15, unit = java.time.temporal.ChronoUnit.SECONDS)
    @Retry(maxRetries = 4, delay = 200, jitter = 100, retryOn = { TransientStorageException.class, TimeoutException.class })
    @ExponentialBackoff(maxDelay = 5000)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 10000, successThreshold = 2,
            failOn = { TransientStorageException.class, TimeoutException.class })
    @CircuitBreakerName("r2-cors-get")
    public Uni<List<BucketCorsRule>> getBucketCors() {
        return call("GET-CORS", config.bucket(), () -> client.getBucketCors(b -> b.bucket(config.bucket())))
                .map(response -> response.corsRules().stream().map(BucketCorsRule::fromSdk).toList())
                .onFailure(R2Storage::noCorsConfiguration).recoverWithItem(List.of());
    }

    /** A cheap call that proves the bucket answers with these credentials: list at most one key, no retry. */
    public Uni<Void> ping(Duration timeout) {
        return call("LIST", config.bucket(), () -> client.listObjectsV2(b -> b.bucket(config.bucket()).maxKeys(1)))
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
    @Timeout(value = 60, unit = java.time.temporal.ChronoUnit.SECONDS)
    @Retry(maxRetries = 4, delay = 200, jitter = 100, retryOn = { TransientStorageException.class, TimeoutException.class })
    @ExponentialBackoff(maxDelay = 5000)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 10000, successThreshold = 2,
            failOn = { TransientStorageException.class, TimeoutException.class })
    @CircuitBreakerName("r2-copy")
    public Uni<Optional<String>> changeStorageClass(String key, String storageClass) {
        ObjectKeys.validate(key);
        return optional("COPY", key, () -> client.copyObject(b -> copyInPlace(b, key, storageClass)
                .metadataDirective(MetadataDirective.COPY)))
                .onFailure(e -> e instanceof StorageException s && s.status() == 400)
                .recoverWithUni(() -> optional("HEAD", key, () -> client.headObject(b -> {
                    b.bucket(config.bucket()).key(key);
                    sse.ifPresent(k -> k.apply(b::sseCustomerAlgorithm, b::sseCustomerKey, b::sseCustomerKeyMD5));
                })).chain(head -> head.isEmpty() ? Uni.createFrom().item(Optional.<CopyObjectResponse>empty())
                        : optional("COPY", key, () -> client.copyObject(b -> copyInPlace(b, key, storageClass)
                                .metadataDirective(MetadataDirective.REPLACE).contentType(head.get().contentType())
                                .cacheControl(head.get().cacheControl()).contentDisposition(head.get().contentDisposition())
                                .contentEncoding(head.get().contentEncoding()).contentLanguage(head.get().contentLanguage())
                                .metadata(head.get().metadata())))))
                .map(found -> found.map(r -> unquote(r.copyObjectResult() == null ? null : r.copyObjectResult().eTag())));
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

    private <T> Uni<T> call(String operation, String target, Supplier<CompletableFuture<T>> request) {
        return StoreCalls.call(config, operation, target, request);
    }

    /** Like {@link #call}, but an answer of 404 is an empty result, so "not found" never counts as a failure. */
    private <T> Uni<Optional<T>> optional(String operation, String target, Supplier<CompletableFuture<T>> request) {
        return StoreCalls.optional(config, operation, target, request);
    }

    private static ObjectHead toHead(String key, HeadObjectResponse r) {
        return new ObjectHead(key, r.contentLength() == null ? -1 : r.contentLength(), unquote(r.eTag()), r.contentType(),
                r.storageClassAsString(), r.metadata());
    }

    private static ObjectStream toStream(ResponsePublisher<GetObjectResponse> publisher) {
        GetObjectResponse r = publisher.response();
        Multi<byte[]> body = Multi.createFrom().publisher(FlowAdapters.toFlowPublisher(publisher))
                .map(R2Storage::toArray);
        return new ObjectStream(r.contentLength() == null ? -1 : r.contentLength(), r.contentType(), unquote(r.eTag()),
                r.contentRange(), body);
    }

    private static ListPage toPage(ListObjectsV2Response r) {
        List<ListPage.Entry> entries = r.contents().stream()
                .map(o -> new ListPage.Entry(o.key(), o.size() == null ? -1 : o.size(), unquote(o.eTag()),
                        o.lastModified()))
                .toList();
        return new ListPage(entries, Boolean.TRUE.equals(r.isTruncated()) ? r.nextContinuationToken() : null);
    }

    private static boolean noCorsConfiguration(Throwable failure) {
        return failure instanceof StorageException e && e.status() == 404
                && e.getCause() instanceof AwsServiceException aws && aws.awsErrorDetails() != null
                && "NoSuchCORSConfiguration".equals(aws.awsErrorDetails().errorCode());
    }

    private static byte[] toArray(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    static String unquote(String etag) {
        if (etag == null) {
            return null;
        }
        return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"") ? etag.substring(1, etag.length() - 1) : etag;
    }
}
