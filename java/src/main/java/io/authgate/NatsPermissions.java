package io.authgate;

import java.util.List;

/**
 * A NATS user's publish and subscribe permissions as configured ({@link
 * NatsIdentity#permissions()}): core's data, the same in every language authgate exports.
 *
 * @param publish the publish lists
 * @param subscribe the subscribe lists
 * @param allowResponses the reply permission, or null without {@code allow_responses}
 */
public record NatsPermissions(Subjects publish, Subjects subscribe, Responses allowResponses) {
    /**
     * One direction's subject lists. A null list does not restrict; an empty publish {@code
     * allow} (made by {@code allow_responses}) allows only responses. Subscribe entries may be
     * {@code "subject queue"}.
     *
     * @param allow the allowed subjects, or null
     * @param deny the denied subjects, or null
     */
    public record Subjects(List<String> allow, List<String> deny) {
        /** Copies the lists (unmodifiable). */
        public Subjects {
            allow = allow == null ? null : List.copyOf(allow);
            deny = deny == null ? null : List.copyOf(deny);
        }
    }

    /**
     * {@code allow_responses}: {@code max} responses per request within {@code expires}
     * seconds (negative: unlimited, never expiring).
     *
     * @param max responses per request
     * @param expires seconds the permission lasts
     */
    public record Responses(long max, double expires) {}

    /** Decodes {@code NatsIdentity.nativePermissions}: null when the user has none. */
    static NatsPermissions decode(byte[] data) {
        Wire.Reader r = new Wire.Reader(data);
        if (r.next().equals("0")) {
            return null;
        }
        Subjects publish = new Subjects(list(r), list(r));
        Subjects subscribe = new Subjects(list(r), list(r));
        Responses responses = r.next().equals("1") ? new Responses(Long.parseLong(r.next()), Double.parseDouble(r.next())) : null;
        return new NatsPermissions(publish, subscribe, responses);
    }

    private static List<String> list(Wire.Reader r) {
        return r.next().equals("1") ? r.list() : null;
    }
}
