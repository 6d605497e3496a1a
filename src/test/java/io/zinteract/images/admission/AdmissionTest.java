package io.zinteract.images.admission;

import io.zinteract.images.support.BigImages;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.support.profile.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The memory budget as clients see it (503 SERVER_BUSY with Retry-After when it is full, a short wait when room comes,
 * the bytes given back on every way a request ends), the management interface (probes and metrics on their own port
 * only) and the idle time-out on a body that stops half-way.
 */
@QuarkusTest
@TestProfile(Profiles.Management.class)
class AdmissionTest {

    @Inject
    MemoryBudget budget;

    static final String MANAGEMENT = "http://localhost:" + Profiles.Management.MANAGEMENT_PORT;

    @AfterEach
    void budgetIsEmptyAgain() throws Exception {
        awaitInUse(0);
    }

    @Test
    void aFullBudgetAnswers503WithRetryAfterAndStoresNothing() {
        MemoryPermit all = budget.tryReserve(budget.capacity()).orElseThrow();
        try {
            given().contentType("image/png").body(TestImages.png(20, 20, 1))
                    .post("/api/images?personaId=gen-z&prompt=busy")
                    .then().statusCode(503).header("Retry-After", notNullValue())
                    .contentType(startsWith("application/problem+json"))
                    .body("code", equalTo("SERVER_BUSY")).body("status", equalTo(503));
            given().multiPart("file", "a.png", TestImages.png(20, 20, 2), "image/png")
                    .multiPart("personaId", "gen-z").multiPart("prompt", "busy form")
                    .post("/api/images").then().statusCode(503).body("code", equalTo("SERVER_BUSY"));
            given().contentType("application/json").body("{\"url\":\"https://example.com/a.png\",\"personaId\":\"gen-z\","
                    + "\"prompt\":\"x\"}").post("/api/images/ingest").then().statusCode(503)
                    .body("code", equalTo("SERVER_BUSY"));
            given().get("/api/images?personaId=gen-z").then().statusCode(200)
                    .body("items.findAll { it.prompt.startsWith('busy') }.size()", equalTo(0));
        } finally {
            all.release();
        }
        assertEquals(0, budget.inUse());
    }

    @Test
    void aRequestWaitsBrieflyForRoomAndItsBodyArrivesWhole() throws Exception {
        byte[] image = BigImages.png(300_000, 5);
        MemoryPermit all = budget.tryReserve(budget.capacity()).orElseThrow();
        CompletableFuture<io.restassured.response.Response> upload = CompletableFuture.supplyAsync(() -> given()
                .contentType("image/png").body(image).post("/api/images?personaId=gen-z&prompt=waited"));
        Thread.sleep(200);
        all.release();
        var answer = upload.get();
        assertEquals(201, answer.statusCode(), answer.asString());
        assertEquals(io.zinteract.images.image.intake.ImageBytes.sha256Hex(image), answer.jsonPath().getString("sha256"));
        assertEquals("r2", answer.jsonPath().getString("storage"));
    }

    @Test
    void refusedAndFailedRequestsGiveTheirBytesBack() throws Exception {
        given().contentType("image/png").body("not an image at all".getBytes(StandardCharsets.UTF_8))
                .post("/api/images?personaId=gen-z&prompt=bad").then().statusCode(415);
        awaitInUse(0);
        given().contentType("image/png").body(TestImages.png(20, 20, 3))
                .post("/api/images?prompt=no-persona").then().statusCode(400);
        awaitInUse(0);
    }

    @Test
    void probesAndMetricsAnswerOnTheManagementPortOnly() {
        given().get(MANAGEMENT + "/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get(MANAGEMENT + "/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get(MANAGEMENT + "/q/metrics").then().statusCode(200)
                .body(containsString("memory_budget_bytes")).body(containsString("memory_in_use_bytes"));
        assertTrue(Profiles.Management.MANAGEMENT_PORT != RestAssured.port, "a port of its own");
        given().get("/q/health/live").then().statusCode(404);
        given().get("/q/health/ready").then().statusCode(404);
        given().get("/q/metrics").then().statusCode(404);
    }

    @Test
    void aConnectionThatStopsSendingItsBodyIsClosedAndItsBytesReleased() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/images?personaId=gen-z&prompt=slow HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: image/png\r\nContent-Length: 200000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(TestImages.png(20, 20, 4));
            out.flush();
            awaitInUse(RequestAdmission.UPLOAD_FACTOR * 200_000L);
            long start = System.nanoTime();
            InputStream in = socket.getInputStream();
            try {
                while (in.read() >= 0) {
                    // whatever the server says before it closes (nothing, or an error) is read and dropped
                }
            } catch (SocketTimeoutException e) {
                fail("the half-sent request was still open after 20 s (HTTP_IDLE_TIMEOUT is 2 s)");
            } catch (SocketException reset) {
                // closed by a reset: as good as a close
            }
            long seconds = (System.nanoTime() - start) / 1_000_000_000;
            assertTrue(seconds < 20, "closed after " + seconds + " s");
        }
        awaitInUse(0);
    }

    private void awaitInUse(long expected) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (budget.inUse() != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(expected, budget.inUse(), "bytes held in the memory budget");
    }
}
