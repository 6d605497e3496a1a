package io.zinteract.images.image;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same cases against the packaged application, where class loading and config differ from the test JVM. */
@QuarkusIntegrationTest
class R2StorageImageIT extends R2StorageImageTest {
}
