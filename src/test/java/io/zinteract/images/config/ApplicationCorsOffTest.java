package io.zinteract.images.config;

import io.zinteract.images.support.profile.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.nullValue;

/** Without CORS_ORIGINS the filter is off, as before it existed: no CORS headers, and no request refused for its Origin. */
@QuarkusTest
@TestProfile(Profiles.R2Storage.class)
class ApplicationCorsOffTest {

    @Test
    void noCorsHeadersAndNoRefusals() {
        given().header("Origin", "https://elsewhere.example").get("/api/images").then().statusCode(200)
                .header("Access-Control-Allow-Origin", nullValue());
        given().header("Origin", "https://elsewhere.example").header("Access-Control-Request-Method", "POST")
                .options("/api/images/uploads").then().header("Access-Control-Allow-Origin", nullValue());
    }
}
