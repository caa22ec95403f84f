package io.authgate;

import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongFunction;

/**
 * Milvus 2.3.5's user management: its username and password rules, error codes and texts,
 * bcrypt hashes and the root user (bootstrapped once with
 * {@link CredentialStoreOptions#defaultRootPassword()}), in memory, in a JSON file, or in the
 * etcd a Milvus uses, so users are shared with that Milvus both ways.
 *
 * <pre>{@code
 * try (CredentialStore store = CredentialStore.etcd("127.0.0.1:2379", new CredentialStoreOptions())) {
 *     store.createUser("alice", "secret1");
 *     boolean ok = store.verify("alice", "secret1");
 * }
 * }</pre>
 *
 * <p>Every refusal throws {@link CredentialException}: {@code code()} is {@code CREDENTIAL},
 * {@link CredentialException#milvusCode()} Milvus' number (1100, 1400, 1401, 65535) and the
 * message Milvus' text, byte for byte. bcrypt makes create, update and verify slow on purpose:
 * the {@code ...Async} forms run them on an executor. Thread-safe; {@link #close()} frees the
 * native store (a {@link Cleaner} does it for a forgotten one).
 */
public final class CredentialStore implements AutoCloseable {
    static {
        NativeLib.ensureLoaded();
    }

    /** Store kinds of {@link #nativeOpen}, in the native side's order. */
    private static final int MEMORY = 0;
    private static final int FILE = 1;
    private static final int ETCD = 2;

    private final Handle handle;
    private final Cleaner.Cleanable cleanable;

    private CredentialStore(long ptr) {
        this.handle = new Handle("CredentialStore", ptr, CredentialStore::nativeFree);
        this.cleanable = Handle.CLEANER.register(this, handle);
    }

    private static CredentialStore open(int kind, String location, CredentialStoreOptions options) {
        byte[] where = location == null ? null : Wire.utf8(location);
        return new CredentialStore(nativeOpen(kind, where, Objects.requireNonNull(options, "options").pack()));
    }

    /**
     * A store in memory with Milvus 2.3.5's settings; root's password is {@code Milvus}.
     *
     * @return the store
     */
    public static CredentialStore memory() {
        return memory(new CredentialStoreOptions());
    }

    /**
     * A store in memory.
     *
     * @param options the settings
     * @return the store
     * @throws CredentialException an option out of range (1100)
     */
    public static CredentialStore memory(CredentialStoreOptions options) {
        return open(MEMORY, null, options);
    }

    /**
     * A store in a JSON file, created on the first write (atomic writes, mode 0600, shared
     * safely by processes).
     *
     * @param path the file
     * @param options the settings
     * @return the store
     * @throws CredentialException the file cannot be read or an option is out of range
     */
    public static CredentialStore file(Path path, CredentialStoreOptions options) {
        return open(FILE, Objects.requireNonNull(path, "path").toString(), options);
    }

    /**
     * {@link #file(Path, CredentialStoreOptions)} with the defaults.
     *
     * @param path the file
     * @return the store
     */
    public static CredentialStore file(Path path) {
        return file(path, new CredentialStoreOptions());
    }

    /**
     * A store in etcd, in the keys a Milvus keeps there
     * ({@code <rootPath>/<metaSubPath>/root-coord/credential/users/<name>}); a watch keeps every
     * process sharing the etcd up to date.
     *
     * @param endpoints {@code host:port} of the etcd members, comma-separated
     * @param options the settings, including {@code rootPath}, {@code metaSubPath}, the etcd
     *     user and the TLS files
     * @return the store
     * @throws CredentialException etcd cannot be reached or refuses the login (65535), an
     *     option is out of range (1100)
     */
    public static CredentialStore etcd(String endpoints, CredentialStoreOptions options) {
        return open(ETCD, Objects.requireNonNull(endpoints, "endpoints"), options);
    }

    /**
     * {@link #etcd(String, CredentialStoreOptions)} with the defaults.
     *
     * @param endpoints {@code host:port}, comma-separated
     * @return the store
     */
    public static CredentialStore etcd(String endpoints) {
        return etcd(endpoints, new CredentialStoreOptions());
    }

    private <T> T with(LongFunction<T> body) {
        long p = handle.acquire();
        try {
            return body.apply(p);
        } finally {
            handle.release();
        }
    }

    /**
     * Creates a user (stored as given; Milvus' rules apply to the name trimmed).
     *
     * @param name the user name
     * @param password the password
     * @throws CredentialException a rule refuses it (1100), the user exists or the store is
     *     full (65535)
     */
    public void createUser(String name, String password) {
        byte[] n = Wire.utf8(name);
        byte[] p = Wire.utf8(password);
        with(h -> {
            nativeCreateUser(h, n, p);
            return null;
        });
    }

    /**
     * Changes a password; {@code oldPassword} must verify.
     *
     * @param name the user
     * @param oldPassword its current password
     * @param newPassword the new one
     * @throws CredentialException the old password does not verify or the user is unknown
     *     (1400), the new one breaks a rule (1100, or 65535 past bcrypt's 72 bytes)
     */
    public void updatePassword(String name, String oldPassword, String newPassword) {
        updatePassword(name, oldPassword, newPassword, null);
    }

