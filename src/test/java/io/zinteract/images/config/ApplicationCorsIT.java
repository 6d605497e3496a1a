package io.zinteract.images.config;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The packaged application also turns the CORS filter on from cors.origins (the config source factory is a service). */
@QuarkusIntegrationTest
class ApplicationCorsIT extends ApplicationCorsTest {
}
