package io.zinteract.images.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.agroal.runtime.AgroalDataSourceUtil;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.zinteract.images.db.Blocking;
import io.zinteract.images.db.DatabaseUrlConfigSource;
import io.zinteract.images.error.ErrorCode;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Decides whether a request is within its limits, counts refusals on {@code /q/metrics}
 * ({@code rate_limit_refused_total{limit,endpoint}}) and logs one line when a client crosses a limit (not again until
 * one of its requests has passed that limit since).
 * <p>
 * In process (SQLite) a decision is a map look-up and an atomic update on the caller's thread: no I/O, no thread hop.
 * With PostgreSQL it is one short transaction on a worker thread. When PostgreSQL cannot be asked the request passes
 * (fail-open): every limited request needs that same database to store anything, so an outage stops the costly work
 * anyway, while failing closed would turn a database blip into 429s for everyone, admins included.
 */
@ApplicationScoped
public class RateLimiter {

    private static final Logger LOG = Logger.getLogger(RateLimiter.class);
    private static final String ALL_CLIENTS = "all";

    private final Map<Limit, LimitSpec> specs = new EnumMap<>(Limit.class);
    private final BucketStore store;
    private final boolean trustProxy;
    private final MeterRegistry registry;
    /** Clients whose last request on a limit was refused; bounded, and forgotten after the longest period. */
    private final Cache<String, Boolean> crossed;
    private final ScheduledExecutorService sweeper;
    private volatile long lastStoreWarning;

    @jakarta.inject.Inject
    public RateLimiter(RateLimitConfig config, MeterRegistry registry,
            @ConfigProperty(name = "quarkus.http.proxy.proxy-address-forwarding", defaultValue = "false") boolean trustProxy) {
        this(config, registry, trustProxy, AgroalDataSourceUtil.dataSourceIfActive(DatabaseUrlConfigSource.POSTGRESQL)
                .map(d -> (DataSource) d));
    }

