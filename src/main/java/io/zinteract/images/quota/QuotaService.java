package io.zinteract.images.quota;

import io.smallrye.mutiny.Uni;
import io.zinteract.images.db.Blocking;
import io.zinteract.images.image.data.ImageRepository;
import io.zinteract.images.image.data.NewImageRow;
import io.zinteract.images.quota.QuotaRepository.Scope;
import io.zinteract.images.quota.QuotaRepository.Usage;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether an image may be added under the caps of its session and persona (README, "Quotas"), before
 * anything is stored. Each decision is one transaction that first serializes the decisions on the same session and
 * persona across replicas, then counts what the database holds (rows, and reservations of images on their way), and
 * records a reservation for the new image, so two requests can never both take the last room. The reservation counts
 * until the image's row does; it is released once the row is written or the image given up, and one left behind by a
 * dead replica expires.
 *
 * <p>Every method blocks (JDBC): callers run them on a worker thread. With every cap off nothing is read or written.
 */
@ApplicationScoped
public class QuotaService {

    private static final Logger LOG = Logger.getLogger(QuotaService.class);
    /**
     * How long a reservation of a direct upload, ingest or generation holds room (and a contentless generating row
     * counts): far longer than any store takes; only a replica that died holds room this long.
     */
    static final Duration HOLD = Duration.ofHours(1);
    static final long DAY_SECONDS = 86_400;

    private final QuotaConfig config;
    private final QuotaRepository repository;
    private final QuotaRefusals refusals;
    /** Expired reservations and past days' counters are deleted at most once a minute per replica. */
    static final long PURGE_INTERVAL_SECONDS = 60;

    private volatile long purgedAt;

    public QuotaService(QuotaConfig config, QuotaRepository repository, QuotaRefusals refusals) {
        this.config = config;
        this.repository = repository;
        this.refusals = refusals;
    }

    /**
     * An image about to be stored: {@code id} is its row's (a generation's row may exist already: it is counted as
     * this claim, not twice), {@code bytes} its size. The reservation lasts until {@code expiresAt} (Unix s).
     */
    public record Claim(String id, String sessionId, String personaId, long bytes, long expiresAt) {

        /** A claim held for {@link #HOLD} from now. */
        public static Claim held(String id, String sessionId, String personaId, long bytes) {
            return new Claim(id, sessionId, personaId, bytes, now() + HOLD.toSeconds());
        }
    }

    /** Whether any image or byte cap applies to an image of this session and persona. */
    private boolean imageCaps(String sessionId) {
        return config.personaImages() > 0 || config.personaBytes() > 0
                || sessionId != null && (config.sessionImages() > 0 || config.sessionBytes() > 0);
    }

    /**
     * Reserves room for the claimed image, or throws {@link QuotaExceededException} naming the first full cap.
     * Returns the reservation ({@code held} false when no cap applies); release it with {@link #releaseLater}.
     */
    public Reservation reserve(Claim claim, QuotaEndpoint endpoint) {
        if (!imageCaps(claim.sessionId())) {
            return new Reservation(claim.id(), false);
        }
        long now = now();
        repository.inTransaction(c -> {
            begin(c, claim.sessionId(), claim.personaId(), now);
            // Written before anything is read: on SQLite this first write takes the database's write lock.
            repository.hold(c, claim.id(), claim.sessionId(), claim.personaId(), claim.bytes(), claim.expiresAt());
            check(c, claim, claim.bytes(), endpoint, now);
            return null;
        });
        return new Reservation(claim.id(), true);
    }

    /** The room held for image {@code id}; nothing was written when {@code held} is false. */
    public record Reservation(String id, boolean held) {
    }

    /**
     * Refuses at once when a cap is already full, before an image is fetched: a cheap early answer, not a reservation
     * (the image's own {@link #reserve} decides once its size is known).
     */
    public void precheck(String sessionId, String personaId, QuotaEndpoint endpoint) {
        if (!imageCaps(sessionId)) {
            return;
        }
        long now = now();
        repository.inTransaction(c -> {
            check(c, new Claim("", sessionId, personaId, 1, now), 1, endpoint, now);
            return null;
        });
    }

    /** {@link #precheck} off the event loop; no hop at all when no cap applies. */
    public Uni<Void> precheckLater(String sessionId, String personaId, QuotaEndpoint endpoint) {
        return imageCaps(sessionId) ? Blocking.run(() -> precheck(sessionId, personaId, endpoint))
                : Uni.createFrom().voidItem();
    }

