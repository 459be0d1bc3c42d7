package io.tidegate.plugins.compression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The plugin jar as built: both bindings and their natives in it, and nothing PF4J would never use. */
class PluginJarIT {
    @Test
    void carriesTheBindingsAndTheirNatives() throws Exception {
        Path jar = Path.of(System.getProperty("plugin.jar"));
        try (JarFile file = new JarFile(jar.toFile())) {
            for (String entry : List.of("lib/linux-x86_64/libbrotli.so", "com/aayushatharva/brotli4j/encoder/EncoderJNI.class",
                    "com/aayushatharva/brotli4j/service/BrotliNativeProvider.class", "linux/amd64/libzstd-jni-1.5.7-28.so",
                    "com/github/luben/zstd/ZstdCompressCtx.class", "META-INF/extensions.idx", "schema/brotli.json", "schema/zstd.json")) {
                assertNotNull(file.getEntry(entry), entry);
            }
            assertFalse(file.stream().anyMatch(e -> e.getName().startsWith("META-INF/versions/")), "no multi-release classes");
            assertFalse(file.stream().anyMatch(e -> e.getName().endsWith("module-info.class")));
            assertEquals("compression", file.getManifest().getMainAttributes().getValue("Plugin-Id"));
            String extensions = new String(file.getInputStream(file.getEntry("META-INF/extensions.idx")).readAllBytes());
            assertTrue(extensions.contains("BrotliPlugin") && extensions.contains("ZstdPlugin") && extensions.contains("GzipPlugin"),
                    extensions);
        }
        assertTrue(Files.size(jar) < 9_000_000, "size " + Files.size(jar));
    }
}
