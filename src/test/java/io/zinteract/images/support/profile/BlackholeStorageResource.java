package io.zinteract.images.support.profile;

import io.zinteract.images.support.server.S3ProxyProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A store that accepts connections and never answers: the worst case for a probe, which must still come back DOWN
 * within its time-out instead of hanging.
 */
public class BlackholeStorageResource implements QuarkusTestResourceLifecycleManager {

    private ServerSocket server;
    private final List<Socket> held = new CopyOnWriteArrayList<>();

    @Override
    public Map<String, String> start() {
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    held.add(server.accept());
                } catch (IOException closed) {
                    return;
                }
            }
        }, "blackhole-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        String run = UUID.randomUUID().toString().substring(0, 8);
        return Map.of(
                "r2.endpoint", "http://127.0.0.1:" + server.getLocalPort(),
                "r2.access-key-id", S3ProxyProcess.IDENTITY,
                "r2.secret-access-key", S3ProxyProcess.CREDENTIAL,
                "images.sqlite-path", Path.of("target", "test-db", run, "images.db").toAbsolutePath().toString(),
                "images.health.r2-timeout", "PT1S");
    }

    @Override
    public void stop() {
        try {
            server.close();
            for (Socket socket : held) {
                socket.close();
            }
        } catch (IOException ignored) {
            // closing at the end of the tests
        }
    }
}
