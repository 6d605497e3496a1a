package io.zinteract.images.ratelimit;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The address buckets of the limited endpoints, checked on the route before anything else: before the memory
 * admission, before a byte of the body is read, before the request reaches its resource. A refused request has
 * stored nothing, called nothing and fetched nothing. The session and participant buckets need the body and are
 * checked by the resources ({@link RateLimiter#checkRequester}).
 */
@ApplicationScoped
public class RateLimitFilter {

    /** Above the memory admission's 50: a refused client must not wait for, or hold, room in the memory budget. */
    static final int PRIORITY = 60;

    private final RateLimiter limiter;

    public RateLimitFilter(RateLimiter limiter) {
        this.limiter = limiter;
    }

    void register(@Observes Filters filters) {
        filters.register(this::check, PRIORITY);
    }

    /** The limit and the endpoint label of a request, or null when it is not limited by address here. */
    static Limit limitOf(String method, String path) {
        if (!"POST".equals(method) || path == null) {
            return null;
        }
        // The resource matcher ignores matrix parameters and a trailing slash: so must this, or /api/images;x=1 would
        // reach the upload without meeting its bucket. (Vert.x has already removed dot segments and decoded %-escapes
        // of unreserved characters.)
        String p = path.indexOf(';') >= 0 ? path.replaceAll(";[^/]*", "") : path;
        p = p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
        return switch (p) {
            case "/api/generate-image" -> Limit.GENERATE;
            case "/api/images/ingest" -> Limit.INGEST;
            case "/api/images" -> Limit.UPLOADS;
            case "/api/images/uploads" -> Limit.PRESIGN;
            default -> null;
        };
    }

    static String endpoint(Limit limit) {
        return switch (limit) {
            case GENERATE -> "generate-image";
            case INGEST -> "ingest";
            case UPLOADS -> "images";
            case PRESIGN -> "uploads";
            default -> limit.wire();
        };
    }

    private void check(RoutingContext ctx) {
        Limit limit = limitOf(ctx.request().method().name(), ctx.normalizedPath());
        if (limit == null || !limiter.active(limit)) {
            ctx.next();
            return;
        }
        String key = limiter.addressOf(ctx.request());
        if (!limiter.blocking()) {
            decided(ctx, limiter.consumeNow(limit, "address", key, endpoint(limit)));
            return;
        }
        Context context = Vertx.currentContext();
        limiter.consume(limit, "address", key, endpoint(limit)).subscribe().with(
                d -> context.runOnContext(ignored -> decided(ctx, d)),
                failure -> context.runOnContext(ignored -> ctx.fail(failure)));
    }

    private static void decided(RoutingContext ctx, Decision d) {
        if (d.allowed()) {
            RateLimitProblems.passed(ctx, d);
            ctx.next();
        } else {
            RateLimitProblems.refuse(ctx, d);
        }
    }
}
