package io.authgate;

/**
 * A permission denial as a value, what {@link Acl#denial(String, String...)} returns: the
 * fields of the {@link PermissionDeniedException} {@link Acl#check(String, String...)} would
 * throw, and its message.
 *
 * @param reason what was denied, as ACL LOG's {@code reason}: {@code command}, {@code key} or
 *     {@code channel}
 * @param command the checked command's full name, lower case ({@code get}, {@code client|kill})
 * @param object what was refused, as ACL LOG's {@code object}, decoded as UTF-8: the command's
 *     full name for a command denial, else the key or channel
 * @param message Redis' error reply, code included (for example
 *     {@code NOPERM this user has no permissions to run the 'del' command})
 */
public record AclDenial(String reason, String command, String object, String message) {

    /** A denial from the native layout: the four fields in order. */
    static AclDenial fromPacked(byte[] data) {
        Wire.Reader r = new Wire.Reader(data);
        return new AclDenial(r.next(), r.next(), r.next(), r.next());
    }
}
