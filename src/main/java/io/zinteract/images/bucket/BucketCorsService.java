package io.zinteract.images.bucket;

import io.zinteract.images.storage.model.BucketCorsRule;
import io.zinteract.images.storage.R2Storage;
import io.zinteract.images.storage.StorageException;
import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Map;

/**
 * The bucket's CORS policy: what lets browsers read images from R2's public URL, or PUT presigned uploads, from
 * other origins. A policy is validated whole before the store sees it, applied, and then read back, so the answer
 * shows what the store actually keeps rather than what was sent.
 */
@ApplicationScoped
public class BucketCorsService {

    private static final Logger LOG = Logger.getLogger(BucketCorsService.class);

    private final R2Storage storage;

    public BucketCorsService(R2Storage storage) {
        this.storage = storage;
    }

    public Uni<List<CorsRuleDocument>> apply(JsonNode policy) {
        List<BucketCorsRule> rules = CorsPolicyParser.parse(policy);
        return storage.putBucketCors(rules)
                .onFailure(StorageException.class).transform(BucketCorsService::refusedByStore)
                .invoke(() -> LOG.infof("CORS policy of bucket %s replaced: %d rule(s), origins %s", storage.bucket(),
                        rules.size(), rules.stream().flatMap(r -> r.allowedOrigins().stream()).distinct().toList()))
                .chain(this::current);
    }

    public Uni<List<CorsRuleDocument>> current() {
        return storage.getBucketCors().map(rules -> rules.stream().map(CorsRuleDocument::of).toList());
    }

    /** A 4xx from the store means it refused this policy: say so (502), rather than "unavailable, retry" (503). */
    private static Throwable refusedByStore(Throwable failure) {
        StorageException e = (StorageException) failure;
        if (e.transientFailure()) {
            return e;
        }
        return new ApiException(ErrorCode.STORE_REFUSED, "the bucket refused the CORS policy with HTTP " + e.status(),
                Map.of("storeStatus", e.status()));
    }
}
