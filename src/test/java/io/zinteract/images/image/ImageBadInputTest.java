package io.zinteract.images.image;

import io.zinteract.images.support.Admin;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.Db;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.support.profile.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of bad request to the image API gets its 4xx as {@code application/problem+json} with a stable code,
 * and leaves the database and the bucket exactly as they were.
 */
@QuarkusTest
@TestProfile(Profiles.SmallLimit.class)
class ImageBadInputTest {

    static final byte[] PNG = TestImages.png(16, 16, 1);
    static final byte[] JPEG = TestImages.jpeg(16, 16, 1);
    static String existingId;

    record Case(String name, int status, String code, Function<RequestSpecification, io.restassured.response.Response> call) {
    }

    static synchronized String existingId() {
        if (existingId == null) {
            existingId = given().contentType("image/png").body(PNG).queryParam("personaId", "gen-x").queryParam("prompt", "p")
                .post("/api/images").then().statusCode(201).extract().path("id");
        }
        return existingId;
    }

    static RequestSpecification form(RequestSpecification r, byte[] file, String fileType, String... fields) {
        if (file != null) {
            r.multiPart("file", "f", file, fileType);
        }
        for (int i = 0; i < fields.length; i += 2) {
            r.multiPart(fields[i], fields[i + 1]);
        }
        return r;
    }

    static RequestSpecification raw(RequestSpecification r, byte[] body, String type) {
        return r.contentType(type).body(body).queryParam("personaId", "gen-x").queryParam("prompt", "p");
    }

