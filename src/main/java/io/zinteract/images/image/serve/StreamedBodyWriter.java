package io.zinteract.images.image.serve;

import io.smallrye.mutiny.subscription.MultiSubscriber;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveResourceInfo;
import org.jboss.resteasy.reactive.server.spi.ServerHttpResponse;
import org.jboss.resteasy.reactive.server.spi.ServerMessageBodyWriter;
import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;

import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

/**
 * Writes a {@link StreamedBody} with its {@code Content-Length} and no chunked encoding (chunked only when the store
 * gave no length). Quarkus streams a
 * {@code Multi} always chunked, and a streamed response that also carried the object's length said two things at once:
 * clients that believe the length (Java's HttpClient) read the chunk framing as image bytes. At most
 * {@link #PIECES_IN_FLIGHT} pieces are handed to the socket and not yet written, another requested only as one is
 * written, so a slow client holds back the bucket instead of filling the heap (no prefetching operator such as
 * {@code emitOn}, whose queue of 256 pieces is what let a slow client fill a 96 MiB heap); the store's own read window
 * bounds the rest. One piece at a time cost a thread hop each way per piece and kept a 150 KB image at 20 ms on
 * loopback. A failure after the headers went out resets the connection, so the client sees a cut-off body rather
 * than a short one that looks complete.
 */
@Provider
public class StreamedBodyWriter implements ServerMessageBodyWriter<StreamedBody> {

    private static final Logger LOG = Logger.getLogger(StreamedBodyWriter.class);
    /** The SDK hands over pieces of at most its socket read (tens of KB), so this bounds a response to about 1 MB. */
    static final int PIECES_IN_FLIGHT = 16;

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, ResteasyReactiveResourceInfo target, MediaType mediaType) {
        return StreamedBody.class.equals(type);
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return StreamedBody.class.equals(type);
    }

    @Override
    public void writeResponse(StreamedBody body, Type genericType, ServerRequestContext context) {
        ResteasyReactiveRequestContext request = (ResteasyReactiveRequestContext) context;
        ServerHttpResponse response = context.serverResponse();
        request.suspend();
        if (body.length() >= 0) {
            response.setResponseHeader("Content-Length", Long.toString(body.length()));
            response.setChunked(false);
        } else {
            response.setChunked(true);
        }
        // The SDK hands pieces over on its own threads; writes go out on the request's context, in order, because the
        // next piece is only requested once the previous one is written.
        Context vertx = Vertx.currentContext();
        Executor onContext = vertx == null ? Runnable::run : task -> vertx.runOnContext(ignored -> task.run());
        body.data().subscribe().withSubscriber(new MultiSubscriber<byte[]>() {
            private volatile Flow.Subscription subscription;
            /** Set once, on the request's context: the request is resumed exactly once, whatever fails after. */
            private volatile boolean finished;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                response.addCloseHandler(s::cancel);
                s.request(PIECES_IN_FLIGHT);
            }

            @Override
            public void onItem(byte[] piece) {
                onContext.execute(() -> {
                    if (finished) {
                        return;
                    }
                    response.write(piece).whenComplete((ignored, failure) -> {
                        if (failure == null) {
                            subscription.request(1);
                        } else {
                            onContext.execute(() -> finish(failure));
                        }
                    });
                });
            }

            @Override
            public void onFailure(Throwable failure) {
                onContext.execute(() -> {
                    if (!finished) {
                        LOG.warnf("Streaming an image failed after its headers were sent (%s); connection reset",
                                failure.getMessage());
                        response.reset();
                    }
                    finish(failure);
                });
            }

            @Override
            public void onCompletion() {
                onContext.execute(() -> {
                    if (!finished) {
                        response.end();
                    }
                    finish(null);
                });
            }

            private void finish(Throwable failure) {
                if (finished) {
                    return;
                }
                finished = true;
                if (failure == null) {
                    request.resume();
                } else {
                    subscription.cancel();
                    request.resume(failure);
                }
            }
        });
    }

    @Override
    public void writeTo(StreamedBody body, Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType,
            MultivaluedMap<String, Object> headers, OutputStream out) {
        throw new UnsupportedOperationException("a streamed image is written by writeResponse, without writer interceptors");
    }
}
