package io.tidegate.health;

/** What one probe or one proxied request says about a node. */
public enum Outcome {
    SUCCESS, HTTP_FAILURE, TCP_FAILURE, TIMEOUT;

    public boolean failure() {
        return this != SUCCESS;
    }
}
