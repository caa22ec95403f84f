package io.authgate;

import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;

/**
 * The Redis 7.0 ACL engine: users, passwords, selectors, command/key/channel permissions,
 * ACL LIST/GETUSER/LOG/DRYRUN and aclfiles, with Redis 7.0.15's exact behaviour and texts.
 * Method names mirror the ACL subcommands. Every method taking a {@code String} also takes
 * the raw bytes ({@code String}s are sent as UTF-8).
 *
 * <pre>{@code
 * try (Acl acl = new Acl()) {
 *     acl.setuser("alice", "on", ">secret", "~cache:*", "+get");
 *     acl.authenticate("alice", "secret");          // true
 *     acl.check("alice", "GET", "cache:1");         // allowed: returns normally
 *     acl.check("alice", "SET", "cache:1", "v");    // throws PermissionDeniedException
 *     acl.allowed("alice", "SET", "cache:1", "v");  // false
 *     acl.denial("alice", "SET", "cache:1", "v");   // AclDenial[reason=command, ...]
 * }
 * }</pre>
 *
 * <p>Thread-safe: any number of threads may call any method at once; changes apply
 * immediately, also to a {@link Server} sharing this engine. {@link #close()} frees the native
 * engine (after in-flight calls return); any later call throws {@link IllegalStateException}.
 * A {@link Cleaner} frees engines that are never closed.
 */
public final class Acl implements AutoCloseable {
    /** The bits {@link #genpass()} uses: core's default, as Redis' ACL GENPASS. */
    public static final int DEFAULT_GENPASS_BITS = AclNative.nativeDefaultGenpassBits();

    final Handle handle;
    private final Cleaner.Cleanable cleanable;

    private Acl(long ptr) {
        this.handle = new Handle("Acl", ptr, AclNative::nativeFree);
        this.cleanable = Handle.CLEANER.register(this, handle);
    }

    /** An engine with core's default options and only the {@code default} user ({@code on nopass ~* &* +@all}). */
    public Acl() {
        this(AclNative.nativeNew(null, 0));
    }

    /**
     * An engine with these options ({@code acl-pubsub-default}, {@code acllog-max-len}).
     *
     * @param options the settings, e.g. {@code AclOptions.defaults().withLogMaxLen(16)}
     */
    public Acl(AclOptions options) {
        this(AclNative.nativeNew(Wire.utf8(options.pubsubDefault()), options.logMaxLen()));
    }

    /**
     * An engine (with core's default options) holding the users of an aclfile, as
     * {@code redis-server} starts with {@code aclfile}.
     *
     * @param path the aclfile
     * @return a new engine
     * @throws ConfigException with Redis' ACL LOAD text if the file does not load
     */
    public static Acl fromFile(Path path) {
        return new Acl(AclNative.nativeFromFile(pathBytes(path), null, 0));
    }

    /**
     * {@link #fromFile(Path)} with options.
     *
     * @param path the aclfile
     * @param options the engine settings
     * @return a new engine
     */
    public static Acl fromFile(Path path, AclOptions options) {
        return fromFile(pathBytes(path), options);
    }

    /**
     * {@link #fromFile(Path)} with a path string.
     *
     * @param path the aclfile
     * @return a new engine
     */
    public static Acl fromFile(String path) {
        return fromFile(Path.of(path));
    }

    /**
     * {@link #fromFile(Path, AclOptions)} with a path string.
     *
     * @param path the aclfile
     * @param options the engine settings
     * @return a new engine
     */
    public static Acl fromFile(String path, AclOptions options) {
        return fromFile(Path.of(path), options);
    }

    /**
     * {@link #fromFile(Path)} with the path's bytes (as the OS sees them).
     *
     * @param path the aclfile
     * @return a new engine
     */
    public static Acl fromFile(byte[] path) {
        return new Acl(AclNative.nativeFromFile(Objects.requireNonNull(path, "path"), null, 0));
    }

