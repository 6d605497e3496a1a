package io.zinteract.images.migration.engine;

import io.zinteract.images.migration.job.Claim;

/**
 * This replica no longer holds a claim: its lease ran out and another replica took the work over. Whatever this
 * replica was about to commit for the claim is rolled back; the new holder does it.
 */
class ClaimLostException extends RuntimeException {

    ClaimLostException(Claim claim) {
        super("claim on batch " + claim.batchNo() + " of job " + claim.jobId() + " was taken over by another replica");
    }
}
