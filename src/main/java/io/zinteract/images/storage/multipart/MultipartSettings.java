package io.zinteract.images.storage.multipart;

import io.zinteract.images.config.ServiceConfig;
import io.zinteract.images.config.SettingsCheck;
import jakarta.enterprise.context.ApplicationScoped;

/** Multipart sizes within R2's limits: parts of 5 MiB to 5 GiB, and no single PUT above 5 GiB. */
@ApplicationScoped
class MultipartSettings implements SettingsCheck {

    /** R2's limit for one PUT. */
    private static final long MAX_SINGLE_PUT = 5L * 1024 * 1024 * 1024;

    private final ServiceConfig service;

    MultipartSettings(ServiceConfig service) {
        this.service = service;
    }

    /** After the connection and SSE-C settings ({@code StorageSettings}, 100). */
    @Override
    public int order() {
        return 150;
    }

    @Override
    public String problem() {
        ServiceConfig.Multipart multipart = service.multipart();
        if (multipart.threshold() < PartPlan.MIN_PART || multipart.threshold() > MAX_SINGLE_PUT) {
            return "MULTIPART_THRESHOLD must be between " + PartPlan.MIN_PART + " (5 MiB) and " + MAX_SINGLE_PUT
                    + " (5 GiB, R2's limit for one PUT)";
        }
        if (multipart.partSize() < PartPlan.MIN_PART || multipart.partSize() > PartPlan.MAX_PART) {
            return "MULTIPART_PART_SIZE must be between " + PartPlan.MIN_PART + " (5 MiB) and " + PartPlan.MAX_PART
                    + " (5 GiB), R2's part limits";
        }
        return null;
    }
}
