package example;

import io.authgate.Acl;
import io.authgate.NativeLib;
import io.authgate.PermissionDeniedException;
import io.authgate.Server;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The README's Java program, run against the installed jar, with a check after each step:
 * exits non-zero if a result is not Redis'.
 */
public final class Consumer {
    private Consumer() {
    }

    /**
     * Runs the program.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        try (Acl acl = new Acl()) {
            acl.setuser("alice", "on", ">secret", "~cache:*", "+get", "+set");
            require(acl.authenticate("alice", "secret"), "alice authenticates");
            try {
                acl.check("alice", "DEL", "cache:1");
                throw new AssertionError("DEL should be denied");
            } catch (PermissionDeniedException e) {
                System.out.println(e.reason() + " " + e.getMessage());
                require(e.code().equals("NOPERM") && e.reason().equals("command"), e.code() + " " + e.reason());
                require(e.getMessage().equals("NOPERM this user has no permissions to run the 'del' command"),
                        e.getMessage());
            }
            // The non-throwing forms, for hot paths: a boolean, or the denial as a value (null if allowed).
            require(!acl.allowed("alice", "DEL", "cache:1"), "allowed() answers false");
            require(acl.denial("alice", "DEL", "cache:1").reason().equals("command"), "denial() gives the reason");
            try (Server server = Server.builder(acl).port(0).start();
                    Jedis r = new Jedis("127.0.0.1", server.port())) {
                r.auth("alice", "secret");
                require(r.set("cache:1", "v").equals("OK"), "SET through the server");
                acl.setuser("alice", "-set");
                try {
                    r.set("cache:1", "w");
                    throw new AssertionError("SET should be denied on the open connection");
                } catch (JedisDataException e) {
                    require(e.getMessage().startsWith("NOPERM"), e.getMessage());
                }
                require(r.get("cache:1").equals("v"), "GET still allowed");
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
