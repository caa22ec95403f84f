package io.authgate;

import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.LongFunction;

/**
 * The RESP server (Redis protocol, RESP2/RESP3) enforcing an {@link Acl}: clients such as
 * Jedis or redis-cli connect, AUTH as the engine's users and get Redis' replies, NOPERM and
 * WRONGPASS errors included. The server shares the engine: a {@code setuser} made from Java
 * applies to live connections at once, as ACL SETUSER does in Redis; denials and failed
 * AUTHs are recorded in the engine's {@link Acl#log(int) ACL LOG}.
 *
 * <pre>{@code
 * try (Acl acl = new Acl(); Server server = Server.start(acl, "127.0.0.1", 0)) {
 *     int port = server.port();
 * }
 * try (Server server = Server.builder(acl).requirepass("pw").maxclients(100).build()) {
 *     server.start();      // binds; port 0 (the default) picks a free port
 *     server.restart();    // stop, then start with the same settings
 *     server.stop();
 * }
 * }</pre>
 *
 * <p>A server is restartable: {@link #start()}, {@link #stop()}, {@link #restart()}, until
 * {@link #close()}, which stops it, closes every connection, waits for its threads and frees
 * it; a {@link Cleaner} does the same for servers that are never closed. Options left unset
 * take core's defaults (or a config file's values). The server keeps the engine alive even if
 * the {@code Acl} is closed first. Thread-safe.
 */
public final class Server implements AutoCloseable {
    static {
        NativeLib.ensureLoaded();
    }

    private final Handle handle;
    private final Cleaner.Cleanable cleanable;
    private final Acl acl;

    private Server(Acl acl, long ptr) {
        this.acl = acl;
        this.handle = new Handle("Server", ptr, Server::nativeFree);
        this.cleanable = Handle.CLEANER.register(this, handle);
    }

    /**
     * Starts a server on {@code host:port} (port 0 picks a free port); the other options take
     * core's defaults.
     *
     * @param acl the engine to enforce (shared, not copied)
     * @param host the address to listen on, e.g. {@code 127.0.0.1}
     * @param port the TCP port, or 0
     * @return the running server
     * @throws AuthgateException code {@code IO} if the address cannot be bound,
     *     {@code INVALID_ARGUMENT} for a port outside 0..65535
     */
    public static Server start(Acl acl, String host, int port) {
        return builder(acl).host(host).port(port).start();
    }

    /**
     * Starts a server with core's defaults: loopback, a free port.
     *
     * @param acl the engine to enforce
     * @return the running server
     */
    public static Server start(Acl acl) {
        return builder(acl).start();
    }

