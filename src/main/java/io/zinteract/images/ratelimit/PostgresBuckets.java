package io.zinteract.images.ratelimit;

import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;

import javax.sql.DataSource;
import java.time.Duration;

/**
 * Buckets in the {@code rate_limit_buckets} table (V8), so every replica draws on one budget. Each call is one short
 * transaction that locks the bucket's row ({@code SELECT ... FOR UPDATE}), so concurrent requests on any replica are
 * counted exactly. Rows carry {@code expires_at} (when the bucket is full again, plus a minute); {@link #sweep} deletes
 * expired ones, so a client seen once leaves no row behind. Rows survive restarts.
 */
final class PostgresBuckets implements BucketStore {

    static final String TABLE = "rate_limit_buckets";

    private final PostgreSQLSelectForUpdateBasedProxyManager<String> buckets;

    PostgresBuckets(DataSource dataSource) {
        this.buckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table(TABLE).idColumn("id").stateColumn("state").expiresAtColumn("expires_at")
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofMinutes(1)))
                .build();
    }

    @Override
    public ConsumptionProbe consume(String key, LimitSpec spec) {
        return buckets.builder().build(key, spec::bucket).tryConsumeAndReturnRemaining(1);
    }

    @Override
    public EstimationProbe peek(String key, LimitSpec spec) {
        return buckets.builder().build(key, spec::bucket).estimateAbilityToConsume(1);
    }

    @Override
    public boolean blocking() {
        return true;
    }

    /** Deletes up to {@code batch} expired rows; returns how many. */
    int sweep(int batch) {
        return buckets.removeExpired(batch);
    }
}
