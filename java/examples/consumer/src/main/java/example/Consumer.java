package example;

import io.authgate.Acl;
import io.authgate.NativeLib;
import io.authgate.PermissionDeniedException;

/**
 * The README's Java program, run against the installed jar: define a user, authenticate,
 * check an allowed and a denied command. Exits non-zero if any result is not Redis'.
 */
public final class Consumer {
    private Consumer() {
    }

    /**
     * Runs the checks.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        try (Acl acl = new Acl()) {
            acl.setuser("alice", "on", ">secret", "~cache:*", "+get");
            require(acl.authenticate("alice", "secret"), "alice authenticates");
            acl.check("alice", "GET", "cache:1");
            try {
                acl.check("alice", "SET", "cache:1", "v");
                throw new AssertionError("SET should be denied");
            } catch (PermissionDeniedException e) {
                require(e.code().equals("NOPERM"), "code " + e.code());
                require(e.getMessage().equals("NOPERM this user has no permissions to run the 'set' command"),
                        e.getMessage());
                System.out.println("denied: " + e.getMessage());
            }
        }
        // The native library came out of the dependency's jar, not from a library path.
        require(NativeLib.loadedFrom().equals("extracted"), "loaded from " + NativeLib.loadedFrom());
        System.out.println("authgate " + NativeLib.version() + " from the installed jar: ok");
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
