package io.zinteract.images.image;

import io.zinteract.images.support.profile.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Every base64-storage case again, on PostgreSQL: the same SQL and Flyway history serve both databases. */
@QuarkusTest
@TestProfile(Profiles.PostgresBase64.class)
class PostgresBase64ImageTest extends Base64StorageImageTest {
}
