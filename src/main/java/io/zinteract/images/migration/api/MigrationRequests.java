package io.zinteract.images.migration.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.image.data.Ids;
import io.zinteract.images.migration.job.Action;
import io.zinteract.images.migration.job.JobOptions;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a request body into a {@link MigrationRequest}, strictly: the body is parsed here rather than bound by the
 * framework because the seed's {@code curl -d} sends JSON as {@code application/x-www-form-urlencoded}, and because
 * every unknown field, wrong type or out-of-range value must be a 400 before anything starts.
 */
@ApplicationScoped
class MigrationRequests {

    static final int MAX_IMAGE_IDS = 1000;
    static final int MAX_OLDER_THAN_DAYS = 36500;

    private static final Set<String> COMMON = Set.of("action", "wait");
    private static final Set<String> BATCHING = Set.of("batchSize", "concurrency");
    private static final Map<Action, Set<String>> FIELDS = Map.ofEntries(
            Map.entry(Action.MIGRATE, Set.of("dryRun", "limit", "imageIds", "retainBase64", "verify")),
            Map.entry(Action.VALIDATE, Set.of("checkIntegrity", "sampleSize", "orphans", "imageIds")),
            Map.entry(Action.ROLLBACK, Set.of("dryRun", "imageIds", "deleteFromR2")),
            Map.entry(Action.PURGE, Set.of("dryRun", "olderThanDays", "imageIds")),
            Map.entry(Action.BACKUP, Set.of()),
            Map.entry(Action.CLEANUP, Set.of("dryRun")),
            Map.entry(Action.VARIANTS, Set.of("dryRun", "imageIds")),
            Map.entry(Action.PAUSE, Set.of("jobId")),
            Map.entry(Action.RESUME, Set.of("jobId")),
            Map.entry(Action.CANCEL, Set.of("jobId")),
            Map.entry(Action.STATUS, Set.of("jobId")));

    private final ObjectMapper json;

    MigrationRequests(ObjectMapper mapper) {
        this.json = mapper.copy().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    public MigrationRequest parse(String body) {
        if (body == null || body.isBlank()) {
            throw new ApiException(ErrorCode.MISSING_FIELD, "the body must be a JSON object with an \"action\"");
        }
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr();
            throw new ApiException(ErrorCode.MALFORMED_JSON, "the body is not valid JSON" + where);
        }
        if (root == null || !root.isObject()) {
            throw new ApiException(ErrorCode.MALFORMED_JSON, "the body must be a JSON object");
        }
        JsonNode actionNode = root.get("action");
        if (actionNode == null || actionNode.isNull()) {
            throw new ApiException(ErrorCode.MISSING_FIELD, "\"action\" is required");
        }
        if (!actionNode.isTextual()) {
            throw invalid("\"action\" must be a string");
        }
        Action action = Action.parse(actionNode.asText()).orElseThrow(() -> invalid("unknown action \""
                + actionNode.asText() + "\"; use one of migrate, validate, rollback, purge, backup, cleanup, variants, pause, resume, cancel, status"));
        checkFields(root, action);

        boolean await = bool(root, "wait", false);
        String jobId = null;
        if (root.has("jobId")) {
            JsonNode id = root.get("jobId");
            if (!id.isTextual() || !Ids.valid(id.asText())) {
                throw invalid("\"jobId\" must be a string matching [A-Za-z0-9_-]{1,64}");
            }
            jobId = id.asText();
        }
        JobOptions options = new JobOptions(boolOrNull(root, "dryRun"), intOrNull(root, "batchSize", 1, JobOptions.MAX_BATCH_SIZE),
                intOrNull(root, "concurrency", 1, JobOptions.MAX_CONCURRENCY), intOrNull(root, "limit", 1, Integer.MAX_VALUE),
                imageIds(root), boolOrNull(root, "retainBase64"), boolOrNull(root, "checkIntegrity"),
                intOrNull(root, "sampleSize", 1, Integer.MAX_VALUE), boolOrNull(root, "orphans"),
                boolOrNull(root, "deleteFromR2"), intOrNull(root, "olderThanDays", 0, MAX_OLDER_THAN_DAYS),
                oneOfOrNull(root, "verify", JobOptions.VERIFY_HEAD, JobOptions.VERIFY_ETAG));
        return new MigrationRequest(action, options, await, jobId);
    }

    private static void checkFields(JsonNode root, Action action) {
        Set<String> allowed = new LinkedHashSet<>(COMMON);
        if (action.startsJob() && action != Action.BACKUP && action != Action.CLEANUP) {
            allowed.addAll(BATCHING);
        }
        allowed.addAll(FIELDS.get(action));
        for (Iterator<String> names = root.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw invalid("unknown field \"" + name + "\" for action " + action.wire() + "; allowed: "
                        + String.join(", ", new java.util.TreeSet<>(allowed)));
            }
        }
    }

    private static boolean bool(JsonNode root, String field, boolean fallback) {
        Boolean value = boolOrNull(root, field);
        return value == null ? fallback : value;
    }

    private static Boolean boolOrNull(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isBoolean()) {
            throw invalid("\"" + field + "\" must be true or false");
        }
        return node.booleanValue();
    }

    private static Integer intOrNull(JsonNode root, String field, int min, int max) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
            throw invalid("\"" + field + "\" must be a whole number from " + min + " to " + max);
        }
        return node.intValue();
    }

    private static String oneOfOrNull(JsonNode root, String field, String... values) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || !List.of(values).contains(node.asText())) {
            throw invalid("\"" + field + "\" must be one of " + String.join(", ", values));
        }
        return node.asText();
    }

    private static List<String> imageIds(JsonNode root) {
        JsonNode node = root.get("imageIds");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray() || node.isEmpty() || node.size() > MAX_IMAGE_IDS) {
            throw invalid("\"imageIds\" must be an array of 1 to " + MAX_IMAGE_IDS + " image ids");
        }
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode id : node) {
            if (!id.isTextual() || !Ids.validLookup(id.asText())) {
                throw invalid("every entry of \"imageIds\" must be an image id: 1 to " + Ids.MAX_LOOKUP_BYTES
                        + " bytes of UTF-8 without control characters");
            }
            ids.add(id.asText());
        }
        return new ArrayList<>(ids);
    }

    private static ApiException invalid(String detail) {
        return new ApiException(ErrorCode.INVALID_REQUEST, detail);
    }
}
