package io.authgate;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The settings a {@link CredentialStore} applies: Milvus' ({@code proxy.minPasswordLength},
 * {@code proxy.maxPasswordLength}, {@code proxy.maxUserNum},
 * {@code common.security.defaultRootPassword}, {@code common.security.superUsers}), the store's
 * own (bcrypt cost, verified-password cache) and, for an etcd store, where Milvus' keys are and
 * how to reach etcd (user/password, TLS). Every option left unset takes core's default, which
 * is Milvus 2.3.5's; the getters report it.
 *
 * <pre>{@code
 * CredentialStoreOptions o = new CredentialStoreOptions().bcryptCost(4).superUsers("root");
 * }</pre>
 *
 * <p>Values are checked when the store opens: an out-of-range one fails there with
 * {@link CredentialException} (Milvus' code 1100). Not thread-safe while being changed.
 */
public final class CredentialStoreOptions {
    static {
        NativeLib.ensureLoaded();
    }

    /** Option name (the vocabulary's snake_case) to its text, as core parses it. */
    private final Map<String, String> values = new LinkedHashMap<>();

    /** Core's defaults, read once. */
    private static final class Defaults {
        static final Map<String, String> VALUES = read();

        private static Map<String, String> read() {
            List<String> pairs = Wire.strings(CredentialStore.nativeDefaults());
            Map<String, String> out = new LinkedHashMap<>();
            for (int i = 0; i + 1 < pairs.size(); i += 2) {
                out.put(pairs.get(i), pairs.get(i + 1));
            }
            return Map.copyOf(out);
        }
    }

    /** Options with every default. */
    public CredentialStoreOptions() {
    }

    private CredentialStoreOptions put(String name, String value) {
        values.put(name, Objects.requireNonNull(value, name));
        return this;
    }

    private String get(String name) {
        String v = values.get(name);
        return v != null ? v : Defaults.VALUES.get(name);
    }

    private int number(String name) {
        return Integer.parseInt(get(name));
    }

    /**
     * {@code proxy.minPasswordLength}: the shortest password, in UTF-8 bytes.
     *
     * @param bytes the length (default 6)
     * @return this
     */
    public CredentialStoreOptions minPasswordLength(int bytes) {
        return put("min_password_length", Integer.toString(bytes));
    }

    /**
     * The shortest password accepted.
     *
     * @return bytes
     */
    public int minPasswordLength() {
        return number("min_password_length");
    }

    /**
     * {@code proxy.maxPasswordLength}: the longest password, in UTF-8 bytes (bcrypt still
     * refuses more than 72, with Milvus' text).
     *
     * @param bytes the length (default 256)
     * @return this
     */
    public CredentialStoreOptions maxPasswordLength(int bytes) {
        return put("max_password_length", Integer.toString(bytes));
    }

    /**
     * The longest password accepted.
     *
     * @return bytes
     */
    public int maxPasswordLength() {
        return number("max_password_length");
    }

    /**
     * {@code proxy.maxUserNum}: how many users may exist, root included.
     *
     * @param users the limit (default 100)
     * @return this
     */
    public CredentialStoreOptions maxUserNum(int users) {
        return put("max_user_num", Integer.toString(users));
    }

    /**
     * The user limit.
     *
     * @return users, root included
     */
    public int maxUserNum() {
        return number("max_user_num");
    }

    /**
     * {@code common.security.defaultRootPassword}: root's password when the store has no root
     * yet (an existing root is never changed).
     *
     * @param password the password (default {@code Milvus})
     * @return this
     */
    public CredentialStoreOptions defaultRootPassword(String password) {
        return put("default_root_password", password);
    }

    /**
     * root's bootstrap password.
     *
     * @return the password
     */
    public String defaultRootPassword() {
        return get("default_root_password");
    }

    /**
     * {@code common.security.superUsers}: callers whose password changes skip the old-password
     * check.
     *
     * @param users the user names (default none)
     * @return this
     */
    public CredentialStoreOptions superUsers(String... users) {
        for (String u : Objects.requireNonNull(users, "users")) {
            Objects.requireNonNull(u, "superUsers element");
            if (u.indexOf(',') >= 0) {
                // Milvus' setting is a comma-separated list, and no valid user name has a comma.
                throw new IllegalArgumentException("a super user name cannot contain ',': " + u);
            }
        }
        return put("super_users", String.join(",", users));
    }

    /**
     * The super users.
     *
     * @return their names
     */
    public List<String> superUsers() {
        String v = get("super_users");
        return v.isEmpty() ? List.of() : List.copyOf(Arrays.asList(v.split(",")));
    }

    /**
     * The bcrypt cost of the hashes this store writes (4..31); hashes of any cost verify.
     *
     * @param cost the cost (default 10; tests use 4, as the Milvus 2.3.5 server writes)
     * @return this
     */
    public CredentialStoreOptions bcryptCost(int cost) {
        return put("bcrypt_cost", Integer.toString(cost));
    }

    /**
     * The bcrypt cost of new hashes.
     *
     * @return the cost
     */
    public int bcryptCost() {
        return number("bcrypt_cost");
    }

    /**
     * Remembers a verified password for {@code ttl} as a keyed MAC (never the password), so a
     * repeated login skips bcrypt; forgotten on update and delete. Default: no cache.
     *
     * @param ttl how long (zero or more)
     * @return this
     */
    public CredentialStoreOptions verifiedCacheTtl(Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("verifiedCacheTtl must not be negative: " + ttl);
        }
        return put("verified_cache_ttl", ttl.toSeconds() + "." + String.format("%09d", ttl.toNanosPart()));
    }

    /**
     * How long a verified password is remembered.
     *
     * @return the time, or null when the cache is off
     */
    public Duration verifiedCacheTtl() {
        String v = get("verified_cache_ttl");
        return v == null ? null : Duration.ofNanos(new java.math.BigDecimal(v).movePointRight(9).longValueExact());
    }

    /**
     * etcd store: Milvus' {@code etcd.rootPath}.
     *
     * @param rootPath the prefix (default {@code by-dev})
     * @return this
     */
    public CredentialStoreOptions rootPath(String rootPath) {
        return put("root_path", rootPath);
    }

    /**
     * Milvus' {@code etcd.rootPath}.
     *
     * @return the prefix
     */
    public String rootPath() {
        return get("root_path");
    }

    /**
     * etcd store: Milvus' {@code etcd.metaSubPath}.
     *
     * @param metaSubPath the path under the root (default {@code meta})
     * @return this
     */
    public CredentialStoreOptions metaSubPath(String metaSubPath) {
        return put("meta_sub_path", metaSubPath);
    }

    /**
     * Milvus' {@code etcd.metaSubPath}.
     *
     * @return the path
     */
    public String metaSubPath() {
        return get("meta_sub_path");
    }

    /**
     * etcd store: the etcd user, when etcd has auth enabled (with {@link #etcdPassword}).
     *
     * @param user the user
     * @return this
     */
    public CredentialStoreOptions etcdUser(String user) {
        return put("etcd_user", user);
    }

    /**
     * The etcd user.
     *
     * @return the user, or null
     */
    public String etcdUser() {
        return get("etcd_user");
    }

    /**
     * etcd store: the etcd user's password (with {@link #etcdUser}).
     *
     * @param password the password
     * @return this
     */
    public CredentialStoreOptions etcdPassword(String password) {
        return put("etcd_password", password);
    }

    /**
     * Whether an etcd password is set (it is not given back).
     *
     * @return true when set
     */
    public boolean hasEtcdPassword() {
        return values.containsKey("etcd_password");
    }

    /**
     * etcd store: PEM file of the CA that signs the etcd servers' certificates (TLS on).
     *
     * @param pem the file
     * @return this
     */
    public CredentialStoreOptions etcdCa(Path pem) {
        return put("etcd_ca", Objects.requireNonNull(pem, "pem").toString());
    }

    /**
     * The CA file.
     *
     * @return the path, or null
     */
    public Path etcdCa() {
        return path("etcd_ca");
    }

    /**
     * etcd store: PEM file of a client certificate (with {@link #etcdKey}; TLS on).
     *
     * @param pem the file
     * @return this
     */
    public CredentialStoreOptions etcdCert(Path pem) {
        return put("etcd_cert", Objects.requireNonNull(pem, "pem").toString());
    }

    /**
     * The client certificate file.
     *
     * @return the path, or null
     */
    public Path etcdCert() {
        return path("etcd_cert");
    }

    /**
     * etcd store: PEM file of the client certificate's key (with {@link #etcdCert}).
     *
     * @param pem the file
     * @return this
     */
    public CredentialStoreOptions etcdKey(Path pem) {
        return put("etcd_key", Objects.requireNonNull(pem, "pem").toString());
    }

    /**
     * The client key file.
     *
     * @return the path, or null
     */
    public Path etcdKey() {
        return path("etcd_key");
    }

    private Path path(String name) {
        String v = get(name);
        return v == null ? null : Path.of(v);
    }

    /** The options set, as name/value pairs for the native side. */
    byte[] pack() {
        Wire.Packer w = Wire.packer();
        for (Map.Entry<String, String> e : values.entrySet()) {
            w.add(e.getKey()).add(e.getValue());
        }
        return w.toArray();
    }
}
