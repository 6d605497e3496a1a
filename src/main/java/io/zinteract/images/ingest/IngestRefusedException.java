package io.zinteract.images.ingest;

import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;

import java.util.Map;

/** A URL that was not fetched, or whose content was not accepted, and why; the code says which rule refused it. */
public class IngestRefusedException extends ApiException {

    public IngestRefusedException(ErrorCode code, String detail) {
        super(code, detail, Map.of());
    }
}
