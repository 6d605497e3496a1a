package io.zinteract.images.support;

import io.restassured.http.Header;

/** The admin key every test profile configures, and the header that presents it. */
public final class Admin {

    public static final String KEY = "test-admin-key-0123456789";

    private Admin() {
    }

    public static Header auth() {
        return new Header("Authorization", "Bearer " + KEY);
    }
}
