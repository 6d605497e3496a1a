package io.zinteract.images.quota;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Every quota case on PostgreSQL, where READ COMMITTED would let two concurrent checks both see room: the decisions
 * on one session or persona are serialized by transaction advisory locks, and the parallel uploads prove it.
 */
@QuarkusTest
@TestProfile(QuotaProfiles.PostgresCaps.class)
class QuotaPostgresTest extends QuotaTest {
}
