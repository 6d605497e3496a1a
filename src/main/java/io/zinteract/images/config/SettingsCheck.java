package io.zinteract.images.config;

import java.util.Optional;

/**
 * One feature's check of its own settings at start. {@link StartupValidator} runs every check in {@link #order()} and
 * refuses to start on the first problem, so each feature keeps its rules beside its settings.
 */
public interface SettingsCheck {

    /** The one line that names the environment variable to fix, or null when this feature's settings are usable. */
    String problem();

    /** Lower runs first, so a start refused for two reasons always names the same one. */
    int order();

    /** Unset, empty and blank all mean "not given", as they do for an environment variable. */
    static boolean blank(Optional<String> value) {
        return value.filter(s -> !s.isBlank()).isEmpty();
    }
}
