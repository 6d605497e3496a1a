package io.zinteract.images.error;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * Writes a problem document straight onto a Vert.x response, for the answers given before a request reaches JAX-RS
 * (where {@link ProblemMapper} cannot run): the same members, the same media type.
 */
final class VertxProblems {

    private VertxProblems() {
    }

    /**
     * Answers with {@code code} and, when {@code close} is set, closes the connection once the answer is out: used
     * when the request's body (or the rest of its head) is left unread, so the connection cannot carry another request.
     */
    static void send(HttpServerRequest request, ErrorCode code, String detail, boolean close, String instance) {
        HttpServerResponse response = request.response();
        if (response.ended() || response.headWritten()) {
            request.connection().close();
            return;
        }
        JsonObject problem = new JsonObject()
                .put("type", code.type())
                .put("title", code.title())
                .put("status", code.status())
                .put("detail", detail)
                .put("code", code.name());
        if (instance != null && instance.length() <= 256) {
            problem.put("instance", instance);
        }
        response.setStatusCode(code.status()).putHeader("Content-Type", Problem.MEDIA_TYPE);
        if (close) {
            response.putHeader("Connection", "close");
        }
        response.end(problem.encode()).onComplete(done -> {
            if (close) {
                request.connection().close();
            }
        });
    }
}
