package io.zinteract.images.ingest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Rules for fetching images from URLs (the provider's temporary URL, {@code POST /api/images/ingest}). The URL comes
 * from outside, so only listed hosts are fetched, never addresses inside the network.
 */
@ConfigMapping(prefix = "ingest")
public interface IngestConfig {

    /**
     * Hosts images may be fetched from; {@code *.example.com} matches sub-domains ({@code INGEST_ALLOWED_HOSTS},
     * comma-separated). The default covers OpenAI's image delivery hosts, as z-interact allowed.
     */
    List<String> allowedHosts();

    /** Whether plain {@code http://} URLs are fetched; only for development and tests ({@code INGEST_ALLOW_HTTP}). */
    boolean allowHttp();

    /**
     * Networks (CIDR) exempted from the ban on loopback, private and link-local addresses; empty in production
     * ({@code INGEST_ALLOWED_NETWORKS}).
     */
    Optional<List<String>> allowedNetworks();

    /** Redirects followed at most; each target is checked like the first URL. */
    @WithDefault("3")
    int maxRedirects();

    /** Time to open a connection ({@code INGEST_CONNECT_TIMEOUT}). */
    Duration connectTimeout();

    /** Longest silence while reading an answer, and the limit on the whole fetch ({@code INGEST_READ_TIMEOUT}). */
    Duration readTimeout();
}
