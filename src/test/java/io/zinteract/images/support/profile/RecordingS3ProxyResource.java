package io.zinteract.images.support.profile;

import io.quarkus.arc.Arc;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.zinteract.images.support.server.S3TestProxy;
import java.util.Map;

/**
 * S3Proxy with a {@link S3TestProxy} in front: the service talks to the proxy, tests check what it sent. Init arg
 * {@code sseC=true} configures {@link #SSE_C_KEY} on the service and has the proxy demand it on every object call
 * (S3Proxy then runs without signature checks, since the proxy strips signed headers on the way).
 */
public class RecordingS3ProxyResource extends S3ProxyResource {

    /** Base64 of 32 fixed bytes: the SSE-C key of the SSE-C profile. */
    public static final String SSE_C_KEY = java.util.Base64.getEncoder()
            .encodeToString("0123456789abcdef0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    private static volatile S3TestProxy recorder;
    private boolean sseC;
    private S3TestProxy proxy;

    @Override
    public void init(Map<String, String> initArgs) {
        super.init(initArgs);
        sseC = Boolean.parseBoolean(initArgs.getOrDefault("sseC", "false"));
    }

    @Override
    protected boolean verifySignatures() {
        return !sseC;
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = super.start();
        proxy = S3TestProxy.to(current().port()).sseCKey(sseC ? SSE_C_KEY : null).start();
        recorder = proxy;
        config.put("r2.endpoint", proxy.endpoint());
        if (sseC) {
            config.put("r2.sse-c-key", SSE_C_KEY);
        }
        return config;
    }

    @Override
    public void stop() {
        if (proxy != null) {
            proxy.close();
        }
        super.stop();
    }

    /** The proxy of the running profile. */
    public static S3TestProxy recorder() {
        return recorder;
    }

    /**
     * What each test of a proxied profile starts from: the proxy forwarding everything with nothing recorded, and the
     * circuit breakers closed (an earlier test's faults may have opened them).
     */
    public static S3TestProxy freshProxy() {
        Arc.container().instance(CircuitBreakerMaintenance.class).get().resetAll();
        recorder.reset();
        return recorder;
    }
}
