package io.authgate;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The Redis 7.0 ACL engine: users, passwords, selectors, command/key/channel permissions,
 * ACL LIST/GETUSER/LOG/DRYRUN and aclfiles, with Redis 7.0.15's exact behaviour and texts.
 * Method names mirror the ACL subcommands.
 *
 * <pre>{@code
 * try (Acl acl = new Acl()) {
 *     acl.setuser("alice", "on", ">secret", "~cache:*", "+get");
 *     acl.authenticate("alice", "secret");          // true
 *     acl.check("alice", "GET", "cache:1");         // allowed: returns normally
 *     acl.check("alice", "SET", "cache:1", "v");    // throws PermissionDeniedException
 * }
 * }</pre>
 *
 * <p>Thread-safe: any number of threads may call any method at once; changes apply
 * immediately, also to a {@link Server} sharing this engine. {@link #close()} frees the native
 * engine (after in-flight calls return); any later call throws {@link IllegalStateException}.
 * A {@link Cleaner} frees engines that are never closed.
 */
public final class Acl implements AutoCloseable {
    static {
        NativeLib.ensureLoaded();
    }

    final Handle handle;
    private final Cleaner.Cleanable cleanable;

    /** An engine with only the {@code default} user ({@code on nopass ~* &* +@all}). */
    public Acl() {
        this(false, 128);
    }

    /**
     * An engine with Redis' config options.
     *
     * @param pubsubDefaultAllchannels {@code acl-pubsub-default allchannels} (true) or
     *     {@code resetchannels} (false, the 7.0 default)
     * @param logMaxLen {@code acllog-max-len} (128 by default)
     */
    public Acl(boolean pubsubDefaultAllchannels, int logMaxLen) {
        if (logMaxLen < 0) {
            throw new IllegalArgumentException("logMaxLen must not be negative");
        }
        long ptr = nativeNew(pubsubDefaultAllchannels, logMaxLen);
        this.handle = new Handle("Acl", ptr, Acl::nativeFree);
        this.cleanable = Handle.CLEANER.register(this, handle);
    }

    /**
     * An engine loaded from an aclfile.
     *
     * @param path the aclfile
     * @return a new engine holding the file's users
     * @throws AclException with Redis' ACL LOAD text if the file does not load
     */
    public static Acl fromFile(Path path) {
        Acl acl = new Acl();
        try {
            acl.load(path);
            return acl;
        } catch (RuntimeException e) {
            acl.close();
            throw e;
        }
    }

    /**
     * {@link #fromFile(Path)} with a path string.
     *
     * @param path the aclfile
     * @return a new engine holding the file's users
     */
    public static Acl fromFile(String path) {
        return fromFile(Path.of(path));
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
        long p = handle.acquire();
        try {
            nativeSetuser(p, packed);
        } finally {
            handle.release();
            Reference.reachabilityFence(this);
        }
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
        long p = handle.acquire();
        try {
            return nativeDeluser(p, packed);
        } finally {
            handle.release();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * ACL GETUSER.
     *
     * @param name the user name
     * @return the user's description, or null if there is no such user
     */
    public AclUser getuser(String name) {
        byte[] n = Wire.utf8(name);
        byte[] data;
        long p = handle.acquire();
        try {
            data = nativeGetuser(p, n);
        } finally {
            handle.release();
            Reference.reachabilityFence(this);
        }
        if (data == null) {
            return null;
        }
        Wire.Reader r = new Wire.Reader(data);
        List<String> flags = r.list();
        List<String> passwords = r.list();
        String commands = r.next();
        String keys = r.next();
        String channels = r.next();
        int count = r.nextInt();
        List<AclSelector> selectors = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            selectors.add(new AclSelector(r.next(), r.next(), r.next()));
        }
        return new AclUser(flags, passwords, commands, keys, channels, selectors);
    }

    /**
     * ACL USERS.
     *
     * @return user names in byte order
     */
    public List<String> users() {
        long p = handle.acquire();
        try {
            return Wire.strings(nativeUsers(p));
        } finally {
            handle.release();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * ACL LIST.
     *
     * @return {@code user <name> <rules>} lines in name order
     */
    public List<String> list() {
        long p = handle.acquire();
        try {
            return Wire.strings(nativeList(p));
        } finally {
            handle.release();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * ACL CAT.
     *
     * @return the category names
     */
    public List<String> cat() {
        return catImpl(null);
    }

    /**
     * ACL CAT category.
     *
     * @param category a category name such as {@code read}
     * @return the full names of its commands
     * @throws AclException for an unknown category
     */
    public List<String> cat(String category) {
        return catImpl(Wire.utf8(category));
    }

    private List<String> catImpl(byte[] category) {
        long p = handle.acquire();
        try {
            return Wire.strings(nativeCat(p, category));
        } finally {
            handle.release();
            Reference.reachabilityFence(this);
        }
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
            return nativeAuthenticate(p, w.buf, w.len);
        } finally {
            handle.release();
            Reference.reachabilityFence(this);
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
            return nativeAuthenticate(p, w.buf, w.len);
        } finally {
            handle.release();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Decides a command line for a user the way Redis does for an authenticated connection:
     * resolves the command, checks its arity, then the user's permissions (on/off is not
     * considered, as in Redis). Returns normally if allowed.
     *
     * @param user the user name
     * @param argv the command and its arguments, e.g. {@code "GET", "key"}
     * @throws PermissionDeniedException (code {@code NOPERM}) if denied
     * @throws AclException for an unknown user, an unknown command or a wrong arity
     */
    public void check(String user, String... argv) {
        Wire.Packer w = Wire.local().add(user).addAll(argv);
        long p = handle.acquire();
        try {
            nativeCheck(p, w.buf, w.len);
        } finally {
            handle.release();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * {@link #check(String, String...)} with binary arguments.
     *
     * @param user the user name
     * @param argv the command and its arguments
     */
    public void check(String user, byte[]... argv) {
        Wire.Packer w = Wire.local().add(user).addAll(argv);
        long p = handle.acquire();
        try {
            nativeCheck(p, w.buf, w.len);
        } finally {
            handle.release();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * ACL DRYRUN.
     *
     * @param user the user name
     * @param argv the command and its arguments
     * @return {@code OK} if allowed, else the verbose denial text (e.g. {@code This user has no
     *     permissions to access the 'k' key})
     * @throws AclException for an unknown user or command, or a wrong arity
     */
    public String dryrun(String user, String... argv) {
        byte[] packed = Wire.packer().add(user).addAll(argv).toArray();
        long p = handle.acquire();
        try {
            return new String(nativeDryrun(p, packed), java.nio.charset.StandardCharsets.UTF_8);
        } finally {
            handle.release();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * ACL LOG count: the newest entries, newest first.
     *
     * @param count how many entries at most
     * @return the entries
     */
    public List<AclLogEntry> log(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative");
        }
        byte[] data;
        long p = handle.acquire();
        try {
            data = nativeLog(p, count);
        } finally {
            handle.release();
            Reference.reachabilityFence(this);
        }
        Wire.Reader r = new Wire.Reader(data);
        List<AclLogEntry> out = new ArrayList<>();
        while (r.hasMore()) {
            out.add(new AclLogEntry(Long.parseLong(r.next()), r.next(), r.next(), r.next(),
                    r.next(), Double.parseDouble(r.next()), r.next()));
        }
        return List.copyOf(out);
    }

    /**
     * ACL LOG (the newest 10 entries).
     *
     * @return the entries, newest first
     */
    public List<AclLogEntry> log() {
        return log(10);
    }

    /** ACL LOG RESET. */
    public void logReset() {
        long p = handle.acquire();
        try {
            nativeLogReset(p);
        } finally {
            handle.release();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * ACL LOAD: replaces every user with the aclfile's, all or nothing.
     *
     * @param path the aclfile
     * @throws AclException with Redis' ACL LOAD text
     */
    public void load(Path path) {
        byte[] file = Wire.utf8(Objects.requireNonNull(path, "path").toString());
        long p = handle.acquire();
        try {
            nativeLoad(p, file);
        } finally {
            handle.release();
            Reference.reachabilityFence(this);
        }
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
     * ACL SAVE: writes every user to the aclfile atomically.
     *
     * @param path the aclfile
     * @throws AclException with Redis' ACL SAVE text
     */
    public void save(Path path) {
        byte[] file = Wire.utf8(Objects.requireNonNull(path, "path").toString());
        long p = handle.acquire();
        try {
            nativeSave(p, file);
        } finally {
            handle.release();
            Reference.reachabilityFence(this);
        }
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
     * ACL GENPASS: 256 random bits as 64 hex characters.
     *
     * @return a random password
     */
    public static String genpass() {
        return genpass(256);
    }

    /**
     * ACL GENPASS bits.
     *
     * @param bits 1 to 4096
     * @return ceil(bits / 4) random hex characters
     * @throws AclException with Redis' text for a bit count out of range
     */
    public static String genpass(int bits) {
        return new String(nativeGenpass(bits), java.nio.charset.StandardCharsets.US_ASCII);
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

    private static native long nativeNew(boolean allchannels, int logMaxLen);

    private static native void nativeFree(long handle);

    private static native void nativeSetuser(long handle, byte[] packed);

    private static native int nativeDeluser(long handle, byte[] packed);

    private static native byte[] nativeGetuser(long handle, byte[] name);

    private static native byte[] nativeUsers(long handle);

    private static native byte[] nativeList(long handle);

    private static native byte[] nativeCat(long handle, byte[] category);

    private static native boolean nativeAuthenticate(long handle, byte[] packed, int len);

    private static native void nativeCheck(long handle, byte[] packed, int len);

    private static native byte[] nativeDryrun(long handle, byte[] packed);

    private static native byte[] nativeLog(long handle, int count);

    private static native void nativeLogReset(long handle);

    private static native void nativeLoad(long handle, byte[] path);

    private static native void nativeSave(long handle, byte[] path);

    private static native byte[] nativeGenpass(int bits);
}
