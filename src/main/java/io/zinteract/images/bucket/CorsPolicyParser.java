package io.zinteract.images.bucket;

import io.zinteract.images.storage.model.BucketCorsRule;
import com.fasterxml.jackson.databind.JsonNode;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a bucket CORS policy in the seed's {@code cors-policy.json} format (a JSON array of rules; the
 * {@code {"CORSRules": [...]}} shape of {@code aws s3api} is accepted too) and refuses, before anything is sent to the
 * store, what S3 or R2 would refuse or silently misread: unknown fields (a typo like {@code AllowedOrigin} would
 * otherwise be lost), empty origin or method lists, methods outside GET/PUT/POST/DELETE/HEAD, origins with a path or
 * more than one wildcard, negative or fractional max ages.
 */
final class CorsPolicyParser {

    static final int MAX_RULES = 100;
    static final Set<String> METHODS = Set.of("GET", "PUT", "POST", "DELETE", "HEAD");
    private static final Set<String> FIELDS = Set.of("AllowedOrigins", "AllowedMethods", "AllowedHeaders",
            "ExposeHeaders", "MaxAgeSeconds");
    private static final Pattern ORIGIN = Pattern.compile("\\*|[a-z][a-z0-9+.-]*://[^/\\s?#]+");

    private CorsPolicyParser() {
    }

    static List<BucketCorsRule> parse(JsonNode body) {
        JsonNode rules = body != null && body.isObject() && body.has("CORSRules") && body.size() == 1
                ? body.get("CORSRules") : body;
        if (rules == null || !rules.isArray()) {
            throw invalid("", "the policy must be a JSON array of rules, as in cors-policy.json");
        }
        if (rules.isEmpty() || rules.size() > MAX_RULES) {
            throw invalid("", "the policy must have 1 to " + MAX_RULES + " rules");
        }
        List<BucketCorsRule> parsed = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            parsed.add(rule(rules.get(i), "/" + i));
        }
        return parsed;
    }

    private static BucketCorsRule rule(JsonNode rule, String at) {
        if (!rule.isObject()) {
            throw invalid(at, "each rule must be a JSON object");
        }
        for (Iterator<String> names = rule.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw invalid(at + "/" + name, "unknown field " + name + "; a rule has " + new java.util.TreeSet<>(FIELDS));
            }
        }
        List<String> origins = strings(rule, "AllowedOrigins", at, true);
        for (int i = 0; i < origins.size(); i++) {
            String origin = origins.get(i);
            if (!ORIGIN.matcher(origin).matches() || wildcards(origin) > 1) {
                throw invalid(at + "/AllowedOrigins/" + i, "origin " + origin + " must be * or scheme://host[:port] "
                        + "with at most one *, and no path");
            }
        }
        List<String> methods = new ArrayList<>();
        List<String> declared = strings(rule, "AllowedMethods", at, true);
        for (int i = 0; i < declared.size(); i++) {
            String method = declared.get(i).toUpperCase(Locale.ROOT);
            if (!METHODS.contains(method)) {
                throw invalid(at + "/AllowedMethods/" + i, "method " + declared.get(i) + " is not one of "
                        + new java.util.TreeSet<>(METHODS));
            }
            methods.add(method);
        }
        List<String> headers = strings(rule, "AllowedHeaders", at, false);
        for (int i = 0; i < headers.size(); i++) {
            if (wildcards(headers.get(i)) > 1) {
                throw invalid(at + "/AllowedHeaders/" + i, "a header may hold at most one *");
            }
        }
        return new BucketCorsRule(origins, methods, headers, strings(rule, "ExposeHeaders", at, false),
                maxAge(rule.get("MaxAgeSeconds"), at + "/MaxAgeSeconds"));
    }

    private static List<String> strings(JsonNode rule, String field, String at, boolean required) {
        JsonNode node = rule.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw invalid(at + "/" + field, field + " is required and must list at least one value");
            }
            return List.of();
        }
        if (!node.isArray() || (required && node.isEmpty())) {
            throw invalid(at + "/" + field, field + " must be an array of strings"
                    + (required ? " with at least one value" : ""));
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode value = node.get(i);
            if (!value.isTextual() || value.asText().isBlank() || !value.asText().equals(value.asText().trim())) {
                throw invalid(at + "/" + field + "/" + i, field + " values must be non-empty strings without spaces "
                        + "around them");
            }
            values.add(value.asText());
        }
        return List.copyOf(values);
    }

    private static Integer maxAge(JsonNode node, String at) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 0) {
            throw invalid(at, "MaxAgeSeconds must be a whole number of seconds from 0 to " + Integer.MAX_VALUE);
        }
        return node.asInt();
    }

    private static long wildcards(String value) {
        return value.chars().filter(c -> c == '*').count();
    }

    private static ApiException invalid(String pointer, String detail) {
        return new ApiException(ErrorCode.INVALID_CORS_POLICY, detail, Map.of("pointer", pointer));
    }
}
