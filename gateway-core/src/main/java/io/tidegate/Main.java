package io.tidegate;

import io.tidegate.config.ConfigException;
import io.tidegate.config.ConfigLoader;
import io.tidegate.config.GatewayConfig;
import io.tidegate.proxy.CannotListen;
import io.tidegate.proxy.GatewayServer;
import io.tidegate.runtime.Snapshot;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command line: {@code -c FILE} runs the gateway (default {@code config.yaml}), {@code -t} checks
 * the configuration and exits like {@code nginx -t}, {@code --version} prints the version.
 */
public final class Main {
    static final int OK = 0;
    static final int INVALID_CONFIG = 1;
    static final int USAGE = 2;
    private static final String USAGE_TEXT = """
            usage: java -jar tidegate.jar [-c FILE] [-t] [--upgrade] [--start-and-exit] [--version]
              -c, --config FILE  configuration file (default: config.yaml)
              -t, --test         check the configuration, print every error with its path, and exit
              --upgrade          take the ports over from the gateway running with the same
                                 tidegate.upgrade_sock: it stops accepting, finishes its requests
                                 and exits; no connection is refused meanwhile
              --start-and-exit   start as usual, and once the listeners are bound, shut down and exit
                                 (a smoke test; the build records the JVM's class-data archive with it)
              -v, --version      print the version and exit
              -h, --help         print this help and exit""";

    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        // before any HTTP client exists: proxy-mirror sends the Host the upstream would get, not the mirror's
        if (System.getProperty("jdk.httpclient.allowRestrictedHeaders") == null) {
            System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
        }
        // logging (reading its configuration) and the network layer start up on the other core while
        // the configuration is parsed: a seventh of the time to ready with 10,000 routes
        Thread preload = new Thread(() -> {
            LoggerFactory.getILoggerFactory();
            GatewayServer.preload();
        }, "tidegate-preload");
        preload.setDaemon(true);
        preload.start();
        int code = run(args, System.out, System.err);
        if (code != -1) {
            System.exit(code);
        }
        new CountDownLatch(1).await(); // serving: the listeners' threads keep the work going
    }

    /** Runs the command; returns the exit code, or -1 when the gateway is now serving. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Path config = Path.of("config.yaml");
        boolean test = false;
        boolean startAndExit = false;
        boolean upgrade = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-c", "--config" -> {
                    if (i + 1 >= args.length) {
                        err.println("tidegate: " + args[i] + " needs a file name\n" + USAGE_TEXT);
                        return USAGE;
                    }
                    config = Path.of(args[++i]);
                }
                case "-t", "--test" -> test = true;
                case "--start-and-exit" -> startAndExit = true;
                case "--upgrade" -> upgrade = true;
                case "-v", "--version" -> {
                    out.println("tidegate " + Version.current());
                    return OK;
                }
                case "-h", "--help" -> {
                    out.println(USAGE_TEXT);
                    return OK;
                }
                default -> {
                    err.println("tidegate: unknown option " + args[i] + "\n" + USAGE_TEXT);
                    return USAGE;
                }
            }
        }
        try {
            GatewayConfig loaded = new ConfigLoader().load(config);
            if (test) {
                Snapshot snapshot = Gateway.check(loaded);
                out.println("tidegate: configuration file " + config + " is valid (" + snapshot.routeCount()
                        + " routes, " + snapshot.upstreamCount() + " upstreams)");
                return OK;
            }
            Path upgradeSocket = loaded.server().upgradeSocket() == null ? null : Path.of(loaded.server().upgradeSocket());
            if (upgrade && upgradeSocket == null) {
                err.println("tidegate: --upgrade needs tidegate.upgrade_sock in " + config
                        + " (set it in the running gateway's configuration too; it takes effect at its next start)");
                return USAGE;
            }
            if (upgrade && GatewayServer.portSharingUnavailable() != null) {
                err.println("tidegate: --upgrade is not available here: " + GatewayServer.portSharingUnavailable()
                        + "; stop the running gateway, then start this one");
                return USAGE;
            }
            if (!upgrade && upgradeSocket != null) {
                UpgradeSocket.refuseIfAnswering(upgradeSocket);
            }
            Optional<UpgradeSocket.Successor> predecessor = upgrade ? UpgradeSocket.prepare(upgradeSocket) : Optional.empty();
            Gateway gateway;
            try {
                gateway = Gateway.start(loaded, upgrade, predecessor.map(UpgradeSocket.Successor::configuration).orElse(null));
            } catch (ConfigException | RuntimeException e) {
                predecessor.ifPresent(UpgradeSocket.Successor::close);  // the running gateway carries on
                throw e;
            }
            if (startAndExit) {
                predecessor.ifPresent(UpgradeSocket.Successor::close);
                gateway.shutdown();
                out.println("tidegate: started with " + config + " and stopped");
                return OK;
            }
            if (upgrade) {
                takeOver(gateway, predecessor, upgradeSocket);
            }
            PidFile pidFile = PidFile.write(loaded.server().pidFile());
            UpgradeSocket handOver = upgradeSocket == null ? null : UpgradeSocket.listen(upgradeSocket, new UpgradeSocket.Running() {
                @Override
                public String prepare() {
                    return gateway.freezeForHandOver();
                }

                @Override
                public void cancel() {
                    gateway.resumeChanges();
                }

                @Override
                public void handOver() {
                    gateway.stopAccepting();
                }

                @Override
                public void finish() {
                    Thread finish = new Thread(() -> {
                        gateway.finishHandOver();
                        // the pid file is the newer gateway's now
                        Runtime.getRuntime().halt(OK);
                    }, "tidegate-hand-over");
                    finish.start();
                }
            });
            onStopSignal(() -> {
                if (handOver != null) {
                    handOver.close();  // a stopping gateway hands nothing over
                }
                gateway.shutdown();
                pidFile.remove();
                Runtime.getRuntime().halt(OK); // the hooks below have nothing left to do; exit 0, not 143
            });
            // any other way out (System.exit, an uncaught error) still closes what can be closed
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                if (handOver != null) {
                    handOver.close();
                }
                gateway.close();
                pidFile.remove();
            }, "tidegate-exit"));
            return -1;
        } catch (ConfigException e) {
            err.println("tidegate: configuration file " + config + " is invalid (" + e.errors().size() + " error"
                    + (e.errors().size() == 1 ? "" : "s") + "):");
            e.errors().forEach(line -> err.println("  " + line));
            return INVALID_CONFIG;
        } catch (CannotListen e) {
            // the address and the reason say it all: no stack trace
            LoggerFactory.getLogger(Main.class).error("tidegate failed to start: {}", e.getMessage());
            err.println("tidegate: " + e.getMessage());
            return INVALID_CONFIG;
        } catch (RuntimeException e) {
            Logger log = LoggerFactory.getLogger(Main.class);
            log.error("tidegate failed to start: {}", e.toString(), e);
            err.println("tidegate: failed to start: " + rootMessage(e));
            return INVALID_CONFIG;
        }
    }

    /** Takes the ports from the running gateway; when it does not hand them over, this one stops again. */
    private static void takeOver(Gateway gateway, Optional<UpgradeSocket.Successor> predecessor, Path upgradeSocket) {
        Logger log = LoggerFactory.getLogger(Main.class);
        if (predecessor.isEmpty()) {
            log.warn("--upgrade: no gateway answered on upgrade_sock {}; started as a new gateway", upgradeSocket);
            return;
        }
        try {
            predecessor.get().takeOver();
        } catch (RuntimeException e) {
            gateway.close();
            throw e;
        }
        log.info("took the listeners over from gateway {}; it finishes its requests and exits", predecessor.get().previousPid());
    }

    /**
     * SIGTERM and SIGINT start a graceful shutdown on their own thread. The JVM's default would run
     * the shutdown hooks at once and exit 143, cutting requests in flight.
     */
    @SuppressWarnings("sunapi")
    private static void onStopSignal(Runnable shutdown) {
        java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
        sun.misc.SignalHandler handler = signal -> {
            if (started.compareAndSet(false, true)) {
                new Thread(shutdown, "tidegate-shutdown").start();
            }
        };
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), handler);
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), handler);
    }

    /** The innermost cause, which names the real problem ("Address already in use"). */
    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.toString();
    }
}
