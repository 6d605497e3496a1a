package io.zinteract.images.db;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DatabaseUrlConfigSourceTest {

    @Test
    void aPostgresUrlActivatesThePostgresDatasourceOnly() {
        Map<String, String> p = DatabaseUrlConfigSource.fromUrl("postgresql://app:s%40cret@db.internal:6432/images?sslmode=require");
        assertEquals("jdbc:postgresql://db.internal:6432/images?sslmode=require", p.get("quarkus.datasource.postgresql.jdbc.url"));
        assertEquals("app", p.get("quarkus.datasource.postgresql.username"));
        assertEquals("s@cret", p.get("quarkus.datasource.postgresql.password"));
        assertEquals("true", p.get("quarkus.datasource.postgresql.active"));
        assertEquals("false", p.get("quarkus.datasource.active"));
    }

    @Test
    void jdbcFormAndNoCredentialsWork() {
        Map<String, String> p = DatabaseUrlConfigSource.fromUrl("jdbc:postgresql://127.0.0.1/test");
        assertEquals("jdbc:postgresql://127.0.0.1/test", p.get("quarkus.datasource.postgresql.jdbc.url"));
        assertEquals(null, p.get("quarkus.datasource.postgresql.username"));
    }

    @Test
    void otherDatabasesAreRefusedWithTheVariableNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> DatabaseUrlConfigSource.fromUrl("mysql://h/db"));
        assertEquals("DATABASE_URL must start with postgresql:// (or jdbc:postgresql://)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DatabaseUrlConfigSource.fromUrl("postgresql://host"));
    }
}