    static List<Case> cases() {
        String longId = "a".repeat(65);
        return List.of(
                new Case("multipart without file", 400, "MISSING_FIELD",
                        r -> form(r, null, null, "personaId", "gen-x", "prompt", "p").post("/api/images")),
                new Case("multipart without personaId", 400, "MISSING_FIELD",
                        r -> form(r, PNG, "image/png", "prompt", "p").post("/api/images")),
                new Case("multipart without prompt", 400, "MISSING_FIELD",
                        r -> form(r, PNG, "image/png", "personaId", "gen-x").post("/api/images")),
                new Case("blank prompt", 400, "MISSING_FIELD",
                        r -> form(r, PNG, "image/png", "personaId", "gen-x", "prompt", "   ").post("/api/images")),
                new Case("persona id with traversal", 400, "INVALID_ID",
                        r -> form(r, PNG, "image/png", "personaId", "../etc", "prompt", "p").post("/api/images")),
                new Case("persona id of 65 characters", 400, "INVALID_ID",
                        r -> form(r, PNG, "image/png", "personaId", longId, "prompt", "p").post("/api/images")),
                new Case("persona id with unicode", 400, "INVALID_ID",
                        r -> form(r, PNG, "image/png", "personaId", "gén-z", "prompt", "p").post("/api/images")),
                new Case("session id with a space", 400, "INVALID_ID",
                        r -> form(r, PNG, "image/png", "personaId", "gen-x", "prompt", "p", "sessionId", "a b").post("/api/images")),
                new Case("prompt over 4000 characters", 400, "INVALID_REQUEST",
                        r -> form(r, PNG, "image/png", "personaId", "gen-x", "prompt", "x".repeat(4001)).post("/api/images")),
                new Case("unknown provider", 400, "INVALID_REQUEST",
                        r -> form(r, PNG, "image/png", "personaId", "gen-x", "prompt", "p", "provider", "dalle").post("/api/images")),
                new Case("text declared as png", 415, "NOT_AN_IMAGE",
                        r -> form(r, "hello".getBytes(), "image/png", "personaId", "gen-x", "prompt", "p").post("/api/images")),
                new Case("png declared as jpeg", 415, "CONTENT_TYPE_MISMATCH",
                        r -> form(r, PNG, "image/jpeg", "personaId", "gen-x", "prompt", "p").post("/api/images")),
                new Case("png declared as text", 415, "NOT_AN_IMAGE",
                        r -> form(r, PNG, "text/plain", "personaId", "gen-x", "prompt", "p").post("/api/images")),
                new Case("svg declared", 415, "UNSUPPORTED_MEDIA_TYPE",
                        r -> form(r, PNG, "image/svg+xml", "personaId", "gen-x", "prompt", "p").post("/api/images")),
                new Case("raw jpeg declared as png", 415, "CONTENT_TYPE_MISMATCH",
                        r -> raw(r, JPEG, "image/png").post("/api/images")),
                new Case("raw empty body", 415, "NOT_AN_IMAGE",
                        r -> raw(r, new byte[0], "image/png").post("/api/images")),
                new Case("raw json body", 415, "UNSUPPORTED_MEDIA_TYPE",
                        r -> r.contentType("application/json").body("{}").post("/api/images")),
                new Case("raw image over the limit", 413, "PAYLOAD_TOO_LARGE",
                        r -> raw(r, oversized(), "image/png").post("/api/images")),
                new Case("multipart image over the limit", 413, "PAYLOAD_TOO_LARGE",
                        r -> form(r, oversized(), "image/png", "personaId", "gen-x", "prompt", "p").post("/api/images")),
                new Case("truncated multipart", 400, "MALFORMED_MULTIPART",
                        r -> r.contentType("multipart/form-data; boundary=XyZ")
                                .body("--XyZ\r\nContent-Disposition: form-data; name=\"personaId\"\r\n\r\ngen".getBytes())
                                .post("/api/images")),
                new Case("unknown id", 404, "IMAGE_NOT_FOUND", r -> r.get("/api/images/no-such-image")),
                new Case("unknown id meta", 404, "IMAGE_NOT_FOUND", r -> r.get("/api/images/no-such-image/meta")),
                // Legacy ids are taken as z-interact wrote them (dots, unicode, up to 1,024 bytes): unknown ones are 404.
                new Case("unknown legacy id with a dot", 404, "IMAGE_NOT_FOUND", r -> r.get("/api/images/a.b")),
                new Case("id too long", 400, "INVALID_ID", r -> r.get("/api/images/" + "a".repeat(1025))),
                new Case("id with a NUL", 400, "INVALID_ID", r -> r.urlEncodingEnabled(false).get("/api/images/a%00b")),
                new Case("delete unknown id", 404, "IMAGE_NOT_FOUND", r -> r.header(Admin.auth()).delete("/api/images/no-such-image")),
                new Case("delete unknown unicode id", 404, "IMAGE_NOT_FOUND", r -> r.header(Admin.auth()).delete("/api/images/%E2%98%83")),
                new Case("delete bad id", 400, "INVALID_ID",
                        r -> r.header(Admin.auth()).urlEncodingEnabled(false).delete("/api/images/a%0Ab")),
                new Case("limit zero", 400, "INVALID_REQUEST", r -> r.queryParam("limit", 0).get("/api/images")),
                new Case("limit not a number", 400, "INVALID_REQUEST", r -> r.queryParam("limit", "ten").get("/api/images")),
                new Case("limit huge", 400, "INVALID_REQUEST", r -> r.queryParam("limit", "99999999999").get("/api/images")),
                new Case("forged cursor", 400, "INVALID_CURSOR", r -> r.queryParam("cursor", "bm90LWEtY3Vyc29y").get("/api/images")),
                new Case("list with bad persona", 400, "INVALID_ID", r -> r.queryParam("personaId", "a\u0001b").get("/api/images")),
                new Case("unsupported method", 405, "METHOD_NOT_ALLOWED", r -> r.put("/api/images/" + existingId())),
                new Case("unknown path", 404, "NOT_FOUND", r -> r.get("/api/nothing-here")));
    }

    static byte[] oversized() {
        byte[] big = new byte[(int) Profiles.SmallLimit.MAX_IMAGE_BYTES + 1];
        System.arraycopy(PNG, 0, big, 0, PNG.length);
        return big;
    }

    @TestFactory
    Stream<DynamicTest> eachBadRequestIsAProblemAndChangesNothing() {
        existingId();
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            String rowsBefore = Db.imagesFingerprint();
            int objectsBefore = objectCount();
            var response = c.call().apply(given());
            response.then().statusCode(c.status()).contentType("application/problem+json")
                    .body("status", equalTo(c.status()))
                    .body("type", containsString("urn:r2-image-service:problem:"))
                    .body("title", not(equalTo("")))
                    .body("detail", not(containsString("Exception")));
            if (c.code() != null) {
                response.then().body("code", equalTo(c.code()));
            }
            assertEquals(rowsBefore, Db.imagesFingerprint(), "rows changed by: " + c.name());
            assertEquals(objectsBefore, objectCount(), "objects changed by: " + c.name());
        }));
    }

    @Test
    void aHugeDeclaredLengthIsRefusedBeforeTheBodyIsSent() throws Exception {
        int port = io.restassured.RestAssured.port;
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/images?personaId=gen-x&prompt=p HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: image/png\r\nContent-Length: 1073741824\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertTrue(head.startsWith("HTTP/1.1 413"), "got " + head);
        }
    }

    private static int objectCount() {
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            return bucket.list("").size();
        }
    }
}
