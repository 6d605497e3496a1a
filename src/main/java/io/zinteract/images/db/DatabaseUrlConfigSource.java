package io.zinteract.images.db;

import org.eclipse.microprofile.config.spi.ConfigSource;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Chooses the database at run time from {@code DATABASE_URL}, so one artifact serves both: unset, the embedded SQLite
 * datasource is used; {@code postgresql://user:password@host:port/db?params} (or {@code jdbc:postgresql://...})
 * activates the PostgreSQL datasource and deactivates SQLite. Both datasources are in the build because a
 * datasource's kind is fixed at build time in Quarkus; only one is active.
 */
public class DatabaseUrlConfigSource implements ConfigSource {

    /** The named datasource that serves PostgreSQL. */
    public static final String POSTGRESQL = "postgresql";

    private final Map<String, String> properties;

    public DatabaseUrlConfigSource() {
        String url = System.getenv("DATABASE_URL");
        if (url == null || url.isBlank()) {
            url = System.getProperty("DATABASE_URL");
        }
        this.properties = url == null || url.isBlank() ? Map.of() : fromUrl(url.trim());
    }

    /** The datasource properties a {@code DATABASE_URL} stands for. */
    static Map<String, String> fromUrl(String url) {
        String raw = url.startsWith("jdbc:") ? url.substring("jdbc:".length()) : url;
        URI uri = URI.create(raw);
        String scheme = uri.getScheme();
        if (!"postgresql".equals(scheme) && !"postgres".equals(scheme)) {
            throw new IllegalArgumentException("DATABASE_URL must start with postgresql:// (or jdbc:postgresql://)");
        }
        if (uri.getHost() == null || uri.getPath() == null || uri.getPath().length() < 2) {
            throw new IllegalArgumentException("DATABASE_URL must name a host and a database: postgresql://user:password@host:5432/db");
        }
        Map<String, String> p = new HashMap<>();
        String jdbc = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + uri.getRawPath()
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        p.put("quarkus.datasource." + POSTGRESQL + ".jdbc.url", jdbc);
        if (uri.getRawUserInfo() != null) {
            String[] userInfo = uri.getRawUserInfo().split(":", 2);
            p.put("quarkus.datasource." + POSTGRESQL + ".username", decode(userInfo[0]));
            if (userInfo.length == 2) {
                p.put("quarkus.datasource." + POSTGRESQL + ".password", decode(userInfo[1]));
            }
        }
        p.put("quarkus.datasource." + POSTGRESQL + ".active", "true");
        p.put("quarkus.datasource.active", "false");
        return Map.copyOf(p);
    }

    private static String decode(String value) {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }

    @Override
    public Map<String, String> getProperties() {
        return properties;
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return "DATABASE_URL";
    }

    /** Above application.properties (250), below environment variables (300), so an explicit setting still wins. */
    @Override
    public int getOrdinal() {
        return 275;
    }
}
