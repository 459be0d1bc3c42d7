package io.tidegate.route;

import io.tidegate.plugin.api.IpRange;

import java.net.InetAddress;
import java.util.Map;

/** A request for router unit tests: no server involved. */
record FakeRequest(String host, String path, String method, InetAddress clientAddress, Map<String, String> vars)
        implements MatchRequest {
    static FakeRequest get(String host, String path) {
        return new FakeRequest(host, path, "GET", IpRange.parseLiteral("127.0.0.1"), Map.of());
    }

    FakeRequest withMethod(String m) {
        return new FakeRequest(host, path, m, clientAddress, vars);
    }

    FakeRequest from(String ip) {
        return new FakeRequest(host, path, method, IpRange.parseLiteral(ip), vars);
    }

    FakeRequest withVars(Map<String, String> v) {
        return new FakeRequest(host, path, method, clientAddress, v);
    }

    @Override
    public String variable(String name) {
        return vars.get(name);
    }
}
