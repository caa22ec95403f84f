package io.authgate;

import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.util.Objects;
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
            long ptr = acl.with(a -> nativeNew(a, h, hasPort, p, requirepass, aclfile, hasMax, m, config));
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
            byte[] aclfile, boolean hasMaxclients, int maxclients, byte[] config);

    private static native void nativeFree(long handle);

    private static native int nativeStart(long handle);

    private static native boolean nativeStop(long handle);

    private static native int nativeRestart(long handle);

    private static native boolean nativeRunning(long handle);

    private static native int nativePort(long handle);

    private static native String nativeHost(long handle);

    private static native int nativeMaxclients(long handle);
}
