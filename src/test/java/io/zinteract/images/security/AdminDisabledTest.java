package io.zinteract.images.security;

import io.zinteract.images.support.Admin;
import io.zinteract.images.support.Db;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.support.profile.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** With no ADMIN_API_KEY the admin endpoints refuse everyone (403): no credential could be right. */
@QuarkusTest
@TestProfile(Profiles.NoAdminKey.class)
class AdminDisabledTest {

    @Test
    void adminEndpointsAreRefusedWhileReadsWork() {
        String id = given().contentType("image/png").body(TestImages.png(8, 8, 1)).queryParam("personaId", "gen-x")
                .queryParam("prompt", "p").post("/api/images").then().statusCode(201).extract().path("id");
        given().header(Admin.auth()).delete("/api/images/" + id).then().statusCode(403)
                .contentType("application/problem+json").body("code", equalTo("ADMIN_DISABLED"))
                .body("detail", containsString("ADMIN_API_KEY"));
        assertEquals(1, Db.count("SELECT COUNT(*) FROM images WHERE id = ?", id));
        given().get("/api/images/" + id).then().statusCode(200);
    }
}
