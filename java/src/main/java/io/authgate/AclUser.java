package io.authgate;

import java.util.ArrayList;
import java.util.List;

/**
 * A user as ACL GETUSER describes it.
 *
 * @param flags flag names in Redis' order ({@code on}/{@code off}, {@code nopass},
 *     {@code skip-sanitize-payload} / {@code sanitize-payload})
 * @param passwords SHA-256 digests of the passwords, 64 lowercase hex characters each
 * @param commands the root selector's command rules
 * @param keys the root selector's key patterns
 * @param channels the root selector's channel patterns
 * @param selectors the additional {@code (...)} selectors, in order
 */
public record AclUser(
        List<String> flags,
        List<String> passwords,
        String commands,
        String keys,
        String channels,
        List<AclSelector> selectors) {

    /**
     * A user description; the lists are copied (immutable).
     *
     * @param flags flag names
     * @param passwords password digests
     * @param commands the root selector's command rules
     * @param keys the root selector's key patterns
     * @param channels the root selector's channel patterns
     * @param selectors the additional selectors
     */
    public AclUser {
        flags = List.copyOf(flags);
        passwords = List.copyOf(passwords);
        selectors = List.copyOf(selectors);
    }

    /**
     * True if the user is {@code on}.
     *
     * @return whether the user can authenticate
     */
    public boolean enabled() {
        return flags.contains("on");
    }

    /**
     * True if the user has {@code nopass}.
     *
     * @return whether any password is accepted
     */
    public boolean nopass() {
        return flags.contains("nopass");
    }

    /** A user from the native layout: flags, passwords, root selector, then the selectors. */
    static AclUser fromPacked(byte[] data) {
        Wire.Reader r = new Wire.Reader(data);
        List<String> flags = r.list();
        List<String> passwords = r.list();
        AclSelector root = AclSelector.read(r);
        int count = r.nextInt();
        List<AclSelector> selectors = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            selectors.add(AclSelector.read(r));
        }
        return new AclUser(flags, passwords, root.commands(), root.keys(), root.channels(), selectors);
    }

    /**
     * The root selector.
     *
     * @return commands, keys and channels of the root selector
     */
    public AclSelector root() {
        return new AclSelector(commands, keys, channels);
    }
}
