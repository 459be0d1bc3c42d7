package io.tidegate.route;

import io.tidegate.plugin.api.IpRange;

import java.util.List;
import java.util.Set;

/** The checks a route makes after its host and path matched: methods, client address, vars. */
public final class RouteConditions {
    private final Set<String> methods;
    private final List<IpRange> remoteAddrs;
    private final List<VarCondition> vars;

    public RouteConditions(Set<String> methods, List<IpRange> remoteAddrs, List<VarCondition> vars) {
        this.methods = Set.copyOf(methods);
        this.remoteAddrs = List.copyOf(remoteAddrs);
        this.vars = List.copyOf(vars);
    }

    public boolean matches(MatchRequest request) {
        if (!methods.isEmpty() && !methods.contains(request.method())) {
            return false;
        }
        if (!remoteAddrs.isEmpty() && !anyContains(request)) {
            return false;
        }
        for (VarCondition var : vars) {
            if (!var.matches(request)) {
                return false;
            }
        }
        return true;
    }

    private boolean anyContains(MatchRequest request) {
        var address = request.clientAddress();
        for (IpRange range : remoteAddrs) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
