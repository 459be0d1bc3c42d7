package io.tidegate.bench;

import io.tidegate.plugin.api.IpRange;
import io.tidegate.route.MatchRequest;
import io.tidegate.route.RouteConditions;
import io.tidegate.route.Router;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Route lookup time against the number of routes. Each route is {@code /svc{i}/items/*} with its
 * own host half of the time and a method condition, so the tree holds both static text and hosts.
 * A router whose cost grew with the route count would show it between 100 and 100,000 routes.
 *
 * <p>{@code java -jar bench/target/benchmarks.jar RouterBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RouterBenchmark {
    @Param({"100", "10000", "100000"})
    int routes;

    private Router<String> router;
    private Request hit;
    private Request miss;

    @Setup
    public void build() {
        Router.Builder<String> builder = Router.builder();
        RouteConditions getOnly = new RouteConditions(Set.of("GET"), List.<IpRange>of(), List.of());
        for (int i = 0; i < routes; i++) {
            List<String> hosts = i % 2 == 0 ? List.of("h" + i + ".example.com") : List.of();
            builder.add("r" + i, List.of("/svc" + i + "/items/*"), hosts, getOnly, 0);
        }
        router = builder.build();
        int target = routes / 2 + 1; // an odd index: a host-less route
        hit = new Request("api.example.com", "/svc" + target + "/items/42");
        miss = new Request("api.example.com", "/nothing/here");
    }

    @Benchmark
    public String matchHit() {
        return router.match(hit);
    }

    @Benchmark
    public String matchMiss() {
        return router.match(miss);
    }

    private record Request(String host, String path) implements MatchRequest {
        private static final InetAddress CLIENT = IpRange.parseLiteral("127.0.0.1");

        @Override
        public String method() {
            return "GET";
        }

        @Override
        public InetAddress clientAddress() {
            return CLIENT;
        }

        @Override
        public String variable(String name) {
            return null;
        }
    }
}
