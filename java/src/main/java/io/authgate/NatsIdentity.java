package io.authgate;

import java.lang.ref.Cleaner;
import java.util.List;
import java.util.Objects;
import java.util.function.LongFunction;

/**
 * A client logged in through {@link NatsAuth#authenticate(NatsAuth.Connect)}: its user and
 * account and what it may publish, subscribe to and receive, decided as nats-server 2.9.10
 * decides it (NATS subject matching, deny over allow, queue groups, {@code allow_responses}).
 * Thread-safe; {@link #close()} frees it (a {@link Cleaner} does it for a forgotten one).
 */
public final class NatsIdentity implements AutoCloseable {
    private final Handle handle;
    private final Cleaner.Cleanable cleanable;
    private final String user;
    private final String account;

    NatsIdentity(long ptr) {
        this.handle = new Handle("NatsIdentity", ptr, NatsIdentity::nativeFree);
        this.cleanable = Handle.CLEANER.register(this, handle);
        List<String> names = Wire.strings(with(NatsIdentity::nativeNames));
        this.user = names.get(0);
        this.account = names.get(1);
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
     * The user name: the nkey for an nkey user, empty for a token login or an open server.
     *
     * @return the user name
     */
    public String user() {
        return user;
    }

    /**
     * The account ({@code $G}, the global account, when none is configured).
     *
     * @return the account name
     */
    public String account() {
        return account;
    }

    /**
     * Whether a publish to {@code subject} is allowed now (a response counts under
     * {@code allow_responses}).
     *
     * @param subject the subject
     * @return the verdict
     */
    public boolean canPublish(String subject) {
        return canPublish(Wire.utf8(subject));
    }

    /**
     * {@link #canPublish(String)} with the subject as bytes.
     *
     * @param subject the subject
     * @return the verdict
     */
    public boolean canPublish(byte[] subject) {
        Objects.requireNonNull(subject, "subject");
        return with(p -> nativeCanPublish(p, subject));
    }

    /**
     * Whether a plain subscription to {@code subject} is accepted.
     *
     * @param subject the subject (wildcards allowed)
     * @return the verdict
     */
    public boolean canSubscribe(String subject) {
        return canSubscribe(subject, null);
    }

    /**
     * Whether a subscription to {@code subject} in queue group {@code queue} is accepted
     * (nats-server also refuses a subject its subscription list cannot hold).
     *
     * @param subject the subject (wildcards allowed)
     * @param queue the queue group, or null for a plain subscription
     * @return the verdict
     */
    public boolean canSubscribe(String subject, String queue) {
        return canSubscribe(Wire.utf8(subject), queue == null ? null : Wire.utf8(queue));
    }

    /**
     * {@link #canSubscribe(String, String)} with bytes.
     *
     * @param subject the subject
     * @param queue the queue group, or null
     * @return the verdict
     */
    public boolean canSubscribe(byte[] subject, byte[] queue) {
        Objects.requireNonNull(subject, "subject");
        return with(p -> nativeCanSubscribe(p, subject, queue));
    }

    /**
     * Whether a message on {@code subject} is delivered to this client's (wildcard)
     * subscription: the deny filter nats-server applies at delivery.
     *
     * @param subject the message's subject
     * @return the verdict
     */
    public boolean canReceive(String subject) {
        return canReceive(Wire.utf8(subject));
    }

    /**
     * {@link #canReceive(String)} with the subject as bytes.
     *
     * @param subject the message's subject
     * @return the verdict
     */
    public boolean canReceive(byte[] subject) {
        Objects.requireNonNull(subject, "subject");
        return with(p -> nativeCanReceive(p, subject));
    }

    /**
     * The permissions as configured, or null when the user has none (everything within the
     * account).
     *
     * @return the permissions, or null
     */
    public NatsPermissions permissions() {
        return NatsPermissions.decode(with(NatsIdentity::nativePermissions));
    }

    /**
     * A request carrying the reply subject {@code reply} was delivered to this client: with
     * {@code allow_responses}, {@link #canPublish(String)} then allows {@code reply} (within
     * max and expires). Without {@code allow_responses} it changes nothing.
     *
     * @param reply the request's reply subject
     */
    public void receivedRequest(String reply) {
        receivedRequest(Wire.utf8(reply));
    }

    /**
     * {@link #receivedRequest(String)} with the reply subject as bytes.
     *
     * @param reply the request's reply subject
     */
    public void receivedRequest(byte[] reply) {
        Objects.requireNonNull(reply, "reply");
        with(p -> {
            nativeReceivedRequest(p, reply);
            return null;
        });
    }

    /**
     * True once {@link #close()} was called.
     *
     * @return whether it is closed
     */
    public boolean isClosed() {
        return handle.isClosed();
    }

    /** Frees the identity (idempotent). */
    @Override
    public void close() {
        cleanable.clean();
    }

    private static native void nativeFree(long handle);

    private static native byte[] nativeNames(long handle);

    private static native boolean nativeCanPublish(long handle, byte[] subject);

    private static native boolean nativeCanSubscribe(long handle, byte[] subject, byte[] queue);

    private static native boolean nativeCanReceive(long handle, byte[] subject);

    private static native byte[] nativePermissions(long handle);

    private static native void nativeReceivedRequest(long handle, byte[] reply);
}
