package io.zinteract.images.storage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.zinteract.images.config.ServiceConfig;
import io.zinteract.images.storage.model.PresignedPut;
import jakarta.enterprise.context.ApplicationScoped;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.GetObjectPresignRequest;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;
import software.amazon.awssdk.services.s3.presigner.model.PutObjectPresignRequest;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The URLs by which others reach an object without this service: its public URL under {@code R2_PUBLIC_URL}, and
 * presigned GET and PUT URLs. Signing is local (no request is sent), so nothing here needs the time-outs, retries or
 * breakers of {@link R2Storage}. Under SSE-C there are none: such objects can only be read with the key.
 */
@ApplicationScoped
public class R2Urls {

    private final S3Presigner presigner;
    private final R2Config config;
    private final Optional<SseCustomerKey> sse;
    /**
     * Signed GET URLs by key and lifetime, each reused for half its lifetime, so a client is never handed one with
     * less than half left; null when {@code IMAGE_CACHE_MAX_ENTRIES} is 0. Nothing needs invalidating here: a URL names
     * a key, not a row, and is only asked for while a row points at that key. About 1.5 KB an entry.
     */
    private final Cache<Signing, URI> gets;

    public R2Urls(S3Presigner presigner, R2Config config, ServiceConfig service, MeterRegistry registry) {
        this.presigner = presigner;
        this.config = config;
        this.sse = SseCustomerKey.parse(config.sseCKey());
        int entries = service.serve().cache().maxEntries();
        if (entries == 0) {
            this.gets = null;
        } else {
            this.gets = Caffeine.newBuilder().maximumSize(entries)
                    .expireAfter(Expiry.<Signing, URI>creating((signing, url) -> signing.ttl().dividedBy(2)))
                    .recordStats().build();
            CaffeineCacheMetrics.monitor(registry, gets, "presigned-gets");
        }
    }

    private record Signing(String key, Duration ttl) {
    }

    /** Public URL of an object under {@code R2_PUBLIC_URL}, when one is configured; never with SSE-C. */
    public Optional<String> publicUrl(String key) {
        return config.publicUrl().filter(s -> !s.isBlank() && sse.isEmpty())
                .map(base -> (base.endsWith("/") ? base : base + "/") + key);
    }

    /**
     * A GET URL signed for {@code ttl}, with at least half of it left: the same URL is handed out again until then.
     * R2 honours these only on its own endpoint, never on a custom domain.
     */
    public URI presignGet(String key, Duration ttl) {
        StoreCalls.requireConfigured(config);
        if (sse.isPresent()) {
            throw new IllegalStateException("a presigned URL cannot carry the SSE-C key; stream the object instead");
        }
        // The key is checked when it is signed: only checked keys are in the cache.
        return gets == null ? sign(key, ttl) : gets.get(new Signing(key, ttl), s -> sign(s.key(), s.ttl()));
    }

    private URI sign(String key, Duration ttl) {
        ObjectKeys.validate(key);
        var request = GetObjectPresignRequest.builder().signatureDuration(ttl)
                .getObjectRequest(b -> b.bucket(config.bucket()).key(key)).build();
        try {
            return presigner.presignGetObject(request).url().toURI();
        } catch (java.net.URISyntaxException e) {
            throw new StorageException("presigned URL for " + key + " is not a URI", 0, e);
        }
    }

    /**
     * A PUT URL for {@code key} valid for {@code ttl}, with Content-Type, Content-Length and (when not null)
     * Content-MD5 among the signed headers, so the store refuses any other type, length or body. Like GET URLs, R2
     * honours these only on its own endpoint.
     */
    public PresignedPut presignPut(String key, String contentType, long contentLength, String md5Base64, Duration ttl) {
        ObjectKeys.validate(key);
        StoreCalls.requireConfigured(config);
        var request = PutObjectPresignRequest.builder().signatureDuration(ttl).putObjectRequest(b -> {
            b.bucket(config.bucket()).key(key).contentType(contentType).contentLength(contentLength);
            if (md5Base64 != null) {
                b.contentMD5(md5Base64);
            }
        }).build();
        PresignedPutObjectRequest presigned = presigner.presignPutObject(request);
        Map<String, String> headers = new TreeMap<>();
        presigned.signedHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host")) {
                headers.put(PresignedPut.headerName(name), String.join(",", values));
            }
        });
        try {
            return new PresignedPut(presigned.url().toURI(), headers, presigned.expiration());
        } catch (java.net.URISyntaxException e) {
            throw new StorageException("presigned URL for " + key + " is not a URI", 0, e);
        }
    }
}