    /**
     * Admits a generation: in one transaction, room for one more image (and at least one byte), one generation of
     * today's allowance, and the {@code generating} row itself. Refused before the provider is called, with nothing
     * written. Without any cap this is just the row's insert.
     */
    public void admitGeneration(NewImageRow pending) {
        String session = pending.owner().sessionId();
        boolean daily = session != null && config.sessionGenerationsPerDay() > 0;
        if (!daily && !imageCaps(session)) {
            repository.inTransaction(c -> ImageRepository.insertGenerating(c, pending));
            return;
        }
        long now = now();
        long day = Math.floorDiv(now, DAY_SECONDS);
        repository.inTransaction(c -> {
            begin(c, session, pending.personaId(), now);
            // The row first (on SQLite the write that takes the lock); a refusal rolls it back.
            ImageRepository.insertGenerating(c, pending);
            if (imageCaps(session)) {
                check(c, new Claim(pending.id(), session, pending.personaId(), 0, now), 1, QuotaEndpoint.GENERATE, now);
            }
            if (daily) {
                long cap = config.sessionGenerationsPerDay();
                if (!repository.takeGeneration(c, session, day, cap)) {
                    throw refusals.refuse(Quota.SESSION_GENERATIONS, session, cap, repository.generations(c, session, day),
                            Instant.ofEpochSecond((day + 1) * DAY_SECONDS), QuotaEndpoint.GENERATE);
                }
                refusals.passed(Quota.SESSION_GENERATIONS, session);
            }
            return null;
        });
    }

    /** Drops the reservation of image {@code id}; a failure only leaves it to expire. */
    public void release(String id) {
        try {
            repository.release(id);
        } catch (RuntimeException e) {
            LOG.warnf("Quota reservation of image %s stays until it expires: %s", id, e.getMessage());
        }
    }

    /** {@link #releaseLater(String)} of a reservation, when one was written. */
    public Uni<Void> releaseLater(Reservation reservation) {
        return reservation.held() ? releaseLater(reservation.id()) : Uni.createFrom().voidItem();
    }

    /** {@link #release} off the event loop, never failing; nothing to do while every image cap is off. */
    public Uni<Void> releaseLater(String id) {
        boolean any = config.sessionImages() > 0 || config.sessionBytes() > 0 || config.personaImages() > 0
                || config.personaBytes() > 0;
        return any ? Blocking.run(() -> release(id)) : Uni.createFrom().voidItem();
    }

    /**
     * Serializes decisions on this session and persona (on PostgreSQL; on SQLite the caller's first write does), and
     * now and then deletes what decides nothing any more.
     */
    private void begin(Connection c, String sessionId, String personaId, long now) throws SQLException {
        List<String> keys = new ArrayList<>();
        keys.add("persona\0" + personaId);
        if (sessionId != null) {
            keys.add("session\0" + sessionId);
        }
        repository.lock(c, keys);
        if (now - purgedAt >= PURGE_INTERVAL_SECONDS) {
            purgedAt = now;
            repository.purgeExpired(c, now);
            repository.purgeDaysBefore(c, Math.floorDiv(now, DAY_SECONDS));
        }
    }

    /** Throws the refusal of the first cap that {@code claim}, one more image of {@code bytes}, would cross. */
    private void check(Connection c, Claim claim, long bytes, QuotaEndpoint endpoint, long now) throws SQLException {
        if (claim.sessionId() != null) {
            checkScope(c, Scope.SESSION, claim.sessionId(), claim.id(), bytes, config.sessionImages(),
                    config.sessionBytes(), endpoint, now);
        }
        checkScope(c, Scope.PERSONA, claim.personaId(), claim.id(), bytes, config.personaImages(),
                config.personaBytes(), endpoint, now);
    }

    private void checkScope(Connection c, Scope scope, String key, String ownId, long bytes, long imageCap,
            long byteCap, QuotaEndpoint endpoint, long now) throws SQLException {
        if (imageCap <= 0 && byteCap <= 0) {
            return;
        }
        Quota imageQuota = scope == Scope.SESSION ? Quota.SESSION_IMAGES : Quota.PERSONA_IMAGES;
        Quota byteQuota = scope == Scope.SESSION ? Quota.SESSION_BYTES : Quota.PERSONA_BYTES;
        long staleBefore = now - HOLD.toSeconds();
        Usage usage = repository.usage(c, scope, key, ownId, now, staleBefore);
        if (imageCap > 0 && usage.imageCount() + 1 > imageCap) {
            throw refusals.refuse(imageQuota, key, imageCap, usage.imageCount(), null, endpoint);
        }
        if (byteCap > 0) {
            long used = usage.knownBytes() + usage.legacyBound() + usage.reservedBytes();
            if (used + bytes > byteCap && usage.legacyRows() > 0) {
                // The bound of legacy rows is not enough: their exact size, read from their base64.
                used = usage.knownBytes() + repository.legacyBytes(c, scope, key, staleBefore) + usage.reservedBytes();
            }
            if (used + bytes > byteCap) {
                throw refusals.refuse(byteQuota, key, byteCap, used, null, endpoint);
            }
            refusals.passed(byteQuota, key);
        }
        if (imageCap > 0) {
            refusals.passed(imageQuota, key);
        }
    }

    static long now() {
        return Instant.now().getEpochSecond();
    }
}
