package io.authgate;

import java.util.Objects;

/**
 * The engine settings Redis keeps in its config: {@code acl-pubsub-default} and
 * {@code acllog-max-len}. Immutable; {@link #defaults()} is core's defaults (Redis 7.0's), and
 * values are checked and parsed by core when an instance is made.
 *
 * <pre>{@code
 * AclOptions opts = AclOptions.defaults().withPubsubDefault("allchannels").withLogMaxLen(16);
 * try (Acl acl = new Acl(opts)) { ... }
 * }</pre>
 *
 * @param pubsubDefault {@code allchannels} or {@code resetchannels}, any ASCII case (kept in
 *     core's spelling, lower case)
 * @param logMaxLen the most ACL LOG entries kept, at least 0
 */
public record AclOptions(String pubsubDefault, int logMaxLen) {
    /**
     * Options with these values.
     *
     * @param pubsubDefault {@code allchannels} or {@code resetchannels}, any ASCII case
     * @param logMaxLen the most ACL LOG entries kept, at least 0
     * @throws AuthgateException code {@code INVALID_ARGUMENT}, with Redis' text for an unknown
     *     {@code acl-pubsub-default} value, or for a negative {@code logMaxLen}
     */
    public AclOptions {
        pubsubDefault = AclNative.nativeNormalizeOptions(Wire.utf8(Objects.requireNonNull(pubsubDefault, "pubsubDefault")), logMaxLen);
    }

    /**
     * Core's defaults: Redis 7.0's {@code acl-pubsub-default} and {@code acllog-max-len}.
     *
     * @return the default options
     */
    public static AclOptions defaults() {
        return fromPacked(AclNative.nativeDefaultOptions());
    }

    /**
     * A copy with another {@code acl-pubsub-default}.
     *
     * @param value {@code allchannels} or {@code resetchannels}, any ASCII case
     * @return the new options
     */
    public AclOptions withPubsubDefault(String value) {
        return new AclOptions(value, logMaxLen);
    }

    /**
     * {@link #withPubsubDefault(String)} with the value as bytes.
     *
     * @param value {@code allchannels} or {@code resetchannels}, any ASCII case
     * @return the new options
     */
    public AclOptions withPubsubDefault(byte[] value) {
        return new AclOptions(AclNative.nativeNormalizeOptions(Objects.requireNonNull(value, "value"), logMaxLen), logMaxLen);
    }

    /**
     * A copy with another {@code acllog-max-len}.
     *
     * @param n the most ACL LOG entries kept, at least 0
     * @return the new options
     */
    public AclOptions withLogMaxLen(int n) {
        return new AclOptions(pubsubDefault, n);
    }

    /** Options from the native layout: the pubsub value, then the log length. */
    static AclOptions fromPacked(byte[] packed) {
        Wire.Reader r = new Wire.Reader(packed);
        return new AclOptions(r.next(), r.nextInt());
    }
}
