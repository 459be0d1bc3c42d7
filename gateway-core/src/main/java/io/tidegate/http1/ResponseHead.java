package io.tidegate.http1;

/**
 * The start line of an upstream response; its fields went into the header map given to
 * {@link ResponseHeadReader#parse}.
 *
 * @param http11 whether the upstream spoke HTTP/1.1 (else 1.0, whose connections do not persist
 *               by default)
 */
public record ResponseHead(int status, String reason, boolean http11) {
    /** 1xx other than 101: an interim response, followed by the real one. */
    public boolean interim() {
        return status >= 100 && status < 200 && status != 101;
    }
}
