package io.zinteract.images.storage.client;

import io.zinteract.images.storage.StorageNotConfiguredException;
import io.zinteract.images.storage.R2Config;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.net.URI;
import java.time.Duration;

/**
 * Builds the S3 clients the way R2 needs them, over the extension's builder (which carries the aws-crt HTTP client
 * settings); these beans replace the extension's default ones. They are application-scoped, so they are built on
 * first use: the service starts, and serves base64 images, when no R2 account is configured, and
 * {@link R2Storage} never touches them then. With an account, {@link ClientWarmUp} builds the async client during the
 * start, beside the schema migration.
 *
 * <p>R2 refuses the CRC32 checksums that SDK 2.30+ sends by default, so checksums are only computed where an
 * operation requires one, and {@link LegacyMd5Plugin} sends Content-MD5 there instead. The service configuration
 * is replaced as a whole because the extension already sets a checksum option on it and the SDK refuses the option
 * on both levels; the one setting of it that operators may change, {@code quarkus.s3.chunked-encoding}, is carried over.
 * Do not turn chunked encoding off with aws-crt over plain HTTP: every PUT then hangs. Retries are ours (SmallRye Fault Tolerance in {@link R2Storage}), so the SDK does none.
 *
 * <p>The aws-crt HTTP client is built here too, because the extension cannot set its read buffer: the SDK's 16 MiB
 * would be held per slowly read streamed image ({@code R2_READ_BUFFER_BYTES}). The extension's
 * {@code quarkus.s3.async-client} max-concurrency, connection-timeout and connection-max-idle-time are carried over;
 * its proxy and TCP keep-alive settings are not (R2 is reached directly).
 */
@ApplicationScoped
class R2ClientFactory {

    @Produces
    @ApplicationScoped
    S3AsyncClient r2Client(S3AsyncClientBuilder builder, R2Config config,
            @ConfigProperty(name = "quarkus.s3.chunked-encoding", defaultValue = "true") boolean chunkedEncoding,
            @ConfigProperty(name = "quarkus.s3.async-client.max-concurrency", defaultValue = "50") int maxConcurrency,
            @ConfigProperty(name = "quarkus.s3.async-client.connection-timeout", defaultValue = "10S") Duration connectTimeout,
            @ConfigProperty(name = "quarkus.s3.async-client.connection-max-idle-time", defaultValue = "5S") Duration maxIdle) {
        ClientOverrideConfiguration.Builder override = builder.overrideConfiguration() == null
                ? ClientOverrideConfiguration.builder()
                : builder.overrideConfiguration().toBuilder();
        override.retryPolicy(RetryPolicy.none()).apiCallTimeout(config.callTimeout());
        return builder
                .httpClientBuilder(AwsCrtAsyncHttpClient.builder().readBufferSizeInBytes(config.readBufferBytes())
                        .maxConcurrency(maxConcurrency).connectionTimeout(connectTimeout).connectionMaxIdleTime(maxIdle))
                .endpointOverride(endpoint(config))
                .region(Region.of(config.region()))
                .credentialsProvider(credentials(config))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true)
                        .chunkedEncodingEnabled(chunkedEncoding).build())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .addPlugin(LegacyMd5Plugin.create())
                .addPlugin(Md5InsteadOfChecksumsPlugin.create())
                .overrideConfiguration(override.build())
                .build();
    }

    @Produces
    @ApplicationScoped
    S3Presigner r2Presigner(R2Config config) {
        return S3Presigner.builder()
                .endpointOverride(endpoint(config))
                .region(Region.of(config.region()))
                .credentialsProvider(credentials(config))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build();
    }

    void closeClient(@Disposes S3AsyncClient client) {
        client.close();
    }

    void closePresigner(@Disposes S3Presigner presigner) {
        presigner.close();
    }

    private static URI endpoint(R2Config config) {
        return URI.create(config.effectiveEndpoint().orElseThrow(StorageNotConfiguredException::new));
    }

    private static StaticCredentialsProvider credentials(R2Config config) {
        if (!config.configured()) {
            throw new StorageNotConfiguredException();
        }
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(
                config.accessKeyId().orElseThrow().trim(), config.secretAccessKey().orElseThrow().trim()));
    }
}
