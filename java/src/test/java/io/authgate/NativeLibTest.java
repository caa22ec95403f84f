package io.authgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class NativeLibTest {
    @Test
    void platformNormalisation() {
        assertEquals("x86_64", NativeLib.arch("amd64"));
        assertEquals("x86_64", NativeLib.arch("x86_64"));
        assertEquals("aarch64", NativeLib.arch("arm64"));
        assertEquals("aarch64", NativeLib.arch("aarch64"));
        assertEquals("linux", NativeLib.os("Linux"));
        assertEquals("osx", NativeLib.os("Mac OS X"));
        assertEquals("windows", NativeLib.os("Windows 11"));
    }

    @Test
    void loadedThroughTheExpectedPath() {
        String expected = System.getProperty("authgate.expectLoad", "extracted");
        assertEquals(expected, NativeLib.loadedFrom());
        assertEquals("0.1.0", NativeLib.version());
    }

    @Test
    void theLibraryIsOnTheClasspathForThisPlatform() throws Exception {
        try (InputStream in = NativeLib.class.getResourceAsStream(NativeLib.resourcePath())) {
            assertNotNull(in, NativeLib.resourcePath());
        }
    }

    @Test
    void boundaryPassesEveryArgument() {
        assertEquals(3, NativeLib.boundary("alice", "GET", "cache:1"));
        assertEquals(0, NativeLib.boundary());
        assertEquals(2, NativeLib.boundary("", "\u2603"));
    }

    @Test
    void concurrentFirstUseIsSafe() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<String>> tasks = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                tasks.add(() -> {
                    try (Acl acl = new Acl()) {
                        acl.check("default", "GET", "k");
                    }
                    return NativeLib.loadedFrom();
                });
            }
            for (Future<String> f : pool.invokeAll(tasks)) {
                assertEquals(NativeLib.loadedFrom(), f.get());
            }
        } finally {
            pool.shutdown();
        }
    }
}
