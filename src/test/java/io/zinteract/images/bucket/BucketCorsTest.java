package io.zinteract.images.bucket;

import io.zinteract.images.support.Admin;
import io.zinteract.images.support.profile.Profiles;
import io.zinteract.images.support.profile.S3rverResource;
import io.zinteract.images.support.server.S3rverProcess;
import io.zinteract.images.support.server.S3TestProxy;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CORSRule;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bucket CORS admin action against a real s3rver (S3Proxy answers 501 to PutBucketCors), through a proxy that
 * records what the service's SDK client put on the wire.
 */
@QuarkusTest
@TestProfile(Profiles.BucketCors.class)
class BucketCorsTest {

    static final String PATH = "/api/admin/bucket/cors";
    /** The seed plan's cors-policy.json, byte for byte. */
    static final String SEED_POLICY = """
            [
            	{
            		"AllowedOrigins": ["https://yourdomain.com"],
            		"AllowedMethods": ["GET", "HEAD"],
            		"MaxAgeSeconds": 3600
            	}
            ]""";
    static final String FULL_POLICY = """
            [{"AllowedOrigins": ["https://app.example.com", "https://*.example.org"], "AllowedMethods": ["GET", "PUT"],
              "AllowedHeaders": ["content-type", "content-md5"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 600},
             {"AllowedOrigins": ["*"], "AllowedMethods": ["GET", "HEAD"]}]""";
    static final ObjectMapper JSON = new ObjectMapper();

