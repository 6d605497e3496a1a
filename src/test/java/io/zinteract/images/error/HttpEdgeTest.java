package io.zinteract.images.error;

import io.zinteract.images.support.Admin;
import io.zinteract.images.support.RawHttp;
import io.zinteract.images.support.profile.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;
import io.zinteract.images.support.RawHttp.Answer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.zinteract.images.support.ProblemAssert.problem;
import static io.zinteract.images.support.RawHttp.ascii;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The refusals that Vert.x and Quarkus give before our resources run (the HTTP codec, the upload limit, the multipart
 * parser, request matching), sent over a raw socket: each is a problem document with our code and our words, and
 * the database and the bucket are unchanged afterwards. Runs in HostileInputTest's profile, so no extra start.
 */
@QuarkusTest
@TestProfile(Profiles.R2Storage.class)
class HttpEdgeTest {

    static final String HOST = "Host: localhost\r\n";
    static final String ADMIN = "Authorization: Bearer " + Admin.KEY + "\r\n";

    @Test
    void aRequestLineOverTheLimitIsUriTooLong() throws IOException {
        for (int length : List.of(5_000, 64 * 1024)) {
            String before = HostileInputTest.state();
            Answer a = RawHttp.exchange("GET /api/images?cursor=" + "a".repeat(length) + " HTTP/1.1\r\n" + HOST + "\r\n");
            problem(a, ErrorCode.URI_TOO_LONG, "longer than 4096 bytes");
            assertEquals("close", a.header("Connection"));
            assertEquals(before, HostileInputTest.state());
        }
    }

