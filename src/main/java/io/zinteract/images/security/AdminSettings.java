package io.zinteract.images.security;

import io.zinteract.images.config.SettingsCheck;
import jakarta.enterprise.context.ApplicationScoped;

/** A short admin key would be guessed; refuse it at start rather than accept it. */
@ApplicationScoped
class AdminSettings implements SettingsCheck {

    private final AdminConfig admin;

    AdminSettings(AdminConfig admin) {
        this.admin = admin;
    }

    @Override
    public int order() {
        return 400;
    }

    @Override
    public String problem() {
        if (!SettingsCheck.blank(admin.apiKey()) && admin.apiKey().get().trim().length() < 16) {
            return "ADMIN_API_KEY must be at least 16 characters (e.g. openssl rand -hex 32)";
        }
        return null;
    }
}
