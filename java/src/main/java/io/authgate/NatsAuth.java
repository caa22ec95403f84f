package io.authgate;

import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongFunction;

/**
 * A nats-server (2.9.10) configuration's client authentication: which CONNECTs it accepts, as
 * whom, in which account, and with which publish/subscribe permissions. Configs are read
 * exactly as nats-server reads them (variables, includes, every key and check of
 * {@code nats-server -t}, plus the start-up refusals); operator (JWT) mode is refused.
 *
 * <pre>{@code
 * try (NatsAuth auth = NatsAuth.fromFile(Path.of("nats.conf"));
 *      NatsIdentity id = auth.authenticate(new NatsAuth.Connect().user("alice").password("pw"))) {
 *     boolean ok = id.canPublish("orders.new");
 * }
 * }</pre>
 *
 * <p>A refused login throws {@link AuthException} (code {@code AUTH}, message
 * {@code Authorization Violation}: nats-server gives no reason); a refused config throws
 * {@link ConfigException} (code {@code CONFIG}) with nats-server's text. Thread-safe;
 * {@link #close()} frees the native config (a {@link Cleaner} does it for a forgotten one),
 * identities already returned stay valid.
 */
public final class NatsAuth implements AutoCloseable {
    static {
        NativeLib.ensureLoaded();
    }

    private final Handle handle;
    private final Cleaner.Cleanable cleanable;

    private NatsAuth(long ptr) {
        this.handle = new Handle("NatsAuth", ptr, NatsAuth::nativeFree);
        this.cleanable = Handle.CLEANER.register(this, handle);
    }

    /**
     * Reads a config file as {@code nats-server -c PATH} does (includes relative to it).
     *
     * @param path the config file
     * @return its authentication
     * @throws ConfigException with nats-server's text if the server would refuse the file
     */
    public static NatsAuth fromFile(Path path) {
        return fromFile(Objects.requireNonNull(path, "path").toString());
    }

    /**
     * {@link #fromFile(Path)} with a path string.
     *
     * @param path the config file
     * @return its authentication
     */
    public static NatsAuth fromFile(String path) {
        return new NatsAuth(nativeFromFile(Wire.utf8(path)));
    }

    /**
     * Parses config text, with no file name in error positions and includes relative to the
     * working directory.
     *
     * @param text the config
     * @return its authentication
     * @throws ConfigException with nats-server's text if the server would refuse it
     */
    public static NatsAuth parse(String text) {
        return parse(text, null, null);
    }

    /**
     * Parses config text.
     *
     * @param text the config
     * @param filename the name error positions carry, or null for none
     * @param baseDir the directory includes are relative to, or null for that of
     *     {@code filename}
     * @return its authentication
     * @throws ConfigException with nats-server's text if the server would refuse it
     */
    public static NatsAuth parse(String text, String filename, String baseDir) {
        return parse(Wire.utf8(text), filename, baseDir);
    }

    /**
     * {@link #parse(String, String, String)} with the config as bytes.
     *
     * @param text the config
     * @param filename the name error positions carry, or null for none
     * @param baseDir the directory includes are relative to, or null for that of
     *     {@code filename}
     * @return its authentication
     */
    public static NatsAuth parse(byte[] text, String filename, String baseDir) {
        Objects.requireNonNull(text, "text");
        byte[] f = filename == null ? null : Wire.utf8(filename);
        byte[] d = baseDir == null ? null : Wire.utf8(baseDir);
        return new NatsAuth(nativeParse(text, f, d));
    }

    /**
     * nats-server's single-user command-line mode, {@code --user U --pass P}.
     *
     * @param user the user name
     * @param password its password (plain or bcrypt)
     * @return the authentication
     */
    public static NatsAuth singleUser(String user, String password) {
        return new NatsAuth(nativeSingleUser(Wire.utf8(user), Wire.utf8(password)));
    }

