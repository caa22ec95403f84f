package io.authgate;

import java.nio.charset.StandardCharsets;

/**
 * {@link Acl#check} denied a command: code {@code NOPERM}, message as Redis sends it (for
 * example {@code NOPERM this user has no permissions to access one of the keys used as
 * arguments}).
 */
public class PermissionDeniedException extends AuthgateException {
    private static final long serialVersionUID = 1L;

    private final String reason;
    private final String command;
    private final byte[] object;

    /**
     * A denial.
     *
     * @param message Redis' NOPERM text
     * @param reason {@code command}, {@code key} or {@code channel}
     * @param command the command's full name ({@code get}, {@code client|kill})
     * @param object the denied key or channel, or null for a command denial
     */
    public PermissionDeniedException(String message, String reason, String command, byte[] object) {
        super("NOPERM", message);
        this.reason = reason;
        this.command = command;
        this.object = object == null ? null : object.clone();
    }

    /**
     * What was denied.
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
     * The denied key or channel, decoded as UTF-8; for a command denial, the command name.
     *
     * @return the object of the denial
     */
    public String object() {
        return object == null ? command : new String(object, StandardCharsets.UTF_8);
    }

    /**
     * The denied key or channel as raw bytes, or null for a command denial.
     *
     * @return a copy of the bytes, or null
     */
    public byte[] objectBytes() {
        return object == null ? null : object.clone();
    }
}
