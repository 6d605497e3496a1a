package io.zinteract.images.storage.multipart;

import io.zinteract.images.storage.R2Storage;
import io.zinteract.images.storage.SseCustomerKey;
import io.zinteract.images.storage.TransientStorageException;
import io.zinteract.images.storage.R2Config;
import io.zinteract.images.storage.StoreCalls;
import io.zinteract.images.storage.R2Responses;
import io.zinteract.images.storage.ObjectKeys;
import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import software.amazon.awssdk.core.FileRequestBodyConfiguration;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CompletedPart;

import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * The multipart calls of the S3 API, each with its own time-out, retries and circuit breaker like those of
 * {@link R2Storage}; {@link MultipartUploader} puts them together. With an SSE-C key, create, every part and complete
 * carry it (abort has no SSE-C in the S3 API).
 */
@Retry(maxRetries = 4, delay = 200, jitter = 100, retryOn = { TransientStorageException.class, TimeoutException.class })
@ExponentialBackoff(maxDelay = 5000)
@CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 10000, successThreshold = 2,
        failOn = { TransientStorageException.class, TimeoutException.class })
@ApplicationScoped
class R2Multipart {

    private final S3AsyncClient client;
    private final R2Config config;
    private final Optional<SseCustomerKey> sse;

    public R2Multipart(S3AsyncClient client, R2Config config) {
        this.client = client;
        this.config = config;
        this.sse = SseCustomerKey.parse(config.sseCKey());
    }

    /** Starts a multipart upload; the answer is its upload id. Class, type, metadata and key are fixed here. */
    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    @CircuitBreakerName("r2-multipart-create")
    public Uni<String> createMultipart(String key, String contentType, Map<String, String> metadata, String storageClass) {
        ObjectKeys.validate(key);
        return StoreCalls.call(config, "CREATE-MULTIPART", key, () -> client.createMultipartUpload(b -> {
            b.bucket(config.bucket()).key(key).contentType(contentType).cacheControl(R2Storage.IMMUTABLE_CACHE_CONTROL)
                    .metadata(metadata);
            if (storageClass != null) {
                b.storageClass(storageClass);
            }
            sse.ifPresent(k -> k.apply(b::sseCustomerAlgorithm, b::sseCustomerKey, b::sseCustomerKeyMD5));
        })).map(response -> response.uploadId());
    }

    /**
     * Uploads bytes {@code offset .. offset+length} of {@code file} as part {@code number}, read from disk on each
     * attempt rather than held in memory; {@code md5Base64} goes out as Content-MD5. The answer is the part's ETag.
     */
    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    @CircuitBreakerName("r2-multipart-part")
    public Uni<String> uploadPart(String key, String uploadId, int number, Path file, long offset, long length,
            String md5Base64) {
        ObjectKeys.validate(key);
        return StoreCalls.call(config, "UPLOAD-PART", key + " part " + number, () -> client.uploadPart(b -> {
            b.bucket(config.bucket()).key(key).uploadId(uploadId).partNumber(number).contentLength(length)
                    .contentMD5(md5Base64);
            sse.ifPresent(k -> k.apply(b::sseCustomerAlgorithm, b::sseCustomerKey, b::sseCustomerKeyMD5));
        }, AsyncRequestBody.fromFile(FileRequestBodyConfiguration.builder().path(file).position(offset)
                .numBytesToRead(length).build()))).map(response -> response.eTag());
    }

    /** Joins the parts, in order, into the object; the answer is its ETag ({@code <hex>-<parts>} on R2). */
    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    @CircuitBreakerName("r2-multipart-complete")
    public Uni<String> completeMultipart(String key, String uploadId, List<String> partEtags) {
        ObjectKeys.validate(key);
        List<CompletedPart> parts = new ArrayList<>(partEtags.size());
        for (int i = 0; i < partEtags.size(); i++) {
            parts.add(CompletedPart.builder().partNumber(i + 1).eTag(partEtags.get(i)).build());
        }
        return StoreCalls.call(config, "COMPLETE-MULTIPART", key, () -> client.completeMultipartUpload(b -> {
            b.bucket(config.bucket()).key(key).uploadId(uploadId).multipartUpload(u -> u.parts(parts));
            sse.ifPresent(k -> k.apply(b::sseCustomerAlgorithm, b::sseCustomerKey, b::sseCustomerKeyMD5));
        })).map(response -> R2Responses.unquote(response.eTag()));
    }

    /** Drops an unfinished upload and the parts stored so far; an upload already gone counts as dropped. */
    @Timeout(value = 10, unit = ChronoUnit.SECONDS)
    @CircuitBreakerName("r2-multipart-abort")
    public Uni<Void> abortMultipart(String key, String uploadId) {
        ObjectKeys.validate(key);
        return StoreCalls.optional(config, "ABORT-MULTIPART", key, () -> client.abortMultipartUpload(b -> b.bucket(config.bucket())
                .key(key).uploadId(uploadId))).replaceWithVoid();
    }
}