    /**
     * A builder for a server enforcing {@code acl}.
     *
     * @param acl the engine to enforce (shared, not copied)
     * @return a builder with every option unset
     */
    public static Builder builder(Acl acl) {
        return new Builder(acl);
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
     * Binds and serves (on the server's own threads). Applies the startup ACL settings
     * (requirepass, aclfile, a config file's users) to the shared engine, as Redis does.
     *
     * @return the bound port
     * @throws AuthgateException code {@code INVALID_ARGUMENT} if it is running, {@code IO} if
     *     the address cannot be bound; {@link ConfigException} for a bad aclfile or setting
     */
    public int start() {
        return with(Server::nativeStart);
    }

    /**
     * Stops the server: closes the listeners and every connection and waits for its threads.
     *
     * @return false if it was not running
     */
    public boolean stop() {
        return with(Server::nativeStop);
    }

    /**
     * Stops the server if it runs, then starts it again with the same settings (port 0 picks
     * a new free port).
     *
     * @return the bound port
     */
    public int restart() {
        return with(Server::nativeRestart);
    }

    /**
     * True while the server runs.
     *
     * @return whether it is started
     */
    public boolean running() {
        return with(Server::nativeRunning);
    }

    /**
     * The port: the bound port while running (useful after starting on port 0), the last
     * bound port after a stop, and before the first start the configured port (0: a free one
     * is picked at start).
     *
     * @return the TCP port
     * @throws IllegalStateException once closed
     */
    public int port() {
        return with(Server::nativePort);
    }

    /**
     * The TLS port: the bound one while running (a free one when {@code tlsPort} is 0 or
     * unset), the last one after a stop; empty before the first start and for a server
     * without a TLS listener.
     *
     * @return the TLS port, if any
     * @throws IllegalStateException once closed
     */
    public OptionalInt tlsPort() {
        int port = with(Server::nativeTlsPort);
        return port == 0 ? OptionalInt.empty() : OptionalInt.of(port);
    }

    /**
     * The configured address(es), space-separated as in redis.conf's {@code bind}.
     *
     * @return e.g. {@code 127.0.0.1}
     */
    public String host() {
        return with(Server::nativeHost);
    }

    /**
     * The configured {@code maxclients}.
     *
     * @return the most simultaneous clients
     */
    public int maxclients() {
        return with(Server::nativeMaxclients);
    }

    /**
     * The engine this server enforces.
     *
     * @return the shared engine
     */
    public Acl acl() {
        return acl;
    }

    /**
     * True once {@link #close()} was called.
     *
     * @return whether the server is closed
     */
    public boolean isClosed() {
        return handle.isClosed();
    }

    /** Stops the server, closes its connections, waits for its threads and frees it (idempotent). */
    @Override
    public void close() {
        cleanable.clean();
    }

    /**
     * The settings of a {@link Server}. Every option left unset takes core's default (with a
     * {@link #config(Path) config file}: the file's value, else Redis' default); an option set
     * here overrides the file, as a redis-server command-line option does.
     */
    public static final class Builder {
        private final Acl acl;
        private String host;
        private Integer port;
        private byte[] requirepass;
        private byte[] aclfile;
        private Integer maxclients;
        private byte[] config;
        /** TLS options by vocabulary name ({@code tls_port}, ...), as redis.conf text; core parses them. */
        private final Map<String, byte[]> tls = new LinkedHashMap<>();
        /** Certificate users: name to subject line. */
        private final Map<String, String> certificateUsers = new TreeMap<>();

        private Builder(Acl acl) {
            this.acl = Objects.requireNonNull(acl, "acl");
        }

        /**
         * The address(es) to listen on (Redis' {@code bind} syntax: several space-separated
         * addresses, {@code -} marking an optional one, {@code *} for all).
         *
         * @param host e.g. {@code 127.0.0.1}
         * @return this builder
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * The TCP port; 0 picks a free one at each start.
         *
         * @param port 0 to 65535
         * @return this builder
         */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * {@code requirepass}: the {@code default} user's password, set at start.
         *
         * @param password the password
         * @return this builder
         */
        public Builder requirepass(String password) {
            return requirepass(Wire.utf8(password));
        }

        /**
         * {@link #requirepass(String)} with the password as bytes.
         *
         * @param password the password
         * @return this builder
         */
        public Builder requirepass(byte[] password) {
            this.requirepass = Objects.requireNonNull(password, "password").clone();
            return this;
        }

        /**
         * {@code aclfile}: loaded at start, used by ACL LOAD and ACL SAVE.
         *
         * @param path the aclfile
         * @return this builder
         */
        public Builder aclfile(Path path) {
            return aclfile(Wire.utf8(Objects.requireNonNull(path, "path").toString()));
        }

        /**
         * {@link #aclfile(Path)} with a path string.
         *
         * @param path the aclfile
         * @return this builder
         */
        public Builder aclfile(String path) {
            return aclfile(Path.of(path));
        }

        /**
         * {@link #aclfile(Path)} with the path's bytes.
         *
         * @param path the aclfile
         * @return this builder
         */
        public Builder aclfile(byte[] path) {
            this.aclfile = Objects.requireNonNull(path, "path").clone();
            return this;
        }

        /**
         * {@code maxclients}: the most simultaneous clients.
         *
         * @param n at least 1
         * @return this builder
         */
        public Builder maxclients(int n) {
            this.maxclients = n;
            return this;
        }

        /**
         * A redis.conf-style file ({@code port}, {@code bind}, {@code requirepass},
         * {@code aclfile}, {@code user ...}, ...), read by {@link #build()}.
         *
         * @param path the config file
         * @return this builder
         */
        public Builder config(Path path) {
            return config(Wire.utf8(Objects.requireNonNull(path, "path").toString()));
        }

        /**
         * {@link #config(Path)} with a path string.
         *
         * @param path the config file
         * @return this builder
         */
        public Builder config(String path) {
            return config(Path.of(path));
        }

        /**
         * {@link #config(Path)} with the path's bytes.
         *
         * @param path the config file
         * @return this builder
         */
        public Builder config(byte[] path) {
            this.config = Objects.requireNonNull(path, "path").clone();
            return this;
        }

        private Builder tls(String name, byte[] value) {
            tls.put(name, Objects.requireNonNull(value, name).clone());
            return this;
        }

        private static byte[] path(Path path) {
            return Wire.utf8(Objects.requireNonNull(path, "path").toString());
        }

        /**
         * {@code tls-port}. Unset or 0 with a {@link #tlsCertFile(Path) certificate}: a free
         * port at each start, read from {@link Server#tlsPort()}.
         *
         * @param port 0 to 65535
         * @return this builder
         */
        public Builder tlsPort(int port) {
            return tls("tls_port", Wire.utf8(Integer.toString(port)));
        }

        /**
         * {@code tls-cert-file}: the server's certificate chain (PEM, leaf first).
         *
         * @param path the PEM file
         * @return this builder
         */
        public Builder tlsCertFile(Path path) {
            return tls("tls_cert_file", path(path));
        }

        /**
         * {@link #tlsCertFile(Path)} with a path string.
         *
         * @param path the PEM file
         * @return this builder
         */
        public Builder tlsCertFile(String path) {
            return tlsCertFile(Path.of(path));
        }

        /**
         * {@code tls-key-file}: the server's private key (PEM; an encrypted PKCS#8 key needs
         * {@link #tlsKeyFilePass(String)}).
         *
         * @param path the PEM file
         * @return this builder
         */
        public Builder tlsKeyFile(Path path) {
            return tls("tls_key_file", path(path));
        }

        /**
         * {@link #tlsKeyFile(Path)} with a path string.
         *
         * @param path the PEM file
         * @return this builder
         */
        public Builder tlsKeyFile(String path) {
            return tlsKeyFile(Path.of(path));
        }

        /**
         * {@code tls-key-file-pass}: the key file's passphrase (empty: none).
         *
         * @param pass the passphrase
         * @return this builder
         */
        public Builder tlsKeyFilePass(String pass) {
            return tls("tls_key_file_pass", Wire.utf8(pass));
        }

        /**
         * {@link #tlsKeyFilePass(String)} with the passphrase's bytes.
         *
         * @param pass the passphrase
         * @return this builder
         */
        public Builder tlsKeyFilePass(byte[] pass) {
            return tls("tls_key_file_pass", pass);
        }

        /**
         * {@code tls-ca-cert-file}: the CAs client certificates must chain to (PEM bundle).
         *
         * @param path the PEM file
         * @return this builder
         */
        public Builder tlsCaCertFile(Path path) {
            return tls("tls_ca_cert_file", path(path));
        }

        /**
         * {@link #tlsCaCertFile(Path)} with a path string.
         *
         * @param path the PEM file
         * @return this builder
         */
        public Builder tlsCaCertFile(String path) {
            return tlsCaCertFile(Path.of(path));
        }

        /**
         * {@code tls-ca-cert-dir}: a directory of PEM CA files.
         *
         * @param path the directory
         * @return this builder
         */
        public Builder tlsCaCertDir(Path path) {
            return tls("tls_ca_cert_dir", path(path));
        }

        /**
         * {@link #tlsCaCertDir(Path)} with a path string.
         *
         * @param path the directory
         * @return this builder
         */
        public Builder tlsCaCertDir(String path) {
            return tlsCaCertDir(Path.of(path));
        }

        /**
         * {@code tls-auth-clients}: {@code yes} (the default: a certificate is required),
         * {@code no} or {@code optional}, in any case; another value fails {@link #build()}
         * with {@code INVALID_ARGUMENT} and Redis' text.
         *
         * @param mode the mode
         * @return this builder
         */
        public Builder tlsAuthClients(String mode) {
            return tls("tls_auth_clients", Wire.utf8(mode));
        }

        /**
         * {@code tls-auth-clients-user} (Valkey / Redis 8.6): {@code off} (the default),
         * {@code CN} or {@code URI}: the certificate field naming the user it logs in as.
         *
         * @param mode the mode
         * @return this builder
         */
        public Builder tlsAuthClientsUser(String mode) {
            return tls("tls_auth_clients_user", Wire.utf8(mode));
        }

        /**
         * {@code tls-protocols}, e.g. {@code "TLSv1.2 TLSv1.3"}.
         *
         * @param protocols space-separated
         * @return this builder
         */
        public Builder tlsProtocols(String protocols) {
            return tls("tls_protocols", Wire.utf8(protocols));
        }

        /**
         * {@code tls-ciphersuites}: TLS 1.3 suites, colon-separated.
         *
         * @param suites the suites
         * @return this builder
         */
        public Builder tlsCiphersuites(String suites) {
            return tls("tls_ciphersuites", Wire.utf8(suites));
        }

        /**
         * {@code tls-ciphers}: TLS 1.2 suites in OpenSSL's names.
         *
         * @param ciphers the suites
         * @return this builder
         */
        public Builder tlsCiphers(String ciphers) {
            return tls("tls_ciphers", Wire.utf8(ciphers));
        }

        /**
         * {@code tls-prefer-server-ciphers} (accepted; rustls always prefers its own order).
         *
         * @param prefer yes or no
         * @return this builder
         */
        public Builder tlsPreferServerCiphers(boolean prefer) {
            return tls("tls_prefer_server_ciphers", Wire.utf8(prefer ? "yes" : "no"));
        }

        /**
         * A Redis Software certificate user, registered at every start: the ACL user (created
         * off if missing) gets {@code resetpass}, and a client certificate whose RFC 2253
         * subject is exactly {@code subjectLine} logs in as it. A malformed line fails
         * {@link #build()} with a {@link CertificateException}.
         *
         * @param name the ACL user
         * @param subjectLine the subject as {@code openssl x509 -subject -nameopt RFC2253} prints it
         * @return this builder
         */
        public Builder certificateUser(String name, String subjectLine) {
            certificateUsers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(subjectLine, "subjectLine"));
            return this;
        }

        /**
         * A stopped server with these settings; {@link Server#start()} starts it.
         *
         * @return the server
         * @throws ConfigException for a config file that does not read or a bad setting;
         *     {@link AuthgateException} code {@code INVALID_ARGUMENT} for a value out of range
         */
        public Server build() {
            byte[] h = host == null ? null : Wire.utf8(host);
            boolean hasPort = port != null;
            int p = hasPort ? port : 0;
            boolean hasMax = maxclients != null;
            int m = hasMax ? maxclients : 0;
            Wire.Packer t = Wire.packer();
            tls.forEach((name, value) -> t.add(name).add(value));
            Wire.Packer users = Wire.packer();
            certificateUsers.forEach((name, line) -> users.add(name).add(line));
            byte[] tw = t.toArray();
            byte[] uw = users.toArray();
            long ptr = acl.with(a -> nativeNew(a, h, hasPort, p, requirepass, aclfile, hasMax, m, config, tw, uw));
            return new Server(acl, ptr);
        }

        /**
         * {@link #build()}, then {@link Server#start()}.
         *
         * @return the running server
         */
        public Server start() {
            Server server = build();
            try {
                server.start();
                return server;
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
        }
    }

    private static native long nativeNew(long acl, byte[] host, boolean hasPort, int port, byte[] requirepass,
            byte[] aclfile, boolean hasMaxclients, int maxclients, byte[] config, byte[] tls, byte[] certificateUsers);

    private static native int nativeTlsPort(long handle);

    private static native void nativeFree(long handle);

    private static native int nativeStart(long handle);

    private static native boolean nativeStop(long handle);

    private static native int nativeRestart(long handle);

    private static native boolean nativeRunning(long handle);

    private static native int nativePort(long handle);

    private static native String nativeHost(long handle);

    private static native int nativeMaxclients(long handle);
}
