package io.authgate;

import java.util.ArrayList;
import java.util.List;

/**
 * One ACL LOG entry (denials and failed authentications recorded by a {@link Server}).
 *
 * @param count how many events were merged into this entry
 * @param reason {@code command}, {@code key}, {@code channel} or {@code auth}
 * @param context {@code toplevel}, {@code multi}, {@code lua} or {@code module}
 * @param object the command, key or channel (for auth failures: the command typed)
 * @param username the connection's user, or the attempted name for auth failures
 * @param ageSeconds seconds since the entry was last updated
 * @param clientInfo the client's CLIENT LIST line at the last update
 */
public record AclLogEntry(
        long count,
        String reason,
        String context,
        String object,
        String username,
        double ageSeconds,
        String clientInfo) {

    /** Entries from the native layout: seven fields each, numbers as decimal text. */
    static List<AclLogEntry> listFromPacked(byte[] data) {
        Wire.Reader r = new Wire.Reader(data);
        List<AclLogEntry> out = new ArrayList<>();
        while (r.hasMore()) {
            out.add(new AclLogEntry(Long.parseLong(r.next()), r.next(), r.next(), r.next(),
                    r.next(), Double.parseDouble(r.next()), r.next()));
        }
        return List.copyOf(out);
    }
}
