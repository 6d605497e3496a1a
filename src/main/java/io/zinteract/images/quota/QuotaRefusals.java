package io.zinteract.images.quota;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a cap that is full into the 429 answer, counts it ({@code quota_refused_total{quota,endpoint}}) and logs a
 * session or persona once when it reaches a cap, not on every refused request: the holders already logged are kept
 * in a bounded, least-recently-used set, and dropped from it when a later request of theirs passes again.
 */
@ApplicationScoped
class QuotaRefusals {

    private static final Logger LOG = Logger.getLogger(QuotaRefusals.class);
    static final int LOGGED_HOLDERS = 10_000;

    private final MeterRegistry registry;
    private final Map<String, Boolean> logged;

    @Inject
    QuotaRefusals(MeterRegistry registry) {
        this(registry, LOGGED_HOLDERS);
    }

    QuotaRefusals(MeterRegistry registry, int bound) {
        this.registry = registry;
        this.logged = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > bound;
            }
        };
    }

    /** The refusal of {@code quota} for {@code key}, already counted and, the first time, logged. */
    QuotaExceededException refuse(Quota quota, String key, long limit, long used, Instant resetsAt,
            QuotaEndpoint endpoint) {
        registry.counter("quota.refused", "quota", quota.wire(), "endpoint", endpoint.wire()).increment();
        String holder = (quota.session() ? "session " : "persona ") + key;
        String what = quota == Quota.SESSION_GENERATIONS ? "generations today" : quota.bytes() ? "bytes" : "images";
        boolean first;
        synchronized (logged) {
            first = logged.put(quota.wire() + "\0" + key, Boolean.TRUE) == null;
        }
        if (first) {
            LOG.infof("Quota %s reached by %s: %d %s of %d; refusing until %s", quota.wire(), holder, used, what, limit,
                    resetsAt != null ? resetsAt : "images are deleted");
        }
        Map<String, Object> members = new LinkedHashMap<>();
        members.put("quota", quota.wire());
        members.put(quota.session() ? "sessionId" : "personaId", key);
        members.put("limit", limit);
        members.put("used", used);
        members.put("resetsAt", resetsAt == null ? null : resetsAt.toString());
        String detail = holder + " has used " + used + " " + what + " of its quota of " + limit
                + (resetsAt != null ? "; the quota resets at " + resetsAt + " (UTC midnight)"
                        : "; deleting images of this " + (quota.session() ? "session" : "persona") + " frees room")
                + "; nothing was stored";
        Long retryAfter = resetsAt == null ? null
                : Math.max(1, resetsAt.getEpochSecond() - Instant.now().getEpochSecond());
        return new QuotaExceededException(detail, members, retryAfter);
    }

    /** How many holders are remembered as logged; for tests. */
    int loggedHolders() {
        synchronized (logged) {
            return logged.size();
        }
    }

    /** {@code key} passed {@code quota}: its next refusal is a new crossing, logged again. */
    void passed(Quota quota, String key) {
        synchronized (logged) {
            logged.remove(quota.wire() + "\0" + key);
        }
    }
}
