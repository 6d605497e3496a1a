package io.zinteract.images.image;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.zinteract.images.support.Profiles;

/** Every base64-storage case again, on PostgreSQL: the same SQL and Flyway history serve both databases. */
@QuarkusTest
@TestProfile(Profiles.PostgresBase64.class)
class PostgresBase64ImageTest extends Base64StorageImageTest {
}