    /**
     * {@link #fromFile(Path, AclOptions)} with the path's bytes.
     *
     * @param path the aclfile
     * @param options the engine settings
     * @return a new engine
     */
    public static Acl fromFile(byte[] path, AclOptions options) {
        return new Acl(AclNative.nativeFromFile(Objects.requireNonNull(path, "path"),
                Wire.utf8(options.pubsubDefault()), options.logMaxLen()));
    }

    /**
     * An engine (with core's default options) attached to a fleet's ACL store,
     * {@code etcd://host:port[,host:port...]/prefix}: it holds the store's users and follows
     * every change made by servers and other engines. {@link #setuser}, {@link #deluser},
     * {@link #load} and {@link #setRequirepass} write through the store (a compare-and-swap
     * transaction) and return once the change is applied here; every other method reads the
     * local engine. Blocks until etcd answered. {@link #close()} detaches.
     *
     * @param url the store's address
     * @return a new engine
     * @throws AuthgateException code {@code INVALID_ARGUMENT} for an address that is not an
     *     etcd store; code {@code IO} when etcd is unreachable (there is no cache file)
     */
    public static Acl fromStore(String url) {
        return fromStore(url, AclStoreOptions.none());
    }

    /**
     * {@link #fromStore(String)} with store options (a cache file, TLS to etcd).
     *
     * @param url the store's address
     * @param store the cache file and TLS files
     * @return a new engine
     * @throws AuthgateException code {@code INVALID_ARGUMENT} for a bad address or a client
     *     certificate without its key; code {@code IO} when etcd is unreachable and there is no
     *     cache file, or a TLS file cannot be read
     */
    public static Acl fromStore(String url, AclStoreOptions store) {
        return new Acl(AclNative.nativeFromStore(Wire.utf8(url), Objects.requireNonNull(store, "store").packed(), null, 0));
    }

    /**
     * {@link #fromStore(String, AclStoreOptions)} with engine settings.
     *
     * @param url the store's address
     * @param store the cache file and TLS files
     * @param options the engine settings
     * @return a new engine
     */
    public static Acl fromStore(String url, AclStoreOptions store, AclOptions options) {
        return new Acl(AclNative.nativeFromStore(Wire.utf8(url), Objects.requireNonNull(store, "store").packed(),
                Wire.utf8(options.pubsubDefault()), options.logMaxLen()));
    }

    private static byte[] pathBytes(Path path) {
        return Wire.utf8(Objects.requireNonNull(path, "path").toString());
    }

    /** Runs a native call with the engine pointer, bracketed by the handle's acquire/release. */
    <T> T with(LongFunction<T> body) {
        long p = handle.acquire();
        try {
            return body.apply(p);
        } finally {
            handle.release();
        }
    }

    private void run(LongConsumer body) {
        long p = handle.acquire();
        try {
            body.accept(p);
        } finally {
            handle.release();
        }
    }

    /**
     * ACL SETUSER: creates the user if needed and applies the rules left to right, all or
     * nothing.
     *
     * @param name the user name
     * @param rules rules such as {@code on}, {@code >password}, {@code ~key*}, {@code +@read},
     *     {@code (+get ~x*)}
     * @throws AclException with Redis' text for a bad rule or name
     */
    public void setuser(String name, String... rules) {
        byte[] packed = Wire.packer().add(name).addAll(rules).toArray();
        run(p -> AclNative.nativeSetuser(p, packed));
    }

    /**
     * {@link #setuser(String, String...)} with raw bytes.
     *
     * @param name the user name
     * @param rules the rules
     */
    public void setuser(byte[] name, byte[]... rules) {
        byte[] packed = Wire.packer().add(name).addAll(rules).toArray();
        run(p -> AclNative.nativeSetuser(p, packed));
    }