    /**
     * nats-server's token command-line mode, {@code --auth TOKEN}.
     *
     * @param token the token (plain or bcrypt)
     * @return the authentication
     */
    public static NatsAuth token(String token) {
        return new NatsAuth(nativeToken(Wire.utf8(token)));
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
     * The auth timeout nats-server applies: {@code authorization.timeout}, else its default
     * (or the TLS timeout plus one with TLS).
     *
     * @return seconds
     */
    public double authTimeout() {
        return with(NatsAuth::nativeAuthTimeout);
    }

    /**
     * Decides a CONNECT with these credentials. bcrypt passwords make this take as long as
     * their cost: use {@link #authenticateAsync(Connect, Executor)} off latency-sensitive
     * threads.
     *
     * @param connect the CONNECT's credentials
     * @return the logged-in client
     * @throws AuthException code {@code AUTH}, {@code Authorization Violation}, if refused;
     *     {@link AuthgateException} code {@code INVALID_ARGUMENT} for an unknown connection type
     */
    public NatsIdentity authenticate(Connect connect) {
        byte[] packed = Objects.requireNonNull(connect, "connect").pack();
        return new NatsIdentity(with(p -> nativeAuthenticate(p, packed)));
    }

    /**
     * Decides a CONNECT without credentials (an open server, or {@code no_auth_user}).
     *
     * @return the logged-in client
     * @throws AuthException if refused
     */
    public NatsIdentity authenticate() {
        return authenticate(new Connect());
    }

    /**
     * {@link #authenticate(Connect)} on {@code executor}, for bcrypt work off the caller's
     * thread.
     *
     * @param connect the CONNECT's credentials
     * @param executor where the check runs
     * @return the logged-in client, or a future failed with the exception
     *     {@link #authenticate(Connect)} throws
     */
    public CompletableFuture<NatsIdentity> authenticateAsync(Connect connect, Executor executor) {
        Objects.requireNonNull(connect, "connect");
        return CompletableFuture.supplyAsync(() -> authenticate(connect), executor);
    }

    /**
     * True once {@link #close()} was called.
     *
     * @return whether it is closed
     */
    public boolean isClosed() {
        return handle.isClosed();
    }

    /** Frees the native config (idempotent); identities it returned stay valid. */
    @Override
    public void close() {
        cleanable.clean();
    }

    /**
     * The credentials of a CONNECT, set by name; a field left unset is not sent. With a
     * {@link #url(String) URL}, its credentials ({@code nats://user:pass@host},
     * {@code nats://token@host}) apply first and a field set here replaces its part.
     */
    public static final class Connect {
        /** Field order of the native layout (see bindings/java/src/nats.rs). */
        private static final int URL = 0;
        private static final int USER = 1;
        private static final int PASSWORD = 2;
        private static final int TOKEN = 3;
        private static final int NKEY = 4;
        private static final int SIG = 5;
        private static final int NONCE = 6;
        private static final int CONNECTION_TYPE = 7;
        private static final int CERTIFICATE = 8;

        private final byte[][] fields = new byte[9][];

        /** A CONNECT with no credentials. */
        public Connect() {
        }

        private Connect set(int field, byte[] value) {
            fields[field] = Objects.requireNonNull(value, "value").clone();
            return this;
        }

        /**
         * The client URL whose credentials are used.
         *
         * @param url e.g. {@code nats://alice:pw@127.0.0.1:4222}
         * @return this
         */
        public Connect url(String url) {
            return set(URL, Wire.utf8(url));
        }

        /**
         * {@code user}.
         *
         * @param user the user name
         * @return this
         */
        public Connect user(String user) {
            return set(USER, Wire.utf8(user));
        }

        /**
         * {@link #user(String)} as bytes.
         *
         * @param user the user name
         * @return this
         */
        public Connect user(byte[] user) {
            return set(USER, user);
        }

        /**
         * {@code pass}.
         *
         * @param password the password
         * @return this
         */
        public Connect password(String password) {
            return set(PASSWORD, Wire.utf8(password));
        }

        /**
         * {@link #password(String)} as bytes.
         *
         * @param password the password
         * @return this
         */
        public Connect password(byte[] password) {
            return set(PASSWORD, password);
        }

        /**
         * {@code auth_token}.
         *
         * @param token the token
         * @return this
         */
        public Connect token(String token) {
            return set(TOKEN, Wire.utf8(token));
        }

        /**
         * {@link #token(String)} as bytes.
         *
         * @param token the token
         * @return this
         */
        public Connect token(byte[] token) {
            return set(TOKEN, token);
        }

        /**
         * {@code nkey}: the user's public nkey.
         *
         * @param nkey e.g. {@code UD...}
         * @return this
         */
        public Connect nkey(String nkey) {
            return set(NKEY, Wire.utf8(nkey));
        }

        /**
         * {@code sig}: the signature of the server's nonce (base64url or base64).
         *
         * @param sig the signature
         * @return this
         */
        public Connect sig(String sig) {
            return set(SIG, Wire.utf8(sig));
        }

        /**
         * The nonce the server sent in INFO.
         *
         * @param nonce the nonce
         * @return this
         */
        public Connect nonce(String nonce) {
            return set(NONCE, Wire.utf8(nonce));
        }

        /**
         * {@link #nonce(String)} as bytes.
         *
         * @param nonce the nonce
         * @return this
         */
        public Connect nonce(byte[] nonce) {
            return set(NONCE, nonce);
        }

        /**
         * How the client connects, by nats' name ({@code STANDARD} when unset,
         * {@code WEBSOCKET}, {@code LEAFNODE}, {@code LEAFNODE_WS}, {@code MQTT},
         * {@code MQTT_WS}; case-insensitive).
         *
         * @param connectionType the type
         * @return this
         */
        public Connect connectionType(String connectionType) {
            return set(CONNECTION_TYPE, Wire.utf8(connectionType));
        }

        /**
         * The client's TLS certificate (PEM or DER), already verified by the listener, which
         * {@code tls { verify_and_map: true }} maps to a user as nats-server does; bytes that
         * are not a certificate make {@link NatsAuth#authenticate(Connect)} throw
         * {@link CertificateException}.
         *
         * @param certificate the certificate, PEM or DER
         * @return this
         */
        public Connect certificate(byte[] certificate) {
            return set(CERTIFICATE, certificate);
        }

        /** Each field preceded by its presence flag, in the order the native side reads. */
        byte[] pack() {
            Wire.Packer w = Wire.packer();
            byte[] none = new byte[0];
            byte[] present = {'1'};
            for (byte[] f : fields) {
                w.add(f == null ? none : present).add(f == null ? none : f);
            }
            return w.toArray();
        }
    }

    private static native long nativeFromFile(byte[] path);

    private static native long nativeParse(byte[] text, byte[] filename, byte[] baseDir);

    private static native long nativeSingleUser(byte[] user, byte[] password);

    private static native long nativeToken(byte[] token);

    private static native void nativeFree(long handle);

    private static native double nativeAuthTimeout(long handle);

    private static native long nativeAuthenticate(long handle, byte[] packed);
}
