package io.zinteract.images.variant;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same cases against the packaged application: the WebP encoder's native library loads from the jar. */
@QuarkusIntegrationTest
class VariantEagerIT extends VariantEagerTest {
}
