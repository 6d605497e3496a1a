package io.zinteract.images.docs;

import io.zinteract.images.support.profile.Profiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /q/openapi} describes every endpoint: a summary, the success answers and each problem answer as
 * {@code application/problem+json} with the Problem schema; admin endpoints carry the bearer scheme and 401/403.
 */
@QuarkusTest
@TestProfile(Profiles.R2Storage.class)
class OpenApiTest {

    static final String PROBLEM_SCHEMA = "#/components/schemas/Problem";
    JsonNode doc;

    /** Fetched per test: RestAssured only knows the application's port once a test runs. */
    @BeforeEach
    void fetch() throws Exception {
        doc = new ObjectMapper().readTree(given().queryParam("format", "json").get("/q/openapi")
                .then().statusCode(200).extract().asString());
    }

    JsonNode operation(String path, String method) {
        JsonNode op = doc.path("paths").path(path).path(method);
        assertFalse(op.isMissingNode(), method.toUpperCase() + " " + path + " is not documented");
        return op;
    }

    /** A response, following a reference into components.responses. */
    JsonNode response(JsonNode op, String status) {
        JsonNode response = op.path("responses").path(status);
        assertFalse(response.isMissingNode(), "no " + status + " response");
        if (response.has("$ref")) {
            String name = response.get("$ref").asText().replace("#/components/responses/", "");
            response = doc.path("components").path("responses").path(name);
            assertFalse(response.isMissingNode(), "dangling reference to response " + name);
        }
        return response;
    }

    void assertProblem(JsonNode op, String status, String where) {
        JsonNode response = response(op, status);
        assertEquals(PROBLEM_SCHEMA, response.path("content").path("application/problem+json").path("schema")
                .path("$ref").asText(), where + " " + status + " is not application/problem+json with the Problem schema");
        assertFalse(response.path("description").asText().isBlank(), where + " " + status + " has no description");
    }

    @Test
    void everyEndpointIsThere() {
        List<String> expected = List.of(
                "post /api/images", "get /api/images", "get /api/images/{id}", "get /api/images/{id}/meta",
                "delete /api/images/{id}", "post /api/generate-image", "post /api/images/ingest",
                "post /api/images/uploads", "get /api/images/uploads/{uploadId}",
                "post /api/images/uploads/{uploadId}/complete", "get /api/admin/bucket/cors",
                "put /api/admin/bucket/cors");
        for (String e : expected) {
            String[] parts = e.split(" ");
            operation(parts[1], parts[0]);
        }
    }

    @Test
    void everyOperationHasASummaryASuccessAndDocumentedProblems() {
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            if (!path.getKey().startsWith("/api/")) {
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                String where = op.getKey().toUpperCase() + " " + path.getKey();
                assertFalse(op.getValue().path("summary").asText().isBlank(), where + " has no summary");
                assertFalse(op.getValue().path("tags").isEmpty(), where + " has no tag");
                List<String> statuses = new ArrayList<>();
                op.getValue().path("responses").fieldNames().forEachRemaining(statuses::add);
                assertTrue(statuses.stream().anyMatch(s -> s.startsWith("2") || s.startsWith("3")),
                        where + " documents no success: " + statuses);
                List<String> problems = statuses.stream().filter(s -> s.startsWith("4") || s.startsWith("5")).toList();
                assertFalse(problems.isEmpty(), where + " documents no problem response");
                problems.forEach(status -> assertProblem(op.getValue(), status, where));
            }
        }
    }

    @Test
    void theImageApiDocumentsItsRefusals() {
        JsonNode upload = operation("/api/images", "post");
        assertTrue(statuses(upload).containsAll(Set.of("201", "400", "413", "415", "503")), statuses(upload).toString());
        JsonNode content = upload.path("requestBody").path("content");
        assertTrue(content.has("multipart/form-data") && content.has("image/*"), "both upload forms: " + content);
        assertTrue(statuses(operation("/api/images/{id}", "get")).containsAll(Set.of("200", "302", "404", "416")));
        assertTrue(statuses(operation("/api/images/uploads/{uploadId}/complete", "post"))
                .containsAll(Set.of("201", "200", "404", "409", "410", "422")));
        assertEquals("#/components/schemas/UploadRequest", operation("/api/images/uploads", "post")
                .path("requestBody").path("content").path("application/json").path("schema").path("$ref").asText());
    }

    @Test
    void adminEndpointsNeedTheBearerKey() {
        JsonNode scheme = doc.path("components").path("securitySchemes").path(OpenApiDefinitions.ADMIN_KEY);
        assertEquals("http", scheme.path("type").asText());
        assertEquals("bearer", scheme.path("scheme").asText());
        for (String[] admin : new String[][] { { "/api/images/{id}", "delete" }, { "/api/admin/bucket/cors", "get" },
                { "/api/admin/bucket/cors", "put" } }) {
            JsonNode op = operation(admin[0], admin[1]);
            assertTrue(op.path("security").toString().contains(OpenApiDefinitions.ADMIN_KEY), admin[1] + " " + admin[0]);
            assertProblem(op, "401", admin[1] + " " + admin[0]);
            assertProblem(op, "403", admin[1] + " " + admin[0]);
        }
        assertTrue(operation("/api/images", "get").path("security").isMissingNode(), "public reads need no key");
    }

    @Test
    void rateLimitedEndpointsDocumentTheir429() {
        for (String[] limited : new String[][] { { "/api/images", "post" }, { "/api/generate-image", "post" },
                { "/api/images/ingest", "post" }, { "/api/images/uploads", "post" }, { "/api/images/{id}", "delete" },
                { "/api/admin/bucket/cors", "put" } }) {
            assertProblem(operation(limited[0], limited[1]), "429", limited[1] + " " + limited[0]);
        }
        assertTrue(response(operation("/api/generate-image", "post"), "503").path("description").asText()
                .contains("PROVIDER_BUSY"));
        assertFalse(statuses(operation("/api/images/{id}", "get")).contains("429"), "reads are not limited");
    }

    @Test
    void theProblemSchemaNamesItsMembers() {
        JsonNode properties = doc.path("components").path("schemas").path("Problem").path("properties");
        Set<String> names = new TreeSet<>();
        properties.fieldNames().forEachRemaining(names::add);
        assertEquals(new TreeSet<>(List.of("code", "detail", "instance", "status", "title", "type")), names);
    }

    static Set<String> statuses(JsonNode op) {
        Set<String> statuses = new TreeSet<>();
        op.path("responses").fieldNames().forEachRemaining(statuses::add);
        return statuses;
    }
}
