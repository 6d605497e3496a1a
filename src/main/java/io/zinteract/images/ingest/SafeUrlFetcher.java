package io.zinteract.images.ingest;

import io.zinteract.images.image.intake.ImageType;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;
import io.vertx.mutiny.core.http.HttpClientResponse;
import io.zinteract.images.db.Blocking;
import io.zinteract.images.error.ErrorCode;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Fetches an image from a URL that came from outside without letting it reach inside the network: only allowed
 * schemes and hosts; every address the host resolves to must pass {@link AddressPolicy}; the connection goes to the
 * vetted address (so a second DNS answer cannot swap it); each redirect is checked the same way; the body is
 * capped while it streams and its type is taken from its bytes.
 */
@ApplicationScoped
public class SafeUrlFetcher {

    private final IngestConfig config;
    private final AddressPolicy policy;
    private final HttpClient client;

    public SafeUrlFetcher(IngestConfig config, AddressPolicy policy, Vertx vertx) {
        this.config = config;
        this.policy = policy;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setVerifyHost(true)
                .setTryUseCompression(false)
                .setMaxRedirects(0));
    }

    public Uni<FetchedImage> fetch(String url, long maxBytes) {
        URI uri;
        try {
            uri = new URI(url == null ? "" : url.trim());
        } catch (java.net.URISyntaxException e) {
            return Uni.createFrom().failure(refused(ErrorCode.INGEST_URL_INVALID, "not a URL: " + e.getReason()));
        }
        return fetch(uri, maxBytes, 0)
                .ifNoItem().after(config.readTimeout())
                .failWith(() -> refused(ErrorCode.INGEST_TIMEOUT, "no complete answer within " + config.readTimeout().toSeconds() + " s"));
    }

    private Uni<FetchedImage> fetch(URI uri, long maxBytes, int redirects) {
        return Uni.createFrom().deferred(() -> {
            checkUrl(uri);
            return Blocking.call(() -> resolveVetted(uri.getHost()))
                    .chain(address -> request(uri, address))
                    .chain(response -> handle(uri, response, maxBytes, redirects));
        });
    }

    private void checkUrl(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || uri.getHost() == null || uri.getRawUserInfo() != null) {
            throw refused(ErrorCode.INGEST_URL_INVALID, "an absolute http(s) URL with a host and no user info is needed");
        }
        if (!scheme.equals("https") && !(scheme.equals("http") && config.allowHttp())) {
            throw refused(ErrorCode.INGEST_SCHEME_NOT_ALLOWED, "scheme " + scheme + " is not fetched; use https");
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (config.allowedHosts().stream().noneMatch(pattern -> hostMatches(pattern.trim().toLowerCase(Locale.ROOT), host))) {
            throw refused(ErrorCode.INGEST_HOST_NOT_ALLOWED, "host " + host + " is not on the allowlist");
        }
    }

    static boolean hostMatches(String pattern, String host) {
        if (pattern.startsWith("*.")) {
            return host.endsWith(pattern.substring(1)) && host.length() > pattern.length() - 1;
        }
        return pattern.equals(host);
    }

    /** Every address of the host must be acceptable; one bad answer is enough to refuse (a rebinding defence). */
    private InetAddress resolveVetted(String host) {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        } catch (UnknownHostException e) {
            throw refused(ErrorCode.INGEST_HOST_UNRESOLVED, "host " + host + " does not resolve");
        }
        for (InetAddress address : addresses) {
            Optional<ErrorCode> refusal = policy.refusal(address);
            if (refusal.isPresent()) {
                throw refused(refusal.get(), "host " + host + " resolves to " + address.getHostAddress());
            }
        }
        return addresses[0];
    }

    private Uni<HttpClientResponse> request(URI uri, InetAddress address) {
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : https ? 443 : 80;
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
                .setHost(uri.getHost()).setPort(port).setSsl(https).setURI(path)
                .setFollowRedirects(false)
                .setIdleTimeout(config.readTimeout().toMillis())
                .putHeader("Accept", "image/*")
                .putHeader("User-Agent", "r2-image-service");
        return client.request(options).chain(request -> request.send())
                .onFailure(f -> !(f instanceof IngestRefusedException)).transform(f -> refused(
                        ErrorCode.INGEST_UPSTREAM_FAILED, "could not fetch from " + uri.getHost() + ": " + f.getMessage()));
    }

    private Uni<FetchedImage> handle(URI uri, HttpClientResponse response, long maxBytes, int redirects) {
        int status = response.statusCode();
        if (status >= 300 && status < 400 && response.getHeader("Location") != null) {
            response.request().reset();
            if (redirects >= config.maxRedirects()) {
                return Uni.createFrom().failure(refused(ErrorCode.INGEST_TOO_MANY_REDIRECTS,
                        "more than " + config.maxRedirects() + " redirects"));
            }
            URI next;
            try {
                next = uri.resolve(response.getHeader("Location").trim());
            } catch (IllegalArgumentException e) {
                return Uni.createFrom().failure(refused(ErrorCode.INGEST_URL_INVALID, "redirect to an invalid URL"));
            }
            return fetch(next, maxBytes, redirects + 1);
        }
        if (status != 200) {
            response.request().reset();
            return Uni.createFrom().failure(refused(ErrorCode.INGEST_UPSTREAM_FAILED,
                    uri.getHost() + " answered HTTP " + status));
        }
        String length = response.getHeader("Content-Length");
        if (length != null && parseLength(length) > maxBytes) {
            response.request().reset();
            return Uni.createFrom().failure(tooLarge(maxBytes));
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        return response.toMulti()
                .onItem().invoke(chunk -> append(body, chunk, maxBytes))
                .onFailure(IngestRefusedException.class).invoke(e -> response.request().reset())
                .collect().last()
                .map(ignored -> {
                    byte[] bytes = body.toByteArray();
                    ImageType type = ImageType.sniff(bytes).orElseThrow(() -> refused(ErrorCode.INGEST_NOT_AN_IMAGE,
                            "the content at " + uri.getHost() + " is not a JPEG, PNG, WebP, GIF or AVIF image"));
                    return new FetchedImage(bytes, type, uri);
                });
    }

    private static void append(ByteArrayOutputStream body, Buffer chunk, long maxBytes) {
        if (body.size() + (long) chunk.length() > maxBytes) {
            throw tooLarge(maxBytes);
        }
        body.writeBytes(chunk.getBytes());
    }

    private static long parseLength(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static IngestRefusedException tooLarge(long maxBytes) {
        return refused(ErrorCode.INGEST_TOO_LARGE, "the content is larger than " + maxBytes + " bytes");
    }

    private static IngestRefusedException refused(ErrorCode code, String detail) {
        return new IngestRefusedException(code, detail);
    }

    @PreDestroy
    void close() {
        client.closeAndAwait();
    }
}
