package io.zinteract.images.config;

import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.util.Comparator;
import java.util.List;

/**
 * Refuses to start on missing or contradictory settings, with one line that names the environment variable to fix,
 * instead of failing later on the first request. The rules live with each feature ({@link SettingsCheck}); this
 * runs them in their order and reports the first problem.
 */
@ApplicationScoped
public class StartupValidator {

    private final List<SettingsCheck> checks;

    @Inject
    public StartupValidator(@Any Instance<SettingsCheck> checks) {
        this(checks.stream().toList());
    }

    StartupValidator(List<SettingsCheck> checks) {
        this.checks = checks.stream().sorted(Comparator.comparingInt(SettingsCheck::order)).toList();
    }

    public void validate() {
        String problem = firstProblem();
        if (problem != null) {
            throw new InvalidConfigurationException(problem);
        }
    }

    /** The first problem found, or null when the settings are usable. Package-private for tests. */
    String firstProblem() {
        for (SettingsCheck check : checks) {
            String problem = check.problem();
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /**
     * Thrown at start when a setting cannot work; its message is the one line operators see. Being a Quarkus
     * {@link ConfigurationException}, a failed start prints just that line on stderr, with no stack trace.
     */
    public static class InvalidConfigurationException extends ConfigurationException {
        public InvalidConfigurationException(String problem) {
            super("Invalid configuration: " + problem);
        }
    }
}
