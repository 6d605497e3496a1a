package io.zinteract.images.support;

import io.vertx.core.json.JsonObject;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.error.Problem;
import io.zinteract.images.support.RawHttp.Answer;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks a raw answer is one of our problem documents, whoever in the stack gave it. */
public final class ProblemAssert {

    private ProblemAssert() {
    }

    /** A problem document with this code, our title, a detail with {@code detailPart}, and no framework text. */
    public static void problem(Answer a, ErrorCode code, String detailPart) {
        String context = a.status() + " " + a.headers() + " " + a.body();
        assertEquals(code.status(), a.status(), context);
        assertEquals(Problem.MEDIA_TYPE, a.header("Content-Type"), context);
        assertEquals(String.valueOf(a.body().getBytes(StandardCharsets.UTF_8).length), a.header("Content-Length"), context);
        JsonObject problem = new JsonObject(a.body());
        assertEquals(code.name(), problem.getString("code"), context);
        assertEquals(code.title(), problem.getString("title"), context);
        assertEquals(code.status(), problem.getInteger("status"), context);
        assertEquals(code.type(), problem.getString("type"), context);
        String detail = problem.getString("detail");
        assertNotNull(detail, context);
        if (detailPart != null) {
            assertTrue(detail.contains(detailPart), context);
        }
        for (String framework : List.of("Exception", "HTTP " + code.status(), "@Consumes", "@Produces", "java.", "\tat ",
                "RESTEASY", "Vert.x", "Param limit")) {
            assertFalse(a.body().contains(framework), "framework text " + framework + " in " + context);
        }
    }
}
