package io.zinteract.images.storage;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Connection to Cloudflare R2 or any S3-compatible store. Property {@code r2.x-y} is read from environment
 * variable {@code R2_X_Y}, so {@code R2_BUCKET} sets {@link #bucket()}.
 */
@ConfigMapping(prefix = "r2")
public interface R2Config {

    /** Cloudflare account id; gives the endpoint {@code https://<id>.r2.cloudflarestorage.com} ({@code R2_ACCOUNT_ID}). */
    Optional<String> accountId();

    /** Endpoint that overrides the one derived from the account id: S3Proxy, MinIO, any S3 ({@code R2_ENDPOINT}). */
    Optional<String> endpoint();

    /** Access key id of an R2 API token with object read and write on the bucket ({@code R2_ACCESS_KEY_ID}). */
    Optional<String> accessKeyId();

    /** Secret of that token ({@code R2_SECRET_ACCESS_KEY}). Never logged. */
    Optional<String> secretAccessKey();

    /** Bucket that holds the images ({@code R2_BUCKET}). */
    @WithDefault("z-interact-images")
    String bucket();

    /**
     * Public base URL of the bucket: a custom domain or the r2.dev address ({@code R2_PUBLIC_URL}). When empty,
     * images are served through presigned URLs or streamed.
     */
    Optional<String> publicUrl();

    /** Region sent in signatures; R2 wants {@code auto} ({@code R2_REGION}). */
    @WithDefault("auto")
    String region();

    /** Prefix of every object key this service writes ({@code R2_KEY_PREFIX}). */
    @WithDefault("images/")
    String keyPrefix();

    /** Limit on one whole SDK call, including its transfer ({@code R2_CALL_TIMEOUT}). */
    @WithDefault("PT30S")
    Duration callTimeout();

    /**
     * Bytes the S3 client reads ahead of whoever consumes a response ({@code R2_READ_BUFFER_BYTES}): what one image
     * streamed through the service holds in memory while its client reads slower than R2 sends. The SDK's default,
     * 16 MiB, would let a few dozen slow clients fill a heap; larger values only help over long, fast links.
     */
    @WithDefault("1048576")
    long readBufferBytes();

    /**
     * Customer-provided encryption key (SSE-C): base64 of exactly 32 random bytes ({@code R2_SSE_C_KEY}), e.g.
     * {@code openssl rand -base64 32}. When set, every object read or write sends it and images are always streamed
     * through the service. Never logged. Objects written without it (or with another key) cannot be read with it.
     */
    Optional<String> sseCKey();

    /**
     * Images older than this many days (by {@code created_at}) are written with storage class {@code STANDARD_IA}
     * ({@code R2_IA_AFTER_DAYS}); empty means never: everything is {@code STANDARD}.
     */
    OptionalInt iaAfterDays();

    /** True when an endpoint and both credentials are known, i.e. the service can reach a bucket at all. */
    default boolean configured() {
        return (present(endpoint()) || present(accountId())) && present(accessKeyId()) && present(secretAccessKey());
    }

    /** The endpoint actually used: {@link #endpoint()} when set, else the one derived from the account id. */
    default Optional<String> effectiveEndpoint() {
        if (present(endpoint())) {
            return endpoint().map(String::trim);
        }
        return accountId().filter(s -> !s.isBlank())
                .map(id -> "https://" + id.trim() + ".r2.cloudflarestorage.com");
    }

    private static boolean present(Optional<String> value) {
        return value.filter(s -> !s.isBlank()).isPresent();
    }
}
