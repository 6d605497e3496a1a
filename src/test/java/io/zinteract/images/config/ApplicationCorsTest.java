package io.zinteract.images.config;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.zinteract.images.support.Profiles;
import org.junit.jupiter.api.Test;

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
    void requestsWithoutAnOriginAreUntouched() {
        given().get("/api/images").then().statusCode(200).header("Access-Control-Allow-Origin", nullValue());
    }
}