    /**
     * ACL DELUSER.
     *
     * @param names users to delete
     * @return how many of them existed
     * @throws AclException if one of the names is {@code default} (nothing is deleted)
     */
    public int deluser(String... names) {
        byte[] packed = Wire.packer().addAll(names).toArray();
        return with(p -> AclNative.nativeDeluser(p, packed));
    }

    /**
     * {@link #deluser(String...)} with raw bytes.
     *
     * @param names users to delete
     * @return how many of them existed
     */
    public int deluser(byte[]... names) {
        byte[] packed = Wire.packer().addAll(names).toArray();
        return with(p -> AclNative.nativeDeluser(p, packed));
    }

    /**
     * ACL GETUSER.
     *
     * @param name the user name
     * @return the user's description, or null if there is no such user
     */
    public AclUser getuser(String name) {
        return getuser(Wire.utf8(name));
    }

    /**
     * {@link #getuser(String)} with the name as bytes.
     *
     * @param name the user name
     * @return the user's description, or null if there is no such user
     */
    public AclUser getuser(byte[] name) {
        Objects.requireNonNull(name, "name");
        byte[] data = with(p -> AclNative.nativeGetuser(p, name));
        return data == null ? null : AclUser.fromPacked(data);
    }

    /**
     * ACL USERS.
     *
     * @return user names in byte order
     */
    public List<String> users() {
        return Wire.strings(with(AclNative::nativeUsers));
    }

    /**
     * ACL LIST.
     *
     * @return {@code user <name> <rules>} lines in name order
     */
    public List<String> list() {
        return Wire.strings(with(AclNative::nativeList));
    }

    /**
     * ACL CAT.
     *
     * @return the category names
     */
    public List<String> cat() {
        return Wire.strings(with(p -> AclNative.nativeCat(p, null)));
    }

    /**
     * ACL CAT category.
     *
     * @param category a category name such as {@code read}
     * @return the full names of its commands
     * @throws AclException for an unknown category
     */
    public List<String> cat(String category) {
        return cat(Wire.utf8(category));
    }

    /**
     * {@link #cat(String)} with the category as bytes.
     *
     * @param category a category name
     * @return the full names of its commands
     */
    public List<String> cat(byte[] category) {
        Objects.requireNonNull(category, "category");
        return Wire.strings(with(p -> AclNative.nativeCat(p, category)));
    }

    /**
     * Checks a password: true if the user exists, is {@code on}, and the password matches
     * (or the user has {@code nopass}). Like AUTH, without any connection state.
     *
     * @param user the user name
     * @param password the password
     * @return whether AUTH would succeed
     */
    public boolean authenticate(String user, String password) {
        Wire.Packer w = Wire.local().add(user).add(password);
        long p = handle.acquire();
        try {
            return AclNative.nativeAuthenticate(p, w.buf, w.len);
        } finally {
            handle.release();
        }
    }

    /**
     * {@link #authenticate(String, String)} with raw bytes.
     *
     * @param user the user name
     * @param password the password
     * @return whether AUTH would succeed
     */
    public boolean authenticate(byte[] user, byte[] password) {
        Wire.Packer w = Wire.local().add(user).add(password);
        long p = handle.acquire();
        try {
            return AclNative.nativeAuthenticate(p, w.buf, w.len);
        } finally {
            handle.release();
        }
    }

    /**
     * Decides a command line for a user the way Redis does for an authenticated connection:
     * resolves the command, checks its arity, then the user's permissions (on/off is not
     * considered, as in Redis). Returns normally if allowed. {@link #allowed(String, String...)}
     * and {@link #denial(String, String...)} answer the same without throwing for a denial.
     *
     * @param user the user name
     * @param argv the command and its arguments, e.g. {@code "GET", "key"}
     * @throws PermissionDeniedException (code {@code NOPERM}) if denied
     * @throws AclException for an unknown user ({@code NOT_FOUND}), an unknown command or a
     *     wrong arity ({@code ERR})
     */
    public void check(String user, String... argv) {
        // The hot path: a thread-local buffer and no lambda, so a check allocates nothing.
        check(Wire.local().add(user).addAll(argv));
    }

