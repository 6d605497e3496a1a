package io.zinteract.images.config;

import io.zinteract.images.support.ProblemAssert;
import io.zinteract.images.support.RawHttp;
import io.zinteract.images.support.profile.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.zinteract.images.error.ErrorCode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

/** CORS_ORIGINS set: browsers on that origin may call the API; other origins are refused by Quarkus' filter. */
@QuarkusTest
@TestProfile(Profiles.BucketCors.class)
class ApplicationCorsTest {

    static final String ORIGIN = Profiles.BucketCors.APP_ORIGIN;

    @Test
    void theConfiguredOriginPassesPreflightAndSeesTheHeadersItNeeds() {
        given().header("Origin", ORIGIN).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type")
                .options("/api/images/uploads").then().statusCode(200)
                .header("Access-Control-Allow-Origin", ORIGIN)
                .header("Access-Control-Allow-Methods", containsString("POST"));
        given().header("Origin", ORIGIN).get("/api/images").then().statusCode(200)
                .header("Access-Control-Allow-Origin", ORIGIN)
                .header("Access-Control-Expose-Headers", containsString("X-Image-Storage"))
                .header("Access-Control-Expose-Headers", containsString("Location"))
                .header("Access-Control-Expose-Headers", containsString("RateLimit-Policy"))
                .header("Access-Control-Allow-Credentials", not(equalTo("true")));
    }

    @Test
    void anotherOriginIsRefused() {
        given().header("Origin", "https://elsewhere.example").get("/api/images").then().statusCode(403)
                .header("Access-Control-Allow-Origin", nullValue());
        given().header("Origin", "https://elsewhere.example").header("Access-Control-Request-Method", "POST")
                .options("/api/images/uploads").then()
                .header("Access-Control-Allow-Origin", not(equalTo("https://elsewhere.example")));
    }

    @Test
    void anotherOriginGetsAProblemOnPreflightAndOnTheActualRequestAndChangesNothing() throws Exception {
        String other = "https://elsewhere.example";
        String before = given().queryParam("limit", 100).get("/api/images").then().statusCode(200).extract().asString();
        List<String> requests = List.of(
                "OPTIONS /api/images HTTP/1.1\r\nHost: localhost\r\nOrigin: " + other + "\r\n"
                        + "Access-Control-Request-Method: POST\r\nConnection: close\r\n\r\n",
                "GET /api/images HTTP/1.1\r\nHost: localhost\r\nOrigin: " + other + "\r\nConnection: close\r\n\r\n",
                "POST /api/images?personaId=gen-x&prompt=p HTTP/1.1\r\nHost: localhost\r\nOrigin: " + other + "\r\n"
                        + "Content-Type: image/png\r\nContent-Length: 4\r\nConnection: close\r\n\r\nabcd",
                "GET /api/images HTTP/1.1\r\nHost: localhost\r\nOrigin: " + ORIGIN + ".evil.example\r\n"
                        + "Connection: close\r\n\r\n",
                "GET /api/images HTTP/1.1\r\nHost: localhost\r\nOrigin: null\r\nConnection: close\r\n\r\n");
        for (String request : requests) {
            RawHttp.Answer a = RawHttp.exchange(request);
            ProblemAssert.problem(a, ErrorCode.CORS_ORIGIN_NOT_ALLOWED, "is not in CORS_ORIGINS");
            org.junit.jupiter.api.Assertions.assertNull(a.header("Access-Control-Allow-Origin"), a.headers().toString());
        }
        org.junit.jupiter.api.Assertions.assertEquals(before,
                given().queryParam("limit", 100).get("/api/images").then().statusCode(200).extract().asString());
    }

    @Test
    void theServicesOwnOriginIsNotRefused() {
        given().header("Origin", "http://localhost:" + io.restassured.RestAssured.port).get("/api/images").then()
                .statusCode(200);
    }

    @Test
    void requestsWithoutAnOriginAreUntouched() {
        given().get("/api/images").then().statusCode(200).header("Access-Control-Allow-Origin", nullValue());
    }
}
