package io.zinteract.images.image;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.Profiles;
import io.zinteract.images.support.TestImages;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ENABLE_R2_STORAGE=true: the bytes go to the bucket, the row keeps metadata and the key, and reads redirect. */
@QuarkusTest
@TestProfile(Profiles.R2Storage.class)
class R2StorageImageTest {

    @Test
    void multipartUploadLandsInTheBucketWithMetadataAndRedirectsToPresignedUrl() throws Exception {
        byte[] png = TestImages.png(64, 48, 1);
        Response created = given().multiPart("file", "face.png", png, "image/png")
                .multiPart("personaId", "gen-x").multiPart("prompt", "a portrait").multiPart("sessionId", "s1")
                .when().post("/api/images")
                .then().statusCode(201).header("X-Image-Storage", "r2")
                .body("storage", equalTo("r2")).body("contentType", equalTo("image/png"))
                .body("size", equalTo(png.length)).body("sha256", equalTo(sha256(png)))
                .extract().response();
        String id = created.path("id");
        String key = created.path("r2Key");
        assertEquals("images/gen-x/" + id + ".png", key);
        assertTrue(created.header("Location").endsWith("/api/images/" + id));

        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            var object = bucket.get(key);
            assertArrayEquals(png, object.asByteArray());
            assertEquals("image/png", object.response().contentType());
            assertEquals("public, max-age=31536000, immutable", object.response().cacheControl());
            assertEquals(id, object.response().metadata().get("image-id"));
            assertEquals("gen-x", object.response().metadata().get("persona-id"));
            assertEquals(sha256(png), object.response().metadata().get("sha256"));
        }

        String location = given().redirects().follow(false).when().get("/api/images/" + id)
                .then().statusCode(302).header("X-Image-Storage", "r2")
                .header("Location", startsWith("http://127.0.0.1:"))
                .extract().header("Location");
        HttpResponse<byte[]> fetched = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(location)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, fetched.statusCode());
        assertArrayEquals(png, fetched.body());

        given().when().get("/api/images/" + id + "/meta").then().statusCode(200)
                .body("storage", equalTo("r2")).body("r2Key", equalTo(key)).body("size", equalTo(png.length))
                .body("migrationStatus", equalTo("completed"));
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
