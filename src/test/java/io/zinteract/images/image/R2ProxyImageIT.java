package io.zinteract.images.image;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** Streaming from the bucket through the packaged application. */
@QuarkusIntegrationTest
class R2ProxyImageIT extends R2ProxyImageTest {
}
