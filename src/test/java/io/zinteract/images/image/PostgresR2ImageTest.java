package io.zinteract.images.image;

import io.zinteract.images.support.profile.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The R2-storage cases again, on PostgreSQL. */
@QuarkusTest
@TestProfile(Profiles.PostgresR2.class)
class PostgresR2ImageTest extends R2StorageImageTest {
}
