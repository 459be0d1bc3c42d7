package io.tidegate.testing;

import io.tidegate.testplugins.Sink;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Builds PF4J plugin jars from the compiled test plugins, as a plugin author's build would: the
 * extension classes (with their nested classes), a manifest with Plugin-Id and Plugin-Version, and
 * {@code META-INF/extensions.idx}. The jar is written next to its destination and moved in
 * atomically, as the README recommends for deployments.
 */
public final class TestPluginJars {
    private TestPluginJars() {}

    public static Path install(Path pluginsDir, String fileName, String pluginId, String version, Class<?>... extensions) {
        return install(pluginsDir, fileName, pluginId, version, false, extensions);
    }

    /** As {@link #install}, the id and version in {@code plugin.properties} (PF4J's other descriptor) instead of the manifest. */
    public static Path installDescribedByProperties(Path pluginsDir, String fileName, String pluginId, String version,
                                                    Class<?>... extensions) {
        return install(pluginsDir, fileName, pluginId, version, true, extensions);
    }

    private static Path install(Path pluginsDir, String fileName, String pluginId, String version, boolean byProperties,
                                Class<?>... extensions) {
        try {
            Path temp = Files.createTempFile(pluginsDir.getParent(), fileName, ".tmp");
            write(temp, pluginId, version, byProperties, extensions);
            Path target = pluginsDir.resolve(fileName);
            return Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path jar, String pluginId, String version, boolean byProperties, Class<?>... extensions)
            throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (!byProperties) {
            main.putValue("Plugin-Id", pluginId);
            main.putValue("Plugin-Version", version);
        }
        Set<Class<?>> classes = new LinkedHashSet<>(List.of(extensions));
        classes.add(Sink.class);
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            for (Class<?> type : classes) {
                for (Path classFile : classFilesOf(type)) {
                    String entry = type.getPackageName().replace('.', '/') + "/" + classFile.getFileName();
                    out.putNextEntry(new JarEntry(entry));
                    Files.copy(classFile, out);
                    out.closeEntry();
                }
            }
            if (byProperties) {
                out.putNextEntry(new JarEntry("plugin.properties"));
                out.write(("plugin.id=" + pluginId + "\nplugin.version=" + version + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("META-INF/extensions.idx"));
            StringBuilder index = new StringBuilder();
            for (Class<?> extension : extensions) {
                index.append(extension.getName()).append('\n');
            }
            out.write(index.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.closeEntry();
        }
    }

    /** The class file of a type and of its nested and anonymous classes. */
    private static List<Path> classFilesOf(Class<?> type) throws IOException {
        try {
            Path own = Path.of(type.getResource(type.getSimpleName() + ".class").toURI());
            List<Path> out = new ArrayList<>();
            try (Stream<Path> siblings = Files.list(own.getParent())) {
                siblings.filter(p -> {
                    String name = p.getFileName().toString();
                    return name.equals(type.getSimpleName() + ".class") || name.startsWith(type.getSimpleName() + "$");
                }).forEach(out::add);
            }
            return out;
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }

}
