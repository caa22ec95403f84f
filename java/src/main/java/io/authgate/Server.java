package io.authgate;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.Objects;

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
 * }</pre>
 *
 * <p>The server runs on its own native threads. {@link #close()} stops it, closes every
 * connection and waits for its threads; a {@link Cleaner} stops servers that are never
 * closed. The server keeps the engine alive even if the {@code Acl} is closed first.
 */
public final class Server implements AutoCloseable {
    static {
        NativeLib.ensureLoaded();
    }

    private final Handle handle;
    private final Cleaner.Cleanable cleanable;
    private final Acl acl;
    private final int port;

    private Server(Acl acl, long ptr) {
        this.acl = acl;
        this.handle = new Handle("Server", ptr, Server::nativeStop);
        this.cleanable = Handle.CLEANER.register(this, handle);
        this.port = nativePort(ptr);
    }

    /**
     * Starts a server on {@code host:port} (port 0 picks a free port).
     *
     * @param acl the engine to enforce (shared, not copied)
     * @param host the address to listen on, e.g. {@code 127.0.0.1}
     * @param port the TCP port, or 0
     * @return the running server
     * @throws AuthgateException with code {@code IO} if the address cannot be bound, or
     *     {@code INVALID_CONFIG} for a bad setting
     */
    public static Server start(Acl acl, String host, int port) {
        Objects.requireNonNull(acl, "acl");
        byte[] h = Wire.utf8(host);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        long a = acl.handle.acquire();
        try {
            return new Server(acl, nativeStart(a, h, port));
        } finally {
            acl.handle.release();
            Reference.reachabilityFence(acl);
        }
    }

    /**
     * Starts a server on 127.0.0.1 with a free port.
     *
     * @param acl the engine to enforce
     * @return the running server
     */
    public static Server start(Acl acl) {
        return start(acl, "127.0.0.1", 0);
    }

    /**
     * The listening port (useful after starting on port 0).
     *
     * @return the TCP port
     * @throws IllegalStateException once closed
     */
    public int port() {
        if (handle.isClosed()) {
            throw new IllegalStateException("Server is closed");
        }
        return port;
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
     * @return whether the server is stopped
     */
    public boolean isClosed() {
        return handle.isClosed();
    }

    /** Stops the server, closes its connections and waits for its threads (idempotent). */
    @Override
    public void close() {
        cleanable.clean();
    }

    private static native long nativeStart(long acl, byte[] host, int port);

    private static native int nativePort(long handle);

    private static native void nativeStop(long handle);
}
