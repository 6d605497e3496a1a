package io.zinteract.images.config;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Turns off HTTP/2 over plain HTTP (h2c) on the HTTP port. A request that asks to upgrade to h2c is held in memory
 * whole by Vert.x before it is handled, so one upload with {@code Upgrade: h2c} (Java's HttpClient sends it by
 * default) can fill the heap whatever the streaming behind it does. Such requests are now served as HTTP/1.1 and stream
 * like any other. HTTPS keeps HTTP/2 (negotiated by ALPN, no upgrade).
 */
@ApplicationScoped
public class CleartextHttp2Off implements HttpServerOptionsCustomizer {

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        options.setHttp2ClearTextEnabled(false);
    }
}
