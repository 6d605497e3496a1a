package io.zinteract.images.image;

import io.zinteract.images.image.data.Ids;
import io.zinteract.images.image.data.ImageRecord;
import io.zinteract.images.image.data.StorageKind;
import io.zinteract.images.image.serve.StreamedBody;
import io.zinteract.images.image.serve.ByteRange;
import io.zinteract.images.storage.R2Storage;
import io.zinteract.images.storage.R2Urls;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.config.ServiceConfig;
import io.zinteract.images.variant.VariantSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns {@link ImageContent} into HTTP: validators, caching, ranges and redirects, so that the resource stays a
 * mapping and every storage answers with the same headers.
 */
@ApplicationScoped
public class ImageResponses {

    static final String STORAGE_HEADER = "X-Image-Storage";

    private final R2Urls urls;
    private final ServiceConfig config;
    private final VariantSettings variants;

    public ImageResponses(R2Urls urls, ServiceConfig config, VariantSettings variants) {
        this.urls = urls;
        this.config = config;
        this.variants = variants;
    }

    /**
     * Status, headers and body of {@code GET /api/images/{id}}; the body streams, with its length, when it comes from
     * the bucket ({@link StreamedBodyWriter}).
     */
    public Uni<Response> serve(Uni<ImageContent> content, String range, String ifNoneMatch) {
        return content.map(c -> {
            if (c instanceof ImageContent.Bytes bytes) {
                return bytes(bytes, range, ifNoneMatch);
            }
            if (c instanceof ImageContent.Redirect redirect) {
                return redirect(redirect);
            }
            if (c instanceof ImageContent.NotModified notModified) {
                return notModified(notModified);
            }
            return streamed((ImageContent.Streamed) c);
        }).map(Reply::toResponse);
    }

    /** Where clients fetch an image: the public R2 URL when there is one, else this service. */
    public String url(ImageRecord row, UriInfo uri) {
        if (row.storage() == StorageKind.R2) {
            Optional<String> publicUrl = urls.publicUrl(row.r2Key());
            if (publicUrl.isPresent()) {
                return publicUrl.get();
            }
        }
        return serviceUri(uri, Ids.pathSegment(row.id())).toString();
    }

    /** Where each preset's variant of the image is fetched; none for images that have no variants. */
    public Map<String, String> variantUrls(ImageRecord row, UriInfo uri) {
        StorageKind kind = row.storage();
        if (!variants.enabled() || !(kind == StorageKind.R2 || kind == StorageKind.BASE64)) {
            return Map.of();
        }
        String base = serviceUri(uri, Ids.pathSegment(row.id())) + "?variant=";
        Map<String, String> links = new LinkedHashMap<>();
        variants.presets().keySet().forEach(name -> links.put(name, base + name));
        return links;
    }

    public URI serviceUri(UriInfo uri, String id) {
        String base = config.publicBaseUrl().filter(s -> !s.isBlank()).orElse(uri.getBaseUri().toString());
        return URI.create((base.endsWith("/") ? base : base + "/") + "api/images/" + id);
    }

    /** {@code entity} is null (no body), the bytes, or a {@link StreamedBody}. */
    record Reply(int status, Map<String, List<String>> headers, Object entity) {

        Response toResponse() {
            Response.ResponseBuilder builder = Response.status(status).entity(entity);
            headers.forEach((name, values) -> values.forEach(value -> builder.header(name, value)));
            return builder.build();
        }
    }

    private static Reply bytes(ImageContent.Bytes c, String rangeHeader, String ifNoneMatch) {
        Map<String, List<String>> headers = new HashMap<>();
        String etag = "\"" + c.sha256() + "\"";
        headers.put("ETag", List.of(etag));
        headers.put("Cache-Control", List.of(R2Storage.IMMUTABLE_CACHE_CONTROL));
        headers.put("Accept-Ranges", List.of("bytes"));
        headers.put(STORAGE_HEADER, List.of(c.storage().wire()));
        if (matches(ifNoneMatch, c.sha256())) {
            return new Reply(304, headers, null);
        }
        headers.put("Content-Type", List.of(c.contentType()));
        long total = c.data().length;
        Optional<ByteRange> range = ByteRange.parse(rangeHeader, total);
        if (range.isPresent()) {
            ByteRange r = range.get();
            headers.put("Content-Range", List.of(r.contentRange(total)));
            headers.put("Content-Length", List.of(Long.toString(r.length())));
            byte[] part = Arrays.copyOfRange(c.data(), (int) r.start(), (int) r.end() + 1);
            return new Reply(206, headers, part);
        }
        headers.put("Content-Length", List.of(Long.toString(total)));
        return new Reply(200, headers, c.data());
    }

    private static Reply redirect(ImageContent.Redirect c) {
        Map<String, List<String>> headers = new HashMap<>();
        headers.put("Location", List.of(c.location().toString()));
        headers.put("Cache-Control", List.of(c.cacheControl()));
        headers.put(STORAGE_HEADER, List.of(c.storage().wire()));
        headers.put("Content-Length", List.of("0"));
        return new Reply(302, headers, null);
    }

    private static Reply streamed(ImageContent.Streamed c) {
        Map<String, List<String>> headers = new HashMap<>();
        var s = c.stream();
        if (s.contentType() != null) {
            headers.put("Content-Type", List.of(s.contentType()));
        }

        headers.put("ETag", List.of("\"" + (c.sha256() != null ? c.sha256() : s.etag()) + "\""));
        headers.put("Cache-Control", List.of(R2Storage.IMMUTABLE_CACHE_CONTROL));
        headers.put("Accept-Ranges", List.of("bytes"));
        headers.put(STORAGE_HEADER, List.of(c.storage().wire()));
        StreamedBody body = new StreamedBody(s.body(), s.contentLength());
        if (s.contentRange() != null) {
            headers.put("Content-Range", List.of(s.contentRange()));
            return new Reply(206, headers, body);
        }
        return new Reply(200, headers, body);
    }

    /** The same validators as a 200 of the image would carry, so a cache can keep using its copy. */
    private static Reply notModified(ImageContent.NotModified c) {
        Map<String, List<String>> headers = new HashMap<>();
        headers.put("ETag", List.of("\"" + c.etag() + "\""));
        headers.put("Cache-Control", List.of(R2Storage.IMMUTABLE_CACHE_CONTROL));
        headers.put("Accept-Ranges", List.of("bytes"));
        headers.put(STORAGE_HEADER, List.of(c.storage().wire()));
        return new Reply(304, headers, null);
    }

    /**
     * Whether {@code If-None-Match} names the image whose validator (unquoted) is {@code validator}: {@code *}, the
     * strong ETag, its weak form (If-None-Match compares weakly), or any of them in a list.
     */
    static boolean matches(String ifNoneMatch, String validator) {
        if (ifNoneMatch == null || validator == null) {
            return false;
        }
        String etag = "\"" + validator + "\"";
        for (String candidate : ifNoneMatch.split(",")) {
            String value = candidate.trim();
            if (value.equals("*") || value.equals(etag) || value.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }
}