    static S3Client direct() {
        return S3Client.builder().endpointOverride(URI.create(S3rverResource.s3rverEndpoint())).region(Region.of("auto"))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3rverProcess.ACCESS_KEY, S3rverProcess.SECRET_KEY)))
                .forcePathStyle(true).httpClient(ApacheHttpClient.create()).build();
    }

    static JsonNode put(String policy) throws Exception {
        return JSON.readTree(given().header(Admin.auth()).contentType(ContentType.JSON).body(policy).put(PATH)
                .then().statusCode(200).contentType(ContentType.JSON).extract().asString());
    }

    static JsonNode get() throws Exception {
        return JSON.readTree(given().header(Admin.auth()).get(PATH).then().statusCode(200).extract().asString());
    }

    static List<S3TestProxy.Request> putCorsRequests() {
        return S3rverResource.proxy().requests().stream()
                .filter(r -> r.method().equals("PUT") && r.target().contains("?cors")).toList();
    }

    @Test
    void theSeedPolicyRoundTripsAndTheBucketHoldsIt() throws Exception {
        S3rverResource.proxy().reset();
        assertEquals(JSON.readTree(SEED_POLICY), put(SEED_POLICY), "PUT answers the policy read back");
        assertEquals(JSON.readTree(SEED_POLICY), get());

        try (S3Client s3 = direct()) {
            List<CORSRule> rules = s3.getBucketCors(b -> b.bucket(S3rverResource.BUCKET)).corsRules();
            assertEquals(1, rules.size());
            assertEquals(List.of("https://yourdomain.com"), rules.get(0).allowedOrigins());
            assertEquals(List.of("GET", "HEAD"), rules.get(0).allowedMethods());
            assertEquals(3600, rules.get(0).maxAgeSeconds());
        }
        // The store enforces it: a browser preflight from the allowed origin passes, another origin is refused.
        assertEquals(200, preflight("https://yourdomain.com", "GET"));
        assertEquals(403, preflight("https://elsewhere.example", "GET"));
        assertEquals(403, preflight("https://yourdomain.com", "PUT"));

        assertEquals(JSON.readTree(FULL_POLICY), put(FULL_POLICY), "headers, expose headers, several rules");
        assertEquals(JSON.readTree(FULL_POLICY), get());
    }

    @Test
    void putBucketCorsCarriesContentMd5AndNoChecksumHeader() throws Exception {
        S3rverResource.proxy().reset();
        put(SEED_POLICY);
        List<S3TestProxy.Request> puts = putCorsRequests();
        assertEquals(1, puts.size(), "one PutBucketCors, no retry");
        S3TestProxy.Request request = puts.get(0);
        assertNotNull(request.body(), "the XML body was recorded");
        String md5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(request.body()));
        assertEquals(md5, request.header("content-md5"), "Content-MD5 of exactly the body sent (LegacyMd5Plugin)");
        assertTrue(request.headers().keySet().stream().noneMatch(h -> h.startsWith("x-amz-checksum-")),
                "R2 refuses x-amz-checksum-* on PutBucketCors: " + request.headers().keySet());
        assertNull(request.header("x-amz-trailer"), "no trailing checksum either");
        assertFalse(String.valueOf(request.header("content-encoding")).contains("aws-chunked"), "a plain body");
        assertTrue(new String(request.body(), java.nio.charset.StandardCharsets.UTF_8).contains("<CORSConfiguration"));
    }

    @Test
    void badPoliciesAreRefusedAndChangeNothing() throws Exception {
        put(SEED_POLICY);
        S3rverResource.proxy().reset();
        String[][] cases = {
                { "[]", "" },
                { "{}", "" },
                { "{\"AllowedOrigins\": [\"*\"], \"AllowedMethods\": [\"GET\"]}", "" },
                { "[{\"AllowedMethods\": [\"GET\"]}]", "/0/AllowedOrigins" },
                { "[{\"AllowedOrigins\": [], \"AllowedMethods\": [\"GET\"]}]", "/0/AllowedOrigins" },
                { "[{\"AllowedOrigins\": [\"*\"]}]", "/0/AllowedMethods" },
                { "[{\"AllowedOrigins\": [\"*\"], \"AllowedMethods\": [\"GET\", \"PATCH\"]}]", "/0/AllowedMethods/1" },
                { "[{\"AllowedOrigins\": [\"*\"], \"AllowedMethods\": [\"OPTIONS\"]}]", "/0/AllowedMethods/0" },
                { "[{\"AllowedOrigins\": [\"*\"], \"AllowedMethods\": [\"GET\"], \"MaxAgeSeconds\": -1}]", "/0/MaxAgeSeconds" },
                { "[{\"AllowedOrigins\": [\"*\"], \"AllowedMethods\": [\"GET\"], \"MaxAgeSeconds\": 1.5}]", "/0/MaxAgeSeconds" },
                { "[{\"AllowedOrigins\": [\"*\"], \"AllowedMethods\": [\"GET\"], \"MaxAgeSeconds\": \"3600\"}]", "/0/MaxAgeSeconds" },
                { "[{\"AllowedOrigin\": [\"*\"], \"AllowedMethods\": [\"GET\"]}]", "/0/AllowedOrigin" },
                { "[{\"AllowedOrigins\": [\"https://yourdomain.com/images\"], \"AllowedMethods\": [\"GET\"]}]", "/0/AllowedOrigins/0" },
                { "[{\"AllowedOrigins\": [\"https://*.*.example.com\"], \"AllowedMethods\": [\"GET\"]}]", "/0/AllowedOrigins/0" },
                { "[{\"AllowedOrigins\": [\"yourdomain.com\"], \"AllowedMethods\": [\"GET\"]}]", "/0/AllowedOrigins/0" },
                { "[{\"AllowedOrigins\": [\"\"], \"AllowedMethods\": [\"GET\"]}]", "/0/AllowedOrigins/0" },
                { "[{\"AllowedOrigins\": \"*\", \"AllowedMethods\": [\"GET\"]}]", "/0/AllowedOrigins" },
                { "[{\"AllowedOrigins\": [\"*\"], \"AllowedMethods\": [\"GET\"]}, 7]", "/1" },
        };
        for (String[] c : cases) {
            given().header(Admin.auth()).contentType(ContentType.JSON).body(c[0]).put(PATH).then()
                    .statusCode(400).contentType("application/problem+json")
                    .body("code", equalTo("INVALID_CORS_POLICY")).body("pointer", equalTo(c[1]));
        }
        given().header(Admin.auth()).contentType(ContentType.JSON).body("[{\"AllowedOrigins\": [").put(PATH).then()
                .statusCode(400).body("code", equalTo("MALFORMED_JSON"));
        given().header(Admin.auth()).contentType(ContentType.JSON).put(PATH).then().statusCode(400);
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i < 101; i++) {
            many.append(i == 0 ? "" : ",").append("{\"AllowedOrigins\": [\"*\"], \"AllowedMethods\": [\"GET\"]}");
        }
        given().header(Admin.auth()).contentType(ContentType.JSON).body(many.append("]").toString()).put(PATH).then()
                .statusCode(400).body("code", equalTo("INVALID_CORS_POLICY"));

        assertTrue(putCorsRequests().isEmpty(), "nothing was sent to the bucket");
        assertEquals(JSON.readTree(SEED_POLICY), get(), "the policy is unchanged");
    }

    @Test
    void onlyAdminsMayReadOrChangeIt() throws Exception {
        put(SEED_POLICY);
        S3rverResource.proxy().reset();
        given().get(PATH).then().statusCode(401).contentType("application/problem+json")
                .body("code", equalTo("UNAUTHORIZED"));
        given().contentType(ContentType.JSON).body(FULL_POLICY).put(PATH).then().statusCode(401);
        given().header("Authorization", "Bearer not-the-admin-key-000").contentType(ContentType.JSON).body(FULL_POLICY)
                .put(PATH).then().statusCode(401).body("code", equalTo("UNAUTHORIZED"));
        assertTrue(S3rverResource.proxy().requests().isEmpty(), "no call reached the bucket");
        assertEquals(JSON.readTree(SEED_POLICY), get());
    }

    @Test
    void aBucketWithoutPolicyAnswersAnEmptyArray() throws Exception {
        try (S3Client s3 = direct()) {
            s3.deleteBucketCors(b -> b.bucket(S3rverResource.BUCKET));
        }
        assertEquals(JSON.readTree("[]"), get());
    }

    static int preflight(String origin, String method) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(S3rverResource.s3rverEndpoint() + "/"
                        + S3rverResource.BUCKET + "/images/gen-z/any.png"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin).header("Access-Control-Request-Method", method).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

}
