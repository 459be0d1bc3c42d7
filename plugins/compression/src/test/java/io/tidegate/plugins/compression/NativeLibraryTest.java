package io.tidegate.plugins.compression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class NativeLibraryTest {
    @Test
    void loadsWithThePluginsClassLoaderAsTheContextLoaderAndPutsItBack() {
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        AtomicReference<ClassLoader> during = new AtomicReference<>();
        NativeLibrary loaded = NativeLibrary.load("demo", () -> during.set(Thread.currentThread().getContextClassLoader()));
        assertTrue(loaded.available());
        assertNull(loaded.failure());
        assertSame(NativeLibrary.class.getClassLoader(), during.get());
        assertSame(before, Thread.currentThread().getContextClassLoader());
    }

    @Test
    void aFailureIsKeptWithItsCause() {
        NativeLibrary failed = NativeLibrary.load("demo", () -> {
            UnsatisfiedLinkError outer = new UnsatisfiedLinkError("Failed to load Brotli native library");
            outer.initCause(new UnsupportedOperationException("Unsupported OS and Architecture: Linux, sparc"));
            throw outer;
        });
        assertFalse(failed.available());
        assertEquals("java.lang.UnsatisfiedLinkError: Failed to load Brotli native library"
                + " (java.lang.UnsupportedOperationException: Unsupported OS and Architecture: Linux, sparc)", failed.failure());
        assertFalse(NativeLibrary.load("demo", () -> {
            throw new NoClassDefFoundError("com/github/luben/zstd/util/Native");
        }).available());
    }

    @Test
    void bothBindingsLoadHere() {
        assertTrue(NativeLibrary.load("brotli4j", () -> com.aayushatharva.brotli4j.Brotli4jLoader.ensureAvailability()).available());
        assertTrue(NativeLibrary.load("zstd-jni", () -> com.github.luben.zstd.util.Native.load()).available());
    }
}