    /** With {@code postgresql} present the buckets live there (DATABASE_URL); else in this process. */
    RateLimiter(RateLimitConfig config, MeterRegistry registry, boolean trustProxy, Optional<DataSource> postgresql) {
        this.registry = registry;
        this.trustProxy = trustProxy;
        Duration longest = Duration.ofSeconds(1);
        if (config.enabled()) {
            for (Limit limit : Limit.values()) {
                LimitSpec spec = LimitSpec.parse(limit.setting(config));
                if (spec != null) {
                    specs.put(limit, spec);
                    longest = spec.period().compareTo(longest) > 0 ? spec.period() : longest;
                }
            }
        }
        this.crossed = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(longest).build();
        Optional<DataSource> pg = specs.isEmpty() ? Optional.empty() : postgresql;
        if (pg.isPresent()) {
            PostgresBuckets buckets = new PostgresBuckets(pg.get());
            this.store = buckets;
            this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "rate-limit-sweeper");
                t.setDaemon(true);
                return t;
            });
            sweeper.scheduleWithFixedDelay(() -> sweep(buckets), 1, 1, TimeUnit.MINUTES);
        } else {
            this.store = new LocalBuckets(config.maxBuckets(), longest);
            this.sweeper = null;
        }
    }

    @PreDestroy
    void stop() {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
    }

    /** True when {@code limit} is on (the master switch and its own setting). */
    public boolean active(Limit limit) {
        return specs.containsKey(limit);
    }

    boolean blocking() {
        return store.blocking();
    }

    /** The address key of a request: see {@link ClientKeys}. */
    String addressOf(HttpServerRequest request) {
        return ClientKeys.address(request, trustProxy);
    }

    /** Takes a token from the bucket of {@code limit} for {@code key}; on the caller's thread. */
    Decision consumeNow(Limit limit, String scope, String key, String endpoint) {
        LimitSpec spec = specs.get(limit);
        String bucket = limit.wire() + "|" + key;
        Decision decision;
        try {
            decision = Decision.of(limit, spec, scope, store.consume(bucket, spec));
        } catch (RuntimeException e) {
            storeFailed(e);
            return Decision.unknown(limit, spec, scope);
        }
        if (decision.allowed()) {
            crossed.asMap().remove(bucket);
        } else {
            registry.counter("rate.limit.refused", "limit", limit.wire(), "endpoint", endpoint).increment();
            if (crossed.asMap().putIfAbsent(bucket, Boolean.TRUE) == null) {
                LOG.infof("Client %s crossed the %s limit (%s) on %s; refused until a token is back in %d s", key,
                        limit.wire(), spec, endpoint, decision.retryAfterSeconds());
            }
        }
        return decision;
    }

    /** {@link #consumeNow} where the store wants it: at once in process, on a worker thread for PostgreSQL. */
    Uni<Decision> consume(Limit limit, String scope, String key, String endpoint) {
        return run(() -> consumeNow(limit, scope, key, endpoint));
    }

    /**
     * The buckets of the session and the participant a request names, each of {@code limit}'s size, after the
     * address bucket passed; fails with 429 {@code RATE_LIMITED} on the first empty one.
     */
    public Uni<Void> checkRequester(Limit limit, String endpoint, String sessionId, String participantId) {
        String session = ClientKeys.id("s", sessionId);
        String participant = ClientKeys.id("p", participantId);
        if (!active(limit) || (session == null && participant == null)) {
            return Uni.createFrom().voidItem();
        }
        return run(() -> {
            Decision refused = null;
            if (session != null) {
                Decision d = consumeNow(limit, "session", session, endpoint);
                refused = d.allowed() ? null : d;
            }
            if (refused == null && participant != null) {
                Decision d = consumeNow(limit, "participant", participant, endpoint);
                refused = d.allowed() ? null : d;
            }
            return refused;
        }).onItem().transformToUni(d -> d == null ? Uni.createFrom().voidItem()
                : Uni.createFrom().failure(new RateLimitedException(ErrorCode.RATE_LIMITED, d)));
    }

    /**
     * One call to the image provider, counted against the budget of all clients together; spent, it fails with 503
     * {@code PROVIDER_BUSY}: the service is at its ceiling, which is load rather than this client's fault.
     */
    public Uni<Void> providerCall() {
        if (!active(Limit.PROVIDER_CALLS)) {
            return Uni.createFrom().voidItem();
        }
        return consume(Limit.PROVIDER_CALLS, "all-clients", ALL_CLIENTS, "generate-image")
                .onItem().transformToUni(d -> d.allowed() ? Uni.createFrom().voidItem()
                        : Uni.createFrom().failure(new RateLimitedException(ErrorCode.PROVIDER_BUSY, d)));
    }

    /** The 429 answer when this address has spent its admin-failure bucket; else null (nothing is taken). */
    public Uni<jakarta.ws.rs.core.Response> adminRefusal(HttpServerRequest request, jakarta.ws.rs.core.UriInfo uri) {
        return adminBlocked(request).map(d -> d == null ? null
                : RateLimitProblems.response(new RateLimitedException(ErrorCode.RATE_LIMITED, d), uri));
    }

    private Uni<Decision> adminBlocked(HttpServerRequest request) {
        if (!active(Limit.ADMIN_FAILURES)) {
            return Uni.createFrom().nullItem();
        }
        LimitSpec spec = specs.get(Limit.ADMIN_FAILURES);
        String key = addressOf(request);
        return run(() -> {
            try {
                Decision d = Decision.of(Limit.ADMIN_FAILURES, spec, "address",
                        store.peek(Limit.ADMIN_FAILURES.wire() + "|" + key, spec));
                if (d.allowed()) {
                    return null;
                }
                registry.counter("rate.limit.refused", "limit", Limit.ADMIN_FAILURES.wire(), "endpoint", "admin")
                        .increment();
                return d;
            } catch (RuntimeException e) {
                storeFailed(e);
                return null;
            }
        });
    }

    /** Spends one token of this address's admin-failure bucket: it presented a wrong admin key. */
    public Uni<Void> adminFailed(HttpServerRequest request) {
        if (!active(Limit.ADMIN_FAILURES)) {
            return Uni.createFrom().voidItem();
        }
        String key = addressOf(request);
        return run(() -> {
            Decision d = consumeNow(Limit.ADMIN_FAILURES, "address", key, "admin");
            if (d.allowed() && d.remaining() == 0) {
                // The failure that spends the last token is the crossing: later requests are refused.
                LOG.infof("Client %s spent its admin-failures limit (%s); its admin requests are refused for %d s",
                        key, d.spec(), d.resetSeconds());
            }
            return null;
        }).replaceWithVoid();
    }

    private <T> Uni<T> run(Supplier<T> work) {
        if (!store.blocking()) {
            try {
                return Uni.createFrom().item(work.get());
            } catch (RuntimeException e) {
                return Uni.createFrom().failure(e);
            }
        }
        return Blocking.call(work);
    }

    private void storeFailed(RuntimeException e) {
        registry.counter("rate.limit.store.errors").increment();
        long now = System.nanoTime();
        if (now - lastStoreWarning > TimeUnit.MINUTES.toNanos(1)) {
            lastStoreWarning = now;
            LOG.warnf("Rate limit buckets cannot be read (%s); requests pass unlimited until they can", e.toString());
        }
    }

    private void sweep(PostgresBuckets buckets) {
        try {
            int removed;
            do {
                removed = buckets.sweep(1000);
            } while (removed == 1000);
        } catch (RuntimeException e) {
            storeFailed(e);
        }
    }
}
