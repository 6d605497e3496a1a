package io.zinteract.images.bucket;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same cases against the packaged application, where the SDK's threads and class loading differ. */
@QuarkusIntegrationTest
class BucketCorsIT extends BucketCorsTest {
}
