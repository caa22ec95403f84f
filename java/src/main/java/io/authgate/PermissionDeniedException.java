package io.authgate;

import java.nio.charset.StandardCharsets;

/**
 * {@link Acl#check} denied a command: code {@code NOPERM}, message as Redis sends it (for
 * example {@code NOPERM this user has no permissions to access one of the keys used as
 * arguments}), and what was refused.
 *
 * <p>A denial is an expected answer, not a bug, so this exception carries no stack trace
 * ({@code getStackTrace()} is empty): filling one in would cost many times the check itself.
 * Where denials are frequent, {@link Acl#allowed(String, String...)} and
 * {@link Acl#denial(String, String...)} answer without an exception at all.
 */
public class PermissionDeniedException extends AuthgateException {
    private static final long serialVersionUID = 1L;

    /** {@code command}, {@code key} or {@code channel}. */
    private final String reason;
    /** The command's full name. */
    private final String command;
    /** What was refused, exact bytes. */
    private final byte[] object;

    /**
     * A denial.
     *
     * @param code the stable code ({@code NOPERM})
     * @param message Redis' NOPERM text
     * @param reason {@code command}, {@code key} or {@code channel}
     * @param command the command's full name ({@code get}, {@code client|kill})
     * @param object what was refused: the command's full name for a command denial, else the
     *     key or channel
     */
    public PermissionDeniedException(String code, String message, String reason, String command, byte[] object) {
        this(code, message, reason, command, object, true);
    }

    /**
     * The exception for a denial packed by the native layer: reason, command, object, message
     * and core's code, in that order (the layout {@link AclDenial#fromPacked} reads too).
     */
    static PermissionDeniedException fromPacked(byte[] data) {
        Wire.Reader r = new Wire.Reader(data);
        String reason = r.next();
        String command = r.next();
        byte[] object = r.nextBytes();
        String message = r.next();
        String code = r.next();
        return new PermissionDeniedException(code, message, reason, command, object, false);
    }

    /** As the public constructor; {@code copy} false when the caller hands over its array. */
    private PermissionDeniedException(
            String code, String message, String reason, String command, byte[] object, boolean copy) {
        super(code, message, false);
        this.reason = reason;
        this.command = command;
        this.object = object == null || !copy ? object : object.clone();
    }

    /**
     * What was denied, as ACL LOG's {@code reason}.
     *
     * @return {@code command}, {@code key} or {@code channel}
     */
    public String reason() {
        return reason;
    }

    /**
     * The command's full name, lower case ({@code get}, {@code client|kill}).
     *
     * @return the command
     */
    public String command() {
        return command;
    }

    /**
     * What was refused, as ACL LOG's {@code object}, decoded as UTF-8: the command's full name
     * for a command denial, else the key or channel.
     *
     * @return the object of the denial
     */
    public String object() {
        return object == null ? null : new String(object, StandardCharsets.UTF_8);
    }

    /**
     * {@link #object()} as the exact bytes (a binary key stays intact).
     *
     * @return a copy of the bytes
     */
    public byte[] objectBytes() {
        return object == null ? null : object.clone();
    }
}
