package io.tidegate.plugin;

import io.tidegate.plugin.api.PluginLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A plugin's log lines in the gateway's log, each prefixed with the plugin and its owner. */
record Slf4jPluginLog(Logger logger, String prefix) implements PluginLog {
    static PluginLog of(String plugin, String owner) {
        return new Slf4jPluginLog(LoggerFactory.getLogger("tidegate.plugin." + plugin),
                owner.isEmpty() ? "[" + plugin + "] " : "[" + plugin + " " + owner + "] ");
    }

    @Override
    public void debug(String message, Object... args) {
        if (logger.isDebugEnabled()) {
            logger.debug(prefix + message, args);
        }
    }

    @Override
    public void info(String message, Object... args) {
        if (logger.isInfoEnabled()) {
            logger.info(prefix + message, args);
        }
    }

    @Override
    public void warn(String message, Object... args) {
        if (logger.isWarnEnabled()) {
            logger.warn(prefix + message, args);
        }
    }

    @Override
    public void error(String message, Object... args) {
        logger.error(prefix + message, args);
    }
}
