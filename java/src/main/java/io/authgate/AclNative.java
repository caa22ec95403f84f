package io.authgate;

/**
 * The native methods behind {@link Acl} (and {@link AclOptions}): the JNI surface of the
 * engine, {@code Java_io_authgate_AclNative_*} in the {@code authgate-jni} library. A handle
 * is the engine pointer {@link Acl} keeps; every call on it is bracketed by the handle's
 * acquire/release. Not public API.
 */
final class AclNative {
    static {
        NativeLib.ensureLoaded();
    }

    private AclNative() {}

    static native long nativeNew(byte[] pubsubDefault, int logMaxLen);
    static native long nativeFromFile(byte[] path, byte[] pubsubDefault, int logMaxLen);
    static native long nativeFromStore(byte[] url, byte[] storeOptions, byte[] pubsubDefault, int logMaxLen);
    static native void nativeFree(long handle);
    static native void nativeSetuser(long handle, byte[] packed);
    static native int nativeDeluser(long handle, byte[] packed);
    static native byte[] nativeGetuser(long handle, byte[] name);
    static native byte[] nativeUsers(long handle);
    static native byte[] nativeList(long handle);
    static native byte[] nativeCat(long handle, byte[] category);
    static native boolean nativeAuthenticate(long handle, byte[] packed, int len);
    static native boolean nativeAllowed(long handle, byte[] packed, int len);
    static native byte[] nativeDenial(long handle, byte[] packed, int len);
    static native byte[] nativeDryrun(long handle, byte[] packed);
    static native byte[] nativeLog(long handle, boolean hasCount, int count);
    static native void nativeLogReset(long handle);
    static native void nativeLoad(long handle, byte[] path);
    static native void nativeSave(long handle, byte[] path);
    static native void nativeCheckAclfile(long handle, byte[] path);
    static native void nativeSetRequirepass(long handle, byte[] password);
    static native byte[] nativeOptions(long handle);
    static native void nativeSetOptions(long handle, byte[] pubsubDefault, int logMaxLen);
    static native String nativePubsubDefault(long handle);
    static native void nativeSetPubsubDefault(long handle, byte[] value);
    static native int nativeLogMaxLen(long handle);
    static native void nativeSetLogMaxLen(long handle, int n);
    static native byte[] nativeGenpass(int bits);
    static native int nativeDefaultGenpassBits();

    /** For {@link AclOptions#defaults()} (a record cannot declare native methods). */
    static native byte[] nativeDefaultOptions();

    /** For the {@link AclOptions} constructor: checks both values, returns core's spelling. */
    static native String nativeNormalizeOptions(byte[] pubsubDefault, int logMaxLen);
}
