package io.zinteract.images.ingest;

import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.Db;
import io.zinteract.images.support.Sha;
import io.zinteract.images.support.profile.Profiles;
import io.zinteract.images.support.server.ScriptedProviderServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code POST /api/images/ingest}: a URL's image is stored like an upload; every unsafe URL is refused with its own code. */
@QuarkusTest
@TestProfile(Profiles.GenerationWithR2.class)
class IngestTest {

    @BeforeEach
    void resetCounts() {
        ScriptedProviderServer.script("url:/img/ok.png", 0, false);
    }

    static String body(String url) {
        return "{\"url\":\"" + url + "\",\"personaId\":\"gen-x\",\"prompt\":\"from a url\",\"tableId\":\"t-1\"}";
    }

    @Test
    void anAllowedUrlIsFetchedAndStored() {
        var r = given().contentType("application/json").body(body(ScriptedProviderServer.base() + "/img/ok.png"))
                .post("/api/images/ingest").then().statusCode(201).body("storage", equalTo("r2"))
                .body("sha256", equalTo(Sha.sha256(ScriptedProviderServer.IMAGE))).extract().response();
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertArrayEquals(ScriptedProviderServer.IMAGE, bucket.get(r.path("r2Key")).asByteArray());
        }
        assertEquals("t-1", Db.rows("SELECT table_id FROM images WHERE id = ?", (Object) r.path("id")).get(0).get("table_id"));
    }

    @Test
    void unsafeUrlsAreRefusedWithDistinctCodesAndStoreNothing() {
        String base = ScriptedProviderServer.base();
        Map<String, Object[]> cases = new LinkedHashMap<>();
        cases.put(base + "/img/redirect-loopback", new Object[] {400, "INGEST_LOOPBACK_ADDRESS"});
        cases.put("http://10.20.30.40/a.png", new Object[] {400, "INGEST_PRIVATE_ADDRESS"});
        cases.put("http://169.254.169.254/latest/meta-data/iam", new Object[] {400, "INGEST_METADATA_ADDRESS"});
        cases.put("http://169.254.10.1/a.png", new Object[] {400, "INGEST_LINK_LOCAL_ADDRESS"});
        cases.put("http://evil.example.net/a.png", new Object[] {400, "INGEST_HOST_NOT_ALLOWED"});
        cases.put("file:///etc/passwd", new Object[] {400, "INGEST_URL_INVALID"});
        cases.put("gopher://" + ScriptedProviderServer.HOST + "/x", new Object[] {400, "INGEST_SCHEME_NOT_ALLOWED"});
        cases.put("http://user:pw@" + ScriptedProviderServer.HOST + "/img/ok.png", new Object[] {400, "INGEST_URL_INVALID"});
        cases.put("not a url", new Object[] {400, "INGEST_URL_INVALID"});
        cases.put(base + "/img/redirect-loop", new Object[] {400, "INGEST_TOO_MANY_REDIRECTS"});
        cases.put(base + "/img/html", new Object[] {415, "INGEST_NOT_AN_IMAGE"});
        cases.put(base + "/img/huge-declared", new Object[] {413, "INGEST_TOO_LARGE"});
        cases.put(base + "/img/huge-streamed", new Object[] {413, "INGEST_TOO_LARGE"});
        cases.put(base + "/img/missing.png", new Object[] {502, "INGEST_UPSTREAM_FAILED"});
        long rows = Db.count("SELECT COUNT(*) FROM images");
        cases.forEach((url, expected) -> given().contentType("application/json").body(body(url))
                .post("/api/images/ingest").then().statusCode((Integer) expected[0])
                .contentType("application/problem+json").body("code", equalTo(expected[1])));
        assertEquals(rows, Db.count("SELECT COUNT(*) FROM images"));
        assertEquals(0, ScriptedProviderServer.hits("/img/ok.png"), "no refused URL may reach the image behind it");
    }

    /** An ingested image gets the same structure checks as an upload, with the same codes, and stores nothing. */
    @Test
    void hostileImagesAreRefusedWithTheirCodeAndStoreNothing() {
        long rows = Db.count("SELECT COUNT(*) FROM images");
        int objects = io.zinteract.images.support.ImageHttpChecks.objectCount();
        int n = 0;
        for (var c : io.zinteract.images.support.HostileImages.quoted().values()) {
            given().contentType("application/json").body(body(ScriptedProviderServer.base() + "/img/hostile/" + n++))
                    .post("/api/images/ingest").then().statusCode(422).contentType("application/problem+json")
                    .body("code", equalTo(c.code()));
        }
        assertEquals(rows, Db.count("SELECT COUNT(*) FROM images"));
        assertEquals(objects, io.zinteract.images.support.ImageHttpChecks.objectCount());
    }

    @Test
    void fieldsAreCheckedBeforeAnythingIsFetched() {
        given().contentType("application/json")
                .body("{\"url\":\"" + ScriptedProviderServer.base() + "/img/ok.png\",\"personaId\":\"../x\",\"prompt\":\"p\"}")
                .post("/api/images/ingest").then().statusCode(400).body("code", equalTo("INVALID_ID"));
        given().contentType("application/json").body("{\"personaId\":\"gen-x\",\"prompt\":\"p\"}")
                .post("/api/images/ingest").then().statusCode(400).body("code", equalTo("MISSING_FIELD"));
        assertEquals(0, ScriptedProviderServer.hits("/img/ok.png"));
    }
}
