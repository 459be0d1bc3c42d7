package io.tidegate.plugin;

import java.nio.file.Path;
import org.pf4j.ManifestPluginDescriptorFinder;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginRuntimeException;
import org.pf4j.PropertiesPluginDescriptorFinder;

/**
 * A jar's descriptor from its manifest ({@code Plugin-Id}, {@code Plugin-Version}), as the bundled
 * plugins and the README's plugin build write it, else from {@code plugin.properties}, PF4J's other
 * form. PF4J's default tries the properties first, opening every jar as a zip file system just to
 * find none there; reading the manifest first takes one look at the jar.
 */
final class ManifestFirstDescriptorFinder extends ManifestPluginDescriptorFinder {
    private final PropertiesPluginDescriptorFinder properties = new PropertiesPluginDescriptorFinder();

    @Override
    public PluginDescriptor find(Path jar) {
        PluginDescriptor fromManifest;
        try {
            fromManifest = super.find(jar);
        } catch (PluginRuntimeException noManifest) {
            return properties.find(jar);
        }
        String id = fromManifest.getPluginId();
        return id != null && !id.isBlank() ? fromManifest : properties.find(jar);
    }
}