    /**
     * {@link #check(String, String...)} with binary arguments.
     *
     * @param user the user name
     * @param argv the command and its arguments
     */
    public void check(String user, byte[]... argv) {
        check(Wire.local().add(user).addAll(argv));
    }

    /**
     * {@link #check(String, String...)} with the user name and arguments as bytes.
     *
     * @param user the user name
     * @param argv the command and its arguments
     */
    public void check(byte[] user, byte[]... argv) {
        check(Wire.local().add(user).addAll(argv));
    }

    private void check(Wire.Packer w) {
        byte[] packed;
        long p = handle.acquire();
        try {
            packed = AclNative.nativeDenial(p, w.buf, w.len);
        } finally {
            handle.release();
        }
        if (packed != null) {
            // Built in Java: a stackless exception is a few allocations here, while one
            // constructed and thrown through JNI costs several microseconds.
            throw PermissionDeniedException.fromPacked(packed);
        }
    }

    /**
     * {@link #check(String, String...)} as a boolean, without an exception for a denial: the
     * cheap form where denials are frequent.
     *
     * @param user the user name
     * @param argv the command and its arguments, e.g. {@code "GET", "key"}
     * @return true if allowed, false if denied
     * @throws AclException as {@code check} for what is no permission answer: an unknown user
     *     ({@code NOT_FOUND}), an unknown command or a wrong arity ({@code ERR})
     */
    public boolean allowed(String user, String... argv) {
        return allowed(Wire.local().add(user).addAll(argv));
    }

    /**
     * {@link #allowed(String, String...)} with binary arguments.
     *
     * @param user the user name
     * @param argv the command and its arguments
     * @return true if allowed, false if denied
     */
    public boolean allowed(String user, byte[]... argv) {
        return allowed(Wire.local().add(user).addAll(argv));
    }

    /**
     * {@link #allowed(String, String...)} with the user name and arguments as bytes.
     *
     * @param user the user name
     * @param argv the command and its arguments
     * @return true if allowed, false if denied
     */
    public boolean allowed(byte[] user, byte[]... argv) {
        return allowed(Wire.local().add(user).addAll(argv));
    }

    private boolean allowed(Wire.Packer w) {
        long p = handle.acquire();
        try {
            return AclNative.nativeAllowed(p, w.buf, w.len);
        } finally {
            handle.release();
        }
    }

    /**
     * {@link #check(String, String...)} with the denial as a value instead of an exception.
     *
     * @param user the user name
     * @param argv the command and its arguments, e.g. {@code "GET", "key"}
     * @return null if allowed, else what was refused and the NOPERM text {@code check} throws
     * @throws AclException as {@link #allowed(String, String...)}
     */
    public AclDenial denial(String user, String... argv) {
        return denial(Wire.local().add(user).addAll(argv));
    }

    /**
     * {@link #denial(String, String...)} with binary arguments.
     *
     * @param user the user name
     * @param argv the command and its arguments
     * @return null if allowed, else the denial
     */
    public AclDenial denial(String user, byte[]... argv) {
        return denial(Wire.local().add(user).addAll(argv));
    }

    /**
     * {@link #denial(String, String...)} with the user name and arguments as bytes.
     *
     * @param user the user name
     * @param argv the command and its arguments
     * @return null if allowed, else the denial
     */
    public AclDenial denial(byte[] user, byte[]... argv) {
        return denial(Wire.local().add(user).addAll(argv));
    }

    private AclDenial denial(Wire.Packer w) {
        byte[] packed;
        long p = handle.acquire();
        try {
            packed = AclNative.nativeDenial(p, w.buf, w.len);
        } finally {
            handle.release();
        }
        return packed == null ? null : AclDenial.fromPacked(packed);
    }

