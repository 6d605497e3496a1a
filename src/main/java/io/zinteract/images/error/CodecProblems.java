package io.zinteract.images.error;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.Handler;
import io.vertx.core.Verticle;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.impl.Deployment;
import io.vertx.core.impl.VertxInternal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.lang.reflect.Field;

/**
 * Answers the requests that the HTTP codec cannot read (a request line over the URI limit, headers over the header
 * limit, a malformed request line or header) with a problem document instead of Vert.x' empty 414/431/400, and
 * puts {@link ChunkedBodyLimit} in front of Quarkus' request handler so that a chunked body over
 * {@code MAX_REQUEST_BYTES} gets one too.
 *
 * <p>Vert.x hands such requests to the server's {@code invalidRequestHandler}, which Quarkus neither sets nor lets an
 * application set before the server listens (quarkusio/quarkus#55082), and which each server copies into its
 * connection handler when it starts listening. So once the servers listen, this replaces that copy on each of
 * Quarkus' HTTP servers, the only place Vert.x reads it from for new connections. Every step is checked; if a
 * Vert.x upgrade moves these internals, the service logs one warning and keeps Vert.x' own empty answers, and
 * {@code HttpEdgeTest} fails.
 */
@ApplicationScoped
public class CodecProblems {

    private static final Logger LOG = Logger.getLogger(CodecProblems.class);
    private static final String QUARKUS_VERTICLE = "io.quarkus.vertx.http.runtime.VertxHttpRecorder$WebDeploymentVerticle";
    private static final long POLL_MILLIS = 20;
    private static final String[] SERVER_FIELDS = { "httpServer", "httpsServer", "domainSocketServer" };

    private final Vertx vertx;
    private final Handler<HttpServerRequest> answer;
    private final long maxBodyBytes;

    public CodecProblems(Vertx vertx,
            @ConfigProperty(name = "quarkus.http.limits.max-initial-line-length") int maxRequestLine,
            @ConfigProperty(name = "quarkus.http.limits.max-header-size") MemorySize maxHeaders,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") java.util.Optional<MemorySize> maxBody) {
        this.vertx = vertx;
        this.maxBodyBytes = maxBody.map(MemorySize::asLongValue).orElse(-1L);
        this.answer = request -> answer(request, maxRequestLine, maxHeaders.asLongValue());
    }

    /**
     * Quarkus starts its HTTP servers after the start-up event, and Vert.x lists their deployment only once every
     * instance listens: so this looks every {@value #POLL_MILLIS} ms until it appears, then replaces the handler on all
     * of them. Connections accepted in those few milliseconds keep Vert.x' answers.
     */
    void install(@Observes StartupEvent event) {
        if (replaceAll() == 0) {
            long[] attempts = { 0 };
            vertx.setPeriodic(POLL_MILLIS, timer -> {
                if (replaceAll() > 0) {
                    vertx.cancelTimer(timer);
                } else if (++attempts[0] * POLL_MILLIS > 60_000) {
                    vertx.cancelTimer(timer);
                    LOG.warn("Requests the HTTP codec cannot read get Vert.x' empty answers: no HTTP server found");
                }
            });
        }
    }

    /** The number of servers now answering with problems; 0 while Quarkus' servers are not all listening yet. */
    private int replaceAll() {
        int replaced = 0;
        try {
            VertxInternal internal = (VertxInternal) vertx;
            for (String id : internal.deploymentIDs()) {
                Deployment deployment = internal.getDeployment(id);
                if (deployment == null) {
                    continue;
                }
                for (Verticle verticle : deployment.getVerticles()) {
                    if (verticle.getClass().getName().equals(QUARKUS_VERTICLE)) {
                        replaced += replaceIn(verticle);
                    }
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warnf("Requests the HTTP codec cannot read get Vert.x' empty answers: %s", e.toString());
            return -1;
        }
        if (replaced > 0) {
            LOG.debugf("Problem answers for unreadable requests installed on %d HTTP server(s)", replaced);
        }
        return replaced;
    }

    private int replaceIn(Verticle verticle) throws ReflectiveOperationException {
        int replaced = 0;
        for (String name : SERVER_FIELDS) {
            Object server = read(verticle, verticle.getClass(), name);
            if (server == null) {
                continue;
            }
            Object worker = read(server, Class.forName("io.vertx.core.net.impl.TCPServerBase"), "childHandler");
            if (worker == null) {
                continue;
            }
            Object connections = read(worker, worker.getClass(), "connectionHandler");
            Field invalid = connections.getClass().getDeclaredField("invalidRequestHandler");
            invalid.setAccessible(true);
            invalid.set(connections, answer);
            Field requests = connections.getClass().getDeclaredField("requestHandler");
            requests.setAccessible(true);
            Object current = requests.get(connections);
            if (maxBodyBytes > 0 && current instanceof Handler<?> handler && !(current instanceof ChunkedBodyLimit)) {
                @SuppressWarnings("unchecked")
                Handler<HttpServerRequest> quarkus = (Handler<HttpServerRequest>) handler;
                requests.set(connections, new ChunkedBodyLimit(quarkus, maxBodyBytes));
            }
            replaced++;
        }
        return replaced;
    }

    private static Object read(Object target, Class<?> type, String name) throws ReflectiveOperationException {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(target);
    }

    static void answer(HttpServerRequest request, int maxRequestLine, long maxHeaders) {
        DecoderResult result = request.decoderResult();
        Throwable cause = result == null ? null : result.cause();
        if (cause instanceof TooLongHttpLineException) {
            VertxProblems.send(request, ErrorCode.URI_TOO_LONG,
                    "the request line (method, URI and version) is longer than " + maxRequestLine + " bytes", true, null);
        } else if (cause instanceof TooLongHttpHeaderException) {
            VertxProblems.send(request, ErrorCode.HEADERS_TOO_LARGE,
                    "the request headers are larger than " + maxHeaders + " bytes in all", true, null);
        } else {
            VertxProblems.send(request, ErrorCode.INVALID_REQUEST,
                    "the request line or a header is not valid HTTP/1.1", true, null);
        }
    }
}
