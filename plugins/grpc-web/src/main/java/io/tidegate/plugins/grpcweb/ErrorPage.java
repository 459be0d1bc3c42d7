package io.tidegate.plugins.grpcweb;

import io.tidegate.plugin.api.PhaseResult;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The plain HTML error page APISIX (nginx) answers a bare status with, as its tests expect ({@code text/html}). */
final class ErrorPage {
    private ErrorPage() {}

    static PhaseResult of(int status) {
        String title = status + " " + switch (status) {
            case 400 -> "Bad Request";
            case 405 -> "Not Allowed";
            default -> "Error";
        };
        String page = "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title
                + "</h1></center>\r\n</body>\r\n</html>\r\n";
        return PhaseResult.respond(status, Map.of("Content-Type", "text/html"), page.getBytes(StandardCharsets.US_ASCII));
    }
}
