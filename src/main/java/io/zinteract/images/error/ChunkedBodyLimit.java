package io.zinteract.images.error;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerRequestInternal;
import io.vertx.core.http.impl.HttpServerRequestWrapper;

/**
 * {@code MAX_REQUEST_BYTES} for a body without a declared length (chunked). Quarkus counts such bodies as they are
 * read and, past the limit, ends the response with an empty 413; this counts them first, as they arrive, and
 * answers {@code PAYLOAD_TOO_LARGE} with a problem document, closing the connection (the rest is never read). It
 * wraps only requests that announce a chunked body; all others reach Quarkus as they came.
 */
final class ChunkedBodyLimit implements Handler<HttpServerRequest> {

    private final Handler<HttpServerRequest> next;
    private final long maxBodyBytes;

    ChunkedBodyLimit(Handler<HttpServerRequest> next, long maxBodyBytes) {
        this.next = next;
        this.maxBodyBytes = maxBodyBytes;
    }

    Handler<HttpServerRequest> next() {
        return next;
    }

    @Override
    public void handle(HttpServerRequest request) {
        if (request.getHeader("Content-Length") == null && request.getHeader("Transfer-Encoding") != null
                && request instanceof HttpServerRequestInternal internal) {
            next.handle(new Counted(internal, maxBodyBytes));
        } else {
            next.handle(request);
        }
    }

    private static final class Counted extends HttpServerRequestWrapper {

        private final long limit;
        private long received;
        private boolean refused;

        Counted(HttpServerRequestInternal delegate, long limit) {
            super(delegate);
            this.limit = limit;
        }

        @Override
        public HttpServerRequest handler(Handler<Buffer> handler) {
            if (handler == null) {
                delegate.handler(null);
                return this;
            }
            delegate.handler(buffer -> {
                if (refused) {
                    return;
                }
                received += buffer.length();
                if (received > limit) {
                    refused = true;
                    VertxProblems.send(delegate, ErrorCode.PAYLOAD_TOO_LARGE, "the request body is over " + limit
                            + " bytes (MAX_REQUEST_BYTES)", true, delegate.path());
                    return;
                }
                handler.handle(buffer);
            });
            return this;
        }

        /** Vert.x' own body handler would read past this wrapper; collect through it instead. */
        @Override
        public HttpServerRequest bodyHandler(Handler<Buffer> bodyHandler) {
            Buffer body = Buffer.buffer();
            handler(body::appendBuffer);
            endHandler(done -> bodyHandler.handle(body));
            return this;
        }
    }
}
