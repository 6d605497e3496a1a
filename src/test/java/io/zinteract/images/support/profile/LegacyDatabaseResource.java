package io.zinteract.images.support.profile;

import io.zinteract.images.support.LegacyDatabase;
import java.nio.file.Path;
import java.util.Map;

/** S3Proxy plus a database file written by "the legacy app" before the service first starts on it. */
public class LegacyDatabaseResource extends S3ProxyResource {

    @Override
    public Map<String, String> start() {
        Map<String, String> config = super.start();
        try {
            LegacyDatabase.create(Path.of(config.get("images.sqlite-path")));
        } catch (Exception e) {
            throw new IllegalStateException("could not write the legacy database", e);
        }
        return config;
    }
}
