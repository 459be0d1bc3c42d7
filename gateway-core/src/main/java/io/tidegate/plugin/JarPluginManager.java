package io.tidegate.plugin;

import java.nio.file.Path;
import org.pf4j.DefaultPluginFactory;
import org.pf4j.DefaultPluginManager;
import org.pf4j.Plugin;
import org.pf4j.PluginFactory;

/**
 * A PF4J manager for exactly one plugin jar. One manager per loaded jar version lets a new version
 * load while the old one still serves requests in flight, and lets the old class loader go away on
 * its own schedule. A jar needs no {@code Plugin-Class}: extensions are all the gateway uses.
 */
final class JarPluginManager extends DefaultPluginManager {
    JarPluginManager(Path stagingDir) {
        super(stagingDir);
    }

    @Override
    protected PluginFactory createPluginFactory() {
        DefaultPluginFactory classes = new DefaultPluginFactory();
        return wrapper -> wrapper.getDescriptor().getPluginClass() == null
                ? new Plugin() {}
                : classes.create(wrapper);
    }

}