    /**
     * ACL DRYRUN.
     *
     * @param user the user name
     * @param argv the command and its arguments
     * @return what ACL DRYRUN replies: {@code OK} if allowed, else the verbose denial text
     *     (e.g. {@code This user has no permissions to access the 'k' key})
     * @throws AclException for an unknown user or command, or a wrong arity
     */
    public String dryrun(String user, String... argv) {
        return dryrunPacked(Wire.packer().add(user).addAll(argv).toArray());
    }

    /**
     * {@link #dryrun(String, String...)} with binary arguments.
     *
     * @param user the user name
     * @param argv the command and its arguments
     * @return {@code OK} or the denial text
     */
    public String dryrun(String user, byte[]... argv) {
        return dryrunPacked(Wire.packer().add(user).addAll(argv).toArray());
    }

    /**
     * {@link #dryrun(String, String...)} with the user name and arguments as bytes.
     *
     * @param user the user name
     * @param argv the command and its arguments
     * @return {@code OK} or the denial text
     */
    public String dryrun(byte[] user, byte[]... argv) {
        return dryrunPacked(Wire.packer().add(user).addAll(argv).toArray());
    }

    private String dryrunPacked(byte[] packed) {
        return new String(with(p -> AclNative.nativeDryrun(p, packed)), StandardCharsets.UTF_8);
    }

    /**
     * ACL LOG count: the newest entries, newest first.
     *
     * @param count how many entries at most
     * @return the entries
     * @throws AuthgateException code {@code INVALID_ARGUMENT} for a negative count
     */
    public List<AclLogEntry> log(int count) {
        return AclLogEntry.listFromPacked(with(p -> AclNative.nativeLog(p, true, count)));
    }

    /**
     * ACL LOG: the newest entries (as many as ACL LOG without a count shows), newest first.
     *
     * @return the entries
     */
    public List<AclLogEntry> log() {
        return AclLogEntry.listFromPacked(with(p -> AclNative.nativeLog(p, false, 0)));
    }

    /** ACL LOG RESET. */
    public void logReset() {
        run(AclNative::nativeLogReset);
    }

    /**
     * ACL GENPASS: {@link #DEFAULT_GENPASS_BITS} random bits as hex characters.
     *
     * @return a random password
     */
    public static String genpass() {
        return genpass(DEFAULT_GENPASS_BITS);
    }

    /**
     * ACL GENPASS bits.
     *
     * @param bits 1 to 4096
     * @return ceil(bits / 4) random hex characters
     * @throws AclException with Redis' text for a bit count out of range
     */
    public static String genpass(int bits) {
        return new String(AclNative.nativeGenpass(bits), StandardCharsets.US_ASCII);
    }

    /**
     * ACL LOAD: replaces every user with the aclfile's, all or nothing.
     *
     * @param path the aclfile
     * @throws ConfigException with Redis' ACL LOAD text
     */
    public void load(Path path) {
        load(pathBytes(path));
    }

    /**
     * {@link #load(Path)} with a path string.
     *
     * @param path the aclfile
     */
    public void load(String path) {
        load(Path.of(path));
    }

    /**
     * {@link #load(Path)} with the path's bytes.
     *
     * @param path the aclfile
     */
    public void load(byte[] path) {
        Objects.requireNonNull(path, "path");
        run(p -> AclNative.nativeLoad(p, path));
    }

    /**
     * ACL SAVE: writes every user to the aclfile atomically.
     *
     * @param path the aclfile
     * @throws AuthgateException code {@code IO} with Redis' ACL SAVE text
     */
    public void save(Path path) {
        save(pathBytes(path));
    }

    /**
     * {@link #save(Path)} with a path string.
     *
     * @param path the aclfile
     */
    public void save(String path) {
        save(Path.of(path));
    }

    /**
     * {@link #save(Path)} with the path's bytes.
     *
     * @param path the aclfile
     */
    public void save(byte[] path) {
        Objects.requireNonNull(path, "path");
        run(p -> AclNative.nativeSave(p, path));
    }

