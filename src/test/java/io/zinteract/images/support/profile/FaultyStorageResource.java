package io.zinteract.images.support.profile;

import io.zinteract.images.support.server.FaultProxy;
import java.util.HashMap;
import java.util.Map;

/** S3Proxy with a {@link FaultProxy} in front of it; the service talks to the proxy. */
public class FaultyStorageResource extends S3ProxyResource {

    private static volatile FaultProxy proxy;

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        proxy = new FaultProxy(current().port()).start();
        config.put("r2.endpoint", proxy.endpoint());
        return config;
    }

    @Override
    public void stop() {
        if (proxy != null) {
            proxy.close();
        }
        super.stop();
    }

    public static FaultProxy faults() {
        return proxy;
    }
}
