package io.authgate;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Properties;

/**
 * Loads the native library {@code authgate_jni} exactly once per class loader, thread-safe
 * (the class initialisation lock): first {@code System.loadLibrary} (honours
 * {@code -Djava.library.path}), otherwise the copy inside the jar at
 * {@code native/<os>-<arch>/}, extracted to a unique temporary file. After loading, the
 * library's version must equal the jar's, so a stale library on the library path fails loudly.
 */
public final class NativeLib {
    /** The library's base name. */
    public static final String NAME = "authgate_jni";

    private static final String SOURCE;

    static {
        SOURCE = load();
        String expected = jarVersion();
        String actual = nativeVersion();
        if (!actual.equals(expected)) {
            throw new UnsatisfiedLinkError("authgate: native library " + SOURCE + " is version "
                    + actual + " but this jar is " + expected);
        }
    }

    private NativeLib() {
    }

    /** Makes sure the library is loaded (called from every class with native methods). */
    static void ensureLoaded() {
        // Running this method means the static initialiser has completed.
    }

    /**
     * Where the library came from: {@code library-path} (found by {@code System.loadLibrary})
     * or {@code extracted} (copied out of the jar).
     *
     * @return how the library was loaded
     */
    public static String loadedFrom() {
        return SOURCE;
    }

    /**
     * The native library's version.
     *
     * @return the version of the {@code authgate-jni} crate
     */
    public static String version() {
        return nativeVersion();
    }

    /**
     * The platform directory inside the jar, e.g. {@code linux-x86_64}: os {@code linux},
     * {@code osx} or {@code windows}; arch {@code x86_64} or {@code aarch64} (Java's
     * {@code amd64} and macOS' {@code arm64} normalised, as the Makefile does).
     *
     * @return the os-arch string
     */
    public static String platform() {
        return os(System.getProperty("os.name", "")) + "-" + arch(System.getProperty("os.arch", ""));
    }

    static String os(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.startsWith("linux")) {
            return "linux";
        }
        if (n.startsWith("mac") || n.startsWith("darwin") || n.startsWith("osx")) {
            return "osx";
        }
        if (n.startsWith("windows")) {
            return "windows";
        }
        return n.replaceAll("[^a-z0-9]", "");
    }

    static String arch(String name) {
        String a = name.toLowerCase(Locale.ROOT);
        switch (a) {
            case "amd64":
            case "x86_64":
            case "x64":
                return "x86_64";
            case "aarch64":
            case "arm64":
                return "aarch64";
            default:
                return a.replaceAll("[^a-z0-9_]", "");
        }
    }

    /** The resource path of the library inside the jar. */
    static String resourcePath() {
        return "/native/" + platform() + "/" + System.mapLibraryName(NAME);
    }

    private static String load() {
        UnsatisfiedLinkError first;
        try {
            System.loadLibrary(NAME);
            return "library-path";
        } catch (UnsatisfiedLinkError e) {
            first = e;
        }
        String resource = resourcePath();
        try (InputStream in = NativeLib.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("authgate: no native library for platform "
                        + platform() + ": System.loadLibrary(\"" + NAME + "\") failed ("
                        + first.getMessage() + ") and the jar has no " + resource);
            }
            String file = System.mapLibraryName(NAME);
            int dot = file.lastIndexOf('.');
            Path tmp = Files.createTempFile(file.substring(0, dot) + "-", file.substring(dot));
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                System.load(tmp.toAbsolutePath().toString());
            } finally {
                // The mapping stays valid after the file is gone (POSIX); elsewhere delete later.
                try {
                    Files.delete(tmp);
                } catch (IOException e) {
                    tmp.toFile().deleteOnExit();
                }
            }
            return "extracted";
        } catch (IOException e) {
            UnsatisfiedLinkError err = new UnsatisfiedLinkError("authgate: could not extract "
                    + resource + " for platform " + platform() + " after System.loadLibrary(\""
                    + NAME + "\") failed (" + first.getMessage() + "): " + e);
            err.initCause(e);
            throw err;
        }
    }

    private static String jarVersion() {
        Properties p = new Properties();
        try (InputStream in = NativeLib.class.getResourceAsStream("authgate.properties")) {
            if (in == null) {
                throw new UnsatisfiedLinkError("authgate: authgate.properties is missing from the jar");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version", "");
    }

    /**
     * Panics inside the native library on purpose. The panic is caught at the boundary and
     * surfaces as an {@link AuthgateException} with code {@code PANIC}; the JVM keeps running.
     * For tests of the panic boundary.
     *
     * @param message the panic message
     */
    static void debugPanic(String message) {
        nativeDebugPanic(message);
    }

    /**
     * {@link #debugPanic(String)} through the hot-path boundary that {@link Acl#check} uses.
     *
     * @param message the panic message
     */
    static void debugPanicFast(String message) {
        Wire.Packer w = Wire.local().add(message);
        nativeDebugPanicFast(w.buf, w.len);
    }

    private static native void nativeDebugPanicFast(byte[] packed, int len);

    /**
     * Fails inside the native library with an error of the kind whose code is {@code code},
     * through the same mapper as every other error. For tests of the exception each kind
     * becomes, including kinds no ACL operation produces.
     *
     * @param code a stable code such as {@code CONFIG}
     * @param message the error's text
     */
    static void debugError(String code, String message) {
        nativeDebugError(code, message, false, 0);
    }

    /**
     * {@link #debugError(String, String)} with Milvus' numeric code attached.
     *
     * @param code a stable code such as {@code CREDENTIAL}
     * @param message the error's text
     * @param milvusCode Milvus' error code
     */
    static void debugError(String code, String message, long milvusCode) {
        nativeDebugError(code, message, true, milvusCode);
    }

    /**
     * Sets ({@code value} non-null) or removes an environment variable of this process, which
     * the JVM cannot do itself: a NATS config's {@code $VAR} falls back to the environment. For
     * tests, from one thread while no config is being read.
     *
     * @param name the variable
     * @param value its value, or null to remove it
     */
    static void debugSetenv(String name, String value) {
        nativeDebugSetenv(Wire.utf8(name), value == null ? null : Wire.utf8(value));
    }

    private static native void nativeDebugSetenv(byte[] name, byte[] value);

    private static native void nativeDebugError(String code, String message, boolean hasMilvusCode, long milvusCode);

    /**
     * Crosses into the native library with packed arguments, as {@link Acl#check} does, but
     * without consulting the engine: the cost of the boundary alone, for benchmarks.
     *
     * @param argv the arguments to pack and pass
     * @return the number of arguments the native side received
     */
    public static int boundary(String... argv) {
        Wire.Packer w = Wire.local().addAll(argv);
        return nativeBoundary(w.buf, w.len);
    }

    private static native int nativeBoundary(byte[] packed, int len);

    private static native String nativeVersion();

    private static native void nativeDebugPanic(String message);
}
