package io.zinteract.images.support;

import io.zinteract.images.support.profile.S3ProxyResource;
import io.zinteract.images.support.server.S3ProxyProcess;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * A plain S3 client, built apart from the service's, so tests check what is really in the bucket rather than what
 * the service says is there.
 */
public final class BucketClient implements AutoCloseable {

    private final S3Client s3;
    private final String bucket;

    public BucketClient(String endpoint, String bucket) {
        this.bucket = bucket;
        this.s3 = S3Client.builder().endpointOverride(URI.create(endpoint)).region(Region.of("auto"))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3ProxyProcess.IDENTITY, S3ProxyProcess.CREDENTIAL)))
                .forcePathStyle(true).httpClient(ApacheHttpClient.create()).build();
    }

    public static BucketClient forCurrentProxy() {
        return new BucketClient(S3ProxyResource.current().endpoint(), S3ProxyResource.BUCKET);
    }

    public ResponseBytes<GetObjectResponse> get(String key) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
    }

    /** SHA-256 (hex) of an object, read as a stream: for objects too large to hold in a test. */
    public String sha256(String key) {
        java.security.MessageDigest digest = BigImages.sha256();
        try (var in = s3.getObject(b -> b.bucket(bucket).key(key))) {
            byte[] buffer = new byte[1 << 20];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return java.util.HexFormat.of().formatHex(digest.digest());
    }

    public Optional<HeadObjectResponse> head(String key) {
        try {
            return Optional.of(s3.headObject(b -> b.bucket(bucket).key(key)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    public void put(String key, byte[] bytes, String contentType) {
        s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType), RequestBody.fromBytes(bytes));
    }

    public void delete(String key) {
        s3.deleteObject(b -> b.bucket(bucket).key(key));
    }

    public List<S3Object> list(String prefix) {
        return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream().toList();
    }

    /** Multipart uploads started under {@code prefix} and neither completed nor aborted. */
    public List<software.amazon.awssdk.services.s3.model.MultipartUpload> unfinishedUploads(String prefix) {
        return s3.listMultipartUploads(b -> b.bucket(bucket).prefix(prefix)).uploads();
    }

    @Override
    public void close() {
        s3.close();
    }
}
