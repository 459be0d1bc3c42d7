package io.tidegate.plugins.loggers;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * The settings both loggers share, as their configuration records bind them: what goes into an
 * entry ({@code log_format}) and which bodies, how much of them, for which requests.
 */
interface EntrySettings {
    /** Field name to value; null for APISIX's default entry. */
    Map<String, String> logFormat();

    boolean includeReqBody();

    /** Conditions in the form of a route's {@code vars}, or null (every request). */
    JsonNode includeReqBodyExpr();

    int maxReqBodyBytes();

    boolean includeRespBody();

    /** Conditions in the form of a route's {@code vars}, or null (every request). */
    JsonNode includeRespBodyExpr();

    int maxRespBodyBytes();
}
