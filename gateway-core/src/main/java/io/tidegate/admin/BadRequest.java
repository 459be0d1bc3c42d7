package io.tidegate.admin;

/** The request cannot be used at all: answered 400 with the reason. */
final class BadRequest extends RuntimeException {
    BadRequest(String message) {
        super(message);
    }
}
