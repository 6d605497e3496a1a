package io.zinteract.images.support.profile;

import io.zinteract.images.support.Admin;
import io.zinteract.images.support.server.S3rverProcess;
import io.zinteract.images.support.server.S3TestProxy;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Points the service at a real s3rver through a {@link S3TestProxy}, with a database of its own: the store for
 * tests of bucket-level calls that S3Proxy does not implement (PutBucketCors answers 501 there). Tests reach the
 * proxy's record through {@link #proxy()} and s3rver itself, bypassing the proxy, through {@link #s3rverEndpoint()}.
 */
public class S3rverResource implements QuarkusTestResourceLifecycleManager {

    public static final String BUCKET = "test-images";
    private static volatile S3TestProxy proxy;
    private static volatile String s3rverEndpoint;

    private S3rverProcess s3rver;
    private S3TestProxy recorder;

    @Override
    public Map<String, String> start() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        s3rver = new S3rverProcess(Path.of("target", "s3rver-data", run).toAbsolutePath(), BUCKET).start();
        recorder = S3TestProxy.to(s3rver.port()).recordBodies().start();
        proxy = recorder;
        s3rverEndpoint = s3rver.endpoint();
        Map<String, String> config = new HashMap<>();
        config.put("r2.endpoint", recorder.endpoint());
        config.put("r2.access-key-id", S3rverProcess.ACCESS_KEY);
        config.put("r2.secret-access-key", S3rverProcess.SECRET_KEY);
        config.put("r2.bucket", BUCKET);
        config.put("admin.api-key", Admin.KEY);
        config.put("images.sqlite-path", Path.of("target", "test-db", run, "images.db").toAbsolutePath().toString());
        return config;
    }

    @Override
    public void stop() {
        if (recorder != null) {
            recorder.close();
        }
        if (s3rver != null) {
            s3rver.close();
        }
    }

    public static S3TestProxy proxy() {
        return proxy;
    }

    public static String s3rverEndpoint() {
        return s3rverEndpoint;
    }
}
