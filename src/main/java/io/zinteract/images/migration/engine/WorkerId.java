package io.zinteract.images.migration.engine;

import jakarta.enterprise.context.ApplicationScoped;

import java.net.InetAddress;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * This replica's name in claims and job shares: {@code MIGRATION_WORKER_ID}, or host, process id and a random suffix.
 * The suffix keeps two processes apart even where host names and pids repeat (containers with pid 1 on one host name).
 */
@ApplicationScoped
class WorkerId {

    private final String value;

    WorkerId(MigrationConfig config) {
        this.value = config.workerId().map(String::trim).filter(s -> !s.isEmpty()).orElseGet(WorkerId::generated);
    }

    public String value() {
        return value;
    }

    static String generated() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "replica";
            }
        }
        byte[] random = new byte[2];
        ThreadLocalRandom.current().nextBytes(random);
        String id = host + "-" + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(random);
        return id.length() > 100 ? id.substring(id.length() - 100) : id;
    }

    @Override
    public String toString() {
        return value;
    }
}
