package io.authgate;

/**
 * One selector of a user, as ACL GETUSER describes it.
 *
 * @param commands the command rules, e.g. {@code -@all +get}
 * @param keys key patterns joined by spaces ({@code ~*} for allkeys, empty if none)
 * @param channels channel patterns joined by spaces ({@code &*} for allchannels, empty if none)
 */
public record AclSelector(String commands, String keys, String channels) {
    /** Reads commands, keys and channels from the native layout. */
    static AclSelector read(Wire.Reader r) {
        return new AclSelector(r.next(), r.next(), r.next());
    }
}