    @Test
    void headersOverTheLimitAreHeadersTooLarge() throws IOException {
        String before = HostileInputTest.state();
        problem(RawHttp.exchange("GET /api/images HTTP/1.1\r\n" + HOST + "X-Big: " + "a".repeat(30_000) + "\r\n\r\n"),
                ErrorCode.HEADERS_TOO_LARGE, "headers are larger than");
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            many.append("X-H").append(i).append(": ").append("b".repeat(100)).append("\r\n");
        }
        problem(RawHttp.exchange("POST /api/images HTTP/1.1\r\n" + HOST + many + "Content-Type: image/png\r\n"
                + "Content-Length: 4\r\n\r\nabcd"), ErrorCode.HEADERS_TOO_LARGE, "headers are larger than");
        assertEquals(before, HostileInputTest.state());
    }

    @Test
    void aRequestThatIsNotHttpIsInvalid() throws IOException {
        problem(RawHttp.exchange("GARBAGE\r\n\r\n"), ErrorCode.INVALID_REQUEST, "not valid HTTP/1.1");
        problem(RawHttp.exchange("GET /api/images HTTP/1.1\r\n" + HOST + "no colon here\r\n\r\n"),
                ErrorCode.INVALID_REQUEST, "not valid HTTP/1.1");
        problem(RawHttp.exchange("POST /api/images HTTP/1.1\r\n" + HOST + "Content-Type: image/png\r\n"
                + "Content-Length: twelve\r\n\r\n"), ErrorCode.INVALID_REQUEST, null);
    }

    @Test
    void aDeclaredLengthOverMaxRequestBytesIsRefusedBeforeTheBody() throws IOException {
        String before = HostileInputTest.state();
        for (String request : List.of(
                "POST /api/images HTTP/1.1\r\n" + HOST + "Content-Type: image/png\r\nContent-Length: 999999999999\r\n\r\n",
                "POST /api/images HTTP/1.1\r\n" + HOST + "Content-Type: multipart/form-data; boundary=B\r\n"
                        + "Content-Length: 67108865\r\n\r\n",
                "POST /api/migrate-images HTTP/1.1\r\n" + HOST + ADMIN + "Content-Type: application/json\r\n"
                        + "Content-Length: 67108865\r\n\r\n{",
                "PUT /api/admin/bucket/cors HTTP/1.1\r\n" + HOST + ADMIN + "Content-Type: application/json\r\n"
                        + "Content-Length: 100000000\r\n\r\n")) {
            Answer a = RawHttp.exchange(request);
            problem(a, ErrorCode.PAYLOAD_TOO_LARGE, "(MAX_REQUEST_BYTES)");
            assertEquals("close", a.header("Connection"));
        }
        assertEquals(before, HostileInputTest.state());
    }

    @Test
    void aChunkedBodyPastMaxRequestBytesIsRefusedWithAProblem() throws IOException {
        String before = HostileInputTest.state();
        long overLimit = 64L * 1024 * 1024 + 128 * 1024;
        Answer raw = RawHttp.exchangeChunked("POST /api/images?personaId=gen-x&prompt=p HTTP/1.1\r\n" + HOST
                + "Content-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\n", overLimit);
        problem(raw, ErrorCode.PAYLOAD_TOO_LARGE, "over 67108864 bytes (MAX_REQUEST_BYTES)");
        assertEquals("close", raw.header("Connection"));
        assertEquals(before, HostileInputTest.state());
    }

    @Test
    void moreThanAThousandFormFieldsAreTooManyFields() throws IOException {
        String before = HostileInputTest.state();
        for (int fields : List.of(1_001, 1_100, 5_000)) {
            List<String[]> parts = new java.util.ArrayList<>();
            parts.add(new String[] { "personaId", "gen-x" });
            parts.add(new String[] { "prompt", "p" });
            for (int i = parts.size(); i < fields; i++) {
                parts.add(new String[] { "f" + i, "x" });
            }
            Answer a = multipart(parts);
            problem(a, ErrorCode.TOO_MANY_FIELDS, "more than 1000 fields");
            assertEquals(1000, new JsonObject(a.body()).getInteger("maxFields"));
        }
        assertEquals(before, HostileInputTest.state());
    }

    @Test
    void aTextFieldOverTheFieldLimitIsFieldTooLargeNotAnImageTooLarge() throws IOException {
        String before = HostileInputTest.state();
        for (int size : List.of(16 * 1024 + 1, 70_000, 1_000_000)) {
            Answer a = multipart(List.of(new String[] { "personaId", "gen-x" }, new String[] { "prompt", "p".repeat(size) }));
            problem(a, ErrorCode.FIELD_TOO_LARGE, "larger than 16384 bytes");
        }
        assertEquals(before, HostileInputTest.state());
    }

    @Test
    void everyConsumesMismatchIsOurUnsupportedMediaType() throws IOException {
        String before = HostileInputTest.state();
        for (String target : List.of("POST /api/images", "POST /api/images/ingest", "POST /api/generate-image",
                "POST /api/images/uploads", "PUT /api/admin/bucket/cors", "POST /api/admin/storage-class")) {
            Answer a = RawHttp.exchange(target + " HTTP/1.1\r\n" + HOST + ADMIN + "Content-Type: text/csv\r\n"
                    + "Content-Length: 3\r\nConnection: close\r\n\r\na,b");
            problem(a, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "does not accept a body of type text/csv");
        }
        assertEquals(before, HostileInputTest.state());
    }

    @Test
    void requestMatchingRefusalsUseOurWords() throws IOException {
        Answer notAllowed = RawHttp.exchange("PATCH /api/images HTTP/1.1\r\n" + HOST + "Content-Length: 0\r\n"
                + "Connection: close\r\n\r\n");
        problem(notAllowed, ErrorCode.METHOD_NOT_ALLOWED, "does not accept PATCH requests");
        problem(RawHttp.exchange("GET /api/images HTTP/1.1\r\n" + HOST + "Accept: text/csv\r\nConnection: close\r\n\r\n"),
                ErrorCode.NOT_ACCEPTABLE, "Accept header allows (text/csv)");
        problem(RawHttp.exchange("GET /api/nothing-here HTTP/1.1\r\n" + HOST + "Connection: close\r\n\r\n"),
                ErrorCode.NOT_FOUND, "nothing is served at this path");
    }

    private static Answer multipart(List<String[]> fields) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (String[] field : fields) {
            body.writeBytes(ascii("--BOUNDARY\r\nContent-Disposition: form-data; name=\"" + field[0] + "\"\r\n\r\n"));
            body.writeBytes(field[1].getBytes(StandardCharsets.UTF_8));
            body.writeBytes(ascii("\r\n"));
        }
        body.writeBytes(ascii("--BOUNDARY--\r\n"));
        return RawHttp.exchange(ascii("POST /api/images HTTP/1.1\r\n" + HOST + "Content-Type: multipart/form-data; "
                + "boundary=BOUNDARY\r\nContent-Length: " + body.size() + "\r\n\r\n"), body.toByteArray());
    }
}
