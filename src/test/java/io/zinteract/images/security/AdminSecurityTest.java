package io.zinteract.images.security;

import io.zinteract.images.support.Admin;
import io.zinteract.images.support.Db;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.support.profile.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Deleting needs the admin key; reading never does; the key is compared exactly and never echoed. */
@QuarkusTest
@TestProfile(Profiles.R2Storage.class)
class AdminSecurityTest {

    static String upload() {
        return given().contentType("image/png").body(TestImages.png(8, 8, 1)).queryParam("personaId", "gen-x")
                .queryParam("prompt", "p").post("/api/images").then().statusCode(201).extract().path("id");
    }

    @Test
    void deleteWithoutOrWithAWrongKeyIs401AndChangesNothing() {
        String id = upload();
        String before = Db.imagesFingerprint();
        given().delete("/api/images/" + id).then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", containsString("Bearer")).body("code", equalTo("UNAUTHORIZED"));
        for (String header : new String[] {"Bearer wrong-key-0123456789", "Bearer " + Admin.KEY + "x",
                "Bearer " + Admin.KEY.substring(1), "Basic " + Admin.KEY, "Bearer", Admin.KEY}) {
            given().header("Authorization", header).delete("/api/images/" + id).then().statusCode(401)
                    .body("code", equalTo("UNAUTHORIZED")).body("detail", not(containsString(Admin.KEY)));
        }
        assertEquals(before, Db.imagesFingerprint());
        given().get("/api/images/" + id + "/meta").then().statusCode(200);
        given().header(Admin.auth()).delete("/api/images/" + id).then().statusCode(204);
        given().get("/api/images/" + id + "/meta").then().statusCode(404);
    }

    @Test
    void migrationActionsNeedTheKeyButStatusIsOpen() {
        long jobsBefore = Db.count("SELECT COUNT(*) FROM migration_jobs");
        given().body("{\"action\": \"migrate\", \"dryRun\": true}").post("/api/migrate-images").then().statusCode(401)
                .body("code", equalTo("UNAUTHORIZED"));
        given().header("Authorization", "Bearer nope-nope-nope-nope").body("{\"action\": \"backup\"}")
                .post("/api/migrate-images").then().statusCode(401);
        assertEquals(jobsBefore, Db.count("SELECT COUNT(*) FROM migration_jobs"), "refused requests start no job");
        given().get("/api/migrate-images").then().statusCode(200);
        given().header(Admin.auth()).body("{\"action\": \"status\"}").post("/api/migrate-images").then().statusCode(200);
    }

    @Test
    void readsAndUploadsStayOpen() {
        String id = upload();
        given().redirects().follow(false).get("/api/images/" + id).then().statusCode(302);
        given().get("/api/images").then().statusCode(200);
    }
}
