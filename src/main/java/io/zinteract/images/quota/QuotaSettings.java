package io.zinteract.images.quota;

import io.zinteract.images.config.SettingsCheck;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.Map;

/** A cap is a count: 0 (off) or more. A negative one is a typo that must not silently mean "unlimited". */
@ApplicationScoped
class QuotaSettings implements SettingsCheck {

    private final QuotaConfig config;

    QuotaSettings(QuotaConfig config) {
        this.config = config;
    }

    @Override
    public int order() {
        return 800;
    }

    @Override
    public String problem() {
        Map<String, Long> caps = new LinkedHashMap<>();
        caps.put("QUOTA_SESSION_IMAGES", config.sessionImages());
        caps.put("QUOTA_SESSION_BYTES", config.sessionBytes());
        caps.put("QUOTA_PERSONA_IMAGES", config.personaImages());
        caps.put("QUOTA_PERSONA_BYTES", config.personaBytes());
        caps.put("QUOTA_SESSION_GENERATIONS_PER_DAY", config.sessionGenerationsPerDay());
        for (var cap : caps.entrySet()) {
            if (cap.getValue() < 0) {
                return cap.getKey() + " is " + cap.getValue() + "; a quota is 0 (off) or a positive number";
            }
        }
        return null;
    }
}