    /**
     * Validates an aclfile without applying it (read with this engine's
     * {@code acl-pubsub-default}).
     *
     * @param path the aclfile
     * @throws ConfigException with Redis' ACL LOAD text if it would not load
     */
    public void checkAclfile(Path path) {
        checkAclfile(pathBytes(path));
    }

    /**
     * {@link #checkAclfile(Path)} with a path string.
     *
     * @param path the aclfile
     */
    public void checkAclfile(String path) {
        checkAclfile(Path.of(path));
    }

    /**
     * {@link #checkAclfile(Path)} with the path's bytes.
     *
     * @param path the aclfile
     */
    public void checkAclfile(byte[] path) {
        Objects.requireNonNull(path, "path");
        run(p -> AclNative.nativeCheckAclfile(p, path));
    }

    /**
     * {@code requirepass}: the {@code default} user's only password ({@code resetpass} then
     * {@code >password}); an empty password gives {@code nopass}.
     *
     * @param password the password
     */
    public void setRequirepass(String password) {
        setRequirepass(Wire.utf8(password));
    }

    /**
     * {@link #setRequirepass(String)} with the password as bytes.
     *
     * @param password the password
     */
    public void setRequirepass(byte[] password) {
        Objects.requireNonNull(password, "password");
        run(p -> AclNative.nativeSetRequirepass(p, password));
    }

    /**
     * The current settings.
     *
     * @return {@code acl-pubsub-default} and {@code acllog-max-len}
     */
    public AclOptions options() {
        return AclOptions.fromPacked(with(AclNative::nativeOptions));
    }

    /**
     * Replaces both settings, as two CONFIG SETs.
     *
     * @param options the new settings
     */
    public void setOptions(AclOptions options) {
        byte[] pubsub = Wire.utf8(options.pubsubDefault());
        int n = options.logMaxLen();
        run(p -> AclNative.nativeSetOptions(p, pubsub, n));
    }

    /**
     * {@code acl-pubsub-default}.
     *
     * @return {@code allchannels} or {@code resetchannels}
     */
    public String pubsubDefault() {
        return with(AclNative::nativePubsubDefault);
    }

    /**
     * CONFIG SET {@code acl-pubsub-default}: applies to users and selectors created (or
     * {@code reset}) afterwards.
     *
     * @param value {@code allchannels} or {@code resetchannels}, any ASCII case
     * @throws AuthgateException code {@code INVALID_ARGUMENT} with Redis' text for another value
     */
    public void setPubsubDefault(String value) {
        setPubsubDefault(Wire.utf8(value));
    }

    /**
     * {@link #setPubsubDefault(String)} with the value as bytes.
     *
     * @param value {@code allchannels} or {@code resetchannels}, any ASCII case
     */
    public void setPubsubDefault(byte[] value) {
        Objects.requireNonNull(value, "value");
        run(p -> AclNative.nativeSetPubsubDefault(p, value));
    }

    /**
     * {@code acllog-max-len}.
     *
     * @return the most ACL LOG entries kept
     */
    public int logMaxLen() {
        return with(AclNative::nativeLogMaxLen);
    }

    /**
     * CONFIG SET {@code acllog-max-len}.
     *
     * @param n the most ACL LOG entries kept, at least 0
     * @throws AuthgateException code {@code INVALID_ARGUMENT} for a negative value
     */
    public void setLogMaxLen(int n) {
        run(p -> AclNative.nativeSetLogMaxLen(p, n));
    }

    /**
     * True once {@link #close()} was called.
     *
     * @return whether the engine is closed
     */
    public boolean isClosed() {
        return handle.isClosed();
    }

    /** Frees the native engine (idempotent). A running {@link Server} keeps its own reference. */
    @Override
    public void close() {
        cleanable.clean();
    }
}