    /**
     * Changes a password on behalf of {@code caller}: a super user's change skips the
     * old-password check, as Milvus does.
     *
     * @param name the user
     * @param oldPassword its current password
     * @param newPassword the new one
     * @param caller the authenticated user making the request, or null
     * @throws CredentialException as {@link #updatePassword(String, String, String)}
     */
    public void updatePassword(String name, String oldPassword, String newPassword, String caller) {
        byte[] n = Wire.utf8(name);
        byte[] o = Wire.utf8(oldPassword);
        byte[] p = Wire.utf8(newPassword);
        byte[] c = caller == null ? null : Wire.utf8(caller);
        with(h -> {
            nativeUpdatePassword(h, n, o, p, c);
            return null;
        });
    }

    /**
     * Deletes a user and its role mappings; an unknown user is not an error.
     *
     * @param name the user
     * @throws CredentialException {@code root} (1401), an empty name (65535)
     */
    public void deleteUser(String name) {
        byte[] n = Wire.utf8(name);
        with(h -> {
            nativeDeleteUser(h, n);
            return null;
        });
    }

    /**
     * Every user, root included, in byte order.
     *
     * @return the names
     */
    public List<String> listUsers() {
        return Wire.strings(with(CredentialStore::nativeListUsers));
    }

    /**
     * Whether {@code password} is {@code name}'s password (exact name; an unknown user is
     * false).
     *
     * @param name the user
     * @param password the password
     * @return true when it verifies
     * @throws CredentialException only when the store cannot be read
     */
    public boolean verify(String name, String password) {
        byte[] n = Wire.utf8(name);
        byte[] p = Wire.utf8(password);
        return with(h -> nativeVerify(h, n, p));
    }

    /**
     * {@link #createUser} on {@code executor}.
     *
     * @param name the user name
     * @param password the password
     * @param executor where the bcrypt work runs
     * @return a future failed with the exception {@link #createUser} throws
     */
    public CompletableFuture<Void> createUserAsync(String name, String password, Executor executor) {
        return CompletableFuture.runAsync(() -> createUser(name, password), executor);
    }

    /**
     * {@link #updatePassword(String, String, String, String)} on {@code executor}.
     *
     * @param name the user
     * @param oldPassword its current password
     * @param newPassword the new one
     * @param caller the user making the request, or null
     * @param executor where the bcrypt work runs
     * @return a future failed with the exception the call throws
     */
    public CompletableFuture<Void> updatePasswordAsync(String name, String oldPassword, String newPassword,
            String caller, Executor executor) {
        return CompletableFuture.runAsync(() -> updatePassword(name, oldPassword, newPassword, caller), executor);
    }

    /**
     * {@link #deleteUser} on {@code executor}.
     *
     * @param name the user
     * @param executor where the call runs
     * @return a future failed with the exception {@link #deleteUser} throws
     */
    public CompletableFuture<Void> deleteUserAsync(String name, Executor executor) {
        return CompletableFuture.runAsync(() -> deleteUser(name), executor);
    }

    /**
     * {@link #listUsers} on {@code executor}.
     *
     * @param executor where the call runs
     * @return the names
     */
    public CompletableFuture<List<String>> listUsersAsync(Executor executor) {
        return CompletableFuture.supplyAsync(this::listUsers, executor);
    }

    /**
     * {@link #verify} on {@code executor}.
     *
     * @param name the user
     * @param password the password
     * @param executor where the bcrypt work runs
     * @return whether it verifies
     */
    public CompletableFuture<Boolean> verifyAsync(String name, String password, Executor executor) {
        return CompletableFuture.supplyAsync(() -> verify(name, password), executor);
    }

    /**
     * The user and password of a Milvus client's gRPC {@code authorization} metadata value:
     * base64 of {@code user:password}, split at the first {@code :}.
     *
     * @param headerValue the metadata value
     * @return the login it carries
     * @throws CredentialException not such a value (Milvus' login failure text, 1400)
     */
    public static Login milvusAuthorization(String headerValue) {
        List<String> parts = Wire.strings(nativeMilvusAuthorization(Wire.utf8(headerValue)));
        return new Login(parts.get(0), parts.get(1));
    }

    /**
     * A user name and password, as a Milvus client sends them.
     *
     * @param user the user name
     * @param password the password
     */
    public record Login(String user, String password) {
        /** Keeps the password out of logs. */
        @Override
        public String toString() {
            return "Login[user=" + user + ", password=<hidden>]";
        }
    }

    /**
     * True once {@link #close()} was called.
     *
     * @return whether it is closed
     */
    public boolean isClosed() {
        return handle.isClosed();
    }

    /** Frees the native store (idempotent); an etcd store stops its watch. */
    @Override
    public void close() {
        cleanable.clean();
    }

    @Override
    public String toString() {
        return isClosed() ? "CredentialStore(closed)" : with(CredentialStore::nativeDescribe);
    }

    static native byte[] nativeDefaults();

    private static native long nativeOpen(int kind, byte[] location, byte[] packedOptions);

    private static native void nativeFree(long handle);

    private static native void nativeCreateUser(long handle, byte[] name, byte[] password);

    private static native void nativeUpdatePassword(long handle, byte[] name, byte[] old, byte[] password, byte[] caller);

    private static native void nativeDeleteUser(long handle, byte[] name);

    private static native byte[] nativeListUsers(long handle);

    private static native boolean nativeVerify(long handle, byte[] name, byte[] password);

    private static native String nativeDescribe(long handle);

    private static native byte[] nativeMilvusAuthorization(byte[] headerValue);
}
