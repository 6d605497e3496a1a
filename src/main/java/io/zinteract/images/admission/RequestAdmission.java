package io.zinteract.images.admission;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.zinteract.images.config.ServiceConfig;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.error.ProblemMapper;
import io.zinteract.images.error.Problem;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Locale;

/**
 * Charges every API request that brings or fetches an image to the {@link MemoryBudget} before a byte of its body is
 * read, from its declared {@code Content-Length} (the largest image allowed when it declares none), and gives the
 * bytes back when its response ends, whichever way it ends (answered, failed, client gone). A request that finds no
 * room waits a little with its input paused, then is answered 503 {@code SERVER_BUSY} with {@code Retry-After}; its
 * body is then read and dropped so the client sees the answer instead of a reset connection. A body that stops
 * arriving for {@code HTTP_IDLE_TIMEOUT} has its connection closed.
 */
@ApplicationScoped
public class RequestAdmission {

    /** Held per byte of an upload: the body being read and its copy, then the image itself while it is stored. */
    static final int UPLOAD_FACTOR = 3;
    /** Held per byte of the largest image by requests that fetch, generate or verify one. */
    static final int FETCH_FACTOR = 2;
    static final int PRIORITY = 50;

    private static final Logger LOG = Logger.getLogger(RequestAdmission.class);
    private static final String WAITING = RequestAdmission.class.getName() + ".waiting";

    private final MemoryBudget budget;
    private final ServiceConfig config;
    private final Duration idleTimeout;

    public RequestAdmission(MemoryBudget budget, ServiceConfig config, MemoryConfig memory) {
        this.budget = budget;
        this.config = config;
        this.idleTimeout = memory.bodyIdleTimeout();
    }

    void register(@Observes Filters filters) {
        filters.register(this::admit, PRIORITY);
    }

    /** Bytes a request is charged; 0 for requests that carry and fetch no image. */
    long cost(String method, String path, String contentLength, boolean chunked) {
        if (!"POST".equals(method) && !"PUT".equals(method)) {
            return 0;
        }
        long max = config.maxImageBytes();
        if (path.equals("/api/images/ingest") || path.equals("/api/generate-image")
                || (path.startsWith("/api/images/uploads/") && path.endsWith("/complete"))) {
            return FETCH_FACTOR * max;
        }
        long declared = declared(contentLength);
        if (path.equals("/api/images") || path.equals("/api/images/")) {
            long body = declared >= 0 ? declared : chunked ? max : 0;
            if (body > config.multipart().threshold()) {
                // Above the multipart threshold an upload stays on disk and goes to R2 a part at a time.
                return FETCH_FACTOR * config.multipart().partSize();
            }
            return UPLOAD_FACTOR * body;
        }
        return path.startsWith("/api/") ? Math.max(0, declared) : 0;
    }

    private static long declared(String contentLength) {
        if (contentLength == null) {
            return -1;
        }
        try {
            return Long.parseLong(contentLength.trim());
        } catch (NumberFormatException e) {
            return -1; // refused with 400 further on
        }
    }

    private void admit(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String transfer = request.getHeader("Transfer-Encoding");
        boolean chunked = transfer != null && transfer.toLowerCase(Locale.ROOT).contains("chunked");
        long declared = declared(request.getHeader("Content-Length"));
        if (chunked || declared > 0) {
            watchBody(ctx, chunked ? Long.MAX_VALUE : declared);
        }
        long cost = cost(request.method().name(), ctx.normalizedPath(), request.getHeader("Content-Length"), chunked);
        if (cost <= 0) {
            ctx.next();
            return;
        }
        var now = budget.tryReserve(cost);
        if (now.isPresent()) {
            holdUntilEnd(ctx, now.get());
            ctx.next();
            return;
        }
        // Nothing of the body is read while it waits: Quarkus keeps a request's input paused until a handler takes it
        // (an explicit pause() here would stop it from resuming then, and the body would never arrive).
        ctx.put(WAITING, Boolean.TRUE);
        Context context = Vertx.currentContext();
        budget.reserve(cost).onTermination().invoke(() -> ctx.put(WAITING, Boolean.FALSE)).subscribe().with(
                permit -> context.runOnContext(ignored -> {
                    if (ctx.response().closed() || ctx.response().ended()) {
                        permit.release();
                        return;
                    }
                    holdUntilEnd(ctx, permit);
                    ctx.next();
                }),
                failure -> context.runOnContext(ignored -> refuse(ctx, failure)));
    }

    /**
     * Closes the connection of a request whose body stopped arriving for {@code HTTP_IDLE_TIMEOUT}. Only the body is
     * watched: once it is complete, however long the answer takes, the watch ends. While the request waits for
     * admission its input is paused by us, so that time does not count.
     */
    private void watchBody(RoutingContext ctx, long length) {
        HttpServerRequest request = ctx.request();
        long timeoutMillis = Math.max(1, idleTimeout.toMillis());
        long interval = Math.max(50, Math.min(1_000, timeoutMillis / 4));
        long[] lastRead = { request.bytesRead() };
        long[] lastProgress = { System.nanoTime() };
        long timer = ctx.vertx().setPeriodic(interval, id -> {
            long read = request.bytesRead();
            // The whole declared body counts as complete: the reader may leave the input paused (and the request
            // not yet "ended") while the image is being stored.
            if (read >= length || request.isEnded() || ctx.response().ended() || ctx.response().closed()) {
                ctx.vertx().cancelTimer(id);
                return;
            }
            if (read != lastRead[0] || waiting(ctx)) {
                lastRead[0] = read;
                lastProgress[0] = System.nanoTime();
            } else if (System.nanoTime() - lastProgress[0] >= timeoutMillis * 1_000_000L) {
                ctx.vertx().cancelTimer(id);
                LOG.infof("Closed a connection whose request body stopped arriving for %s (%d bytes read): %s %s",
                        idleTimeout, read, request.method(), request.path());
                request.connection().close();
            }
        });
        ctx.addEndHandler(ignored -> ctx.vertx().cancelTimer(timer));
    }

    private static boolean waiting(RoutingContext ctx) {
        return Boolean.TRUE.equals(ctx.get(WAITING));
    }

    /** Gives the bytes back when the response ends or the connection closes, whichever comes first. */
    public static void holdUntilEnd(RoutingContext ctx, MemoryPermit permit) {
        ctx.addEndHandler(ignored -> permit.release());
        if (ctx.response().ended() || ctx.response().closed()) {
            permit.release();
        }
    }

    private static void refuse(RoutingContext ctx, Throwable failure) {
        if (ctx.response().closed() || ctx.response().ended()) {
            return;
        }
        String detail = failure instanceof ApiException api ? api.getMessage() : "the service is busy; retry shortly";
        ErrorCode code = ErrorCode.SERVER_BUSY;
        JsonObject problem = new JsonObject().put("type", code.type()).put("title", code.title())
                .put("status", code.status()).put("detail", detail).put("code", code.name())
                .put("instance", ctx.request().path());
        if (failure instanceof ApiException api && api.extensions() != null) {
            api.extensions().forEach(problem::put);
        }
        HttpServerRequest request = ctx.request();
        request.handler(dropped -> {
        });
        request.resume();
        ctx.response().setStatusCode(code.status())
                .putHeader("Content-Type", Problem.MEDIA_TYPE)
                .putHeader("Retry-After", ProblemMapper.RETRY_AFTER_SECONDS)
                .end(problem.encode());
    }
}
