package io.tidegate.plugins.compression;

import io.tidegate.plugin.api.PluginLog;

/**
 * Whether a JNI binding's native library loaded in this jar's class loader, and if not, why.
 *
 * @param failure null when it loaded
 */
record NativeLibrary(String binding, String failure) {
    /** The binding's load, which must throw when the native is unusable. */
    @FunctionalInterface
    interface Load {
        void run();
    }

    boolean available() {
        return failure == null;
    }

    /**
     * Runs {@code load} with this jar's class loader as the thread's context loader: a binding that
     * looks up its native through a ServiceLoader on the context loader would otherwise search
     * the gateway's class path, which does not hold this jar. (brotli4j 1.20.0 and zstd-jni
     * 1.5.7 look next to their own classes; the pin keeps a later version working.) Whatever
     * goes wrong becomes the failure: a missing native for this platform, a temporary folder
     * that cannot execute, classes missing from the jar.
     */
    static NativeLibrary load(String binding, Load load) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(NativeLibrary.class.getClassLoader());
        try {
            load.run();
            return new NativeLibrary(binding, null);
        } catch (LinkageError | RuntimeException e) {
            Throwable cause = e.getCause();
            return new NativeLibrary(binding, cause == null ? e.toString() : e + " (" + cause + ")");
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** The one line that says the plugin is configured but compresses nothing. */
    void warnDisabled(PluginLog log, String plugin) {
        log.warn("the {} native library cannot be used on {} {}: {}; {} is disabled, responses pass uncompressed",
                binding, System.getProperty("os.name"), System.getProperty("os.arch"), failure, plugin);
    }
}
