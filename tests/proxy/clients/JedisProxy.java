// Jedis through authgate's proxy, as an ACL user: one line per step, compared by test_clients.py.
// Usage: java -cp CLASSPATH JedisProxy.java PORT USER PASSWORD
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisAccessControlException;

public class JedisProxy {
    public static void main(String[] args) {
        try (Jedis jedis = new Jedis("127.0.0.1", Integer.parseInt(args[0]))) {
            jedis.auth(args[1], args[2]);
            System.out.println("whoami " + jedis.aclWhoAmI());
            System.out.println("set " + jedis.set("j:1", "v"));
            System.out.println("get " + jedis.get("j:1"));
            try {
                jedis.get("other");
                System.out.println("denied none");
            } catch (JedisAccessControlException e) {
                System.out.println("denied " + e.getMessage());
            }
            jedis.hset("j:h", Map.of("a", "1", "b", "2"));
            System.out.println("hgetall " + new TreeMap<>(jedis.hgetAll("j:h")));
            Transaction t = jedis.multi();
            t.incr("j:n");
            t.incr("j:n");
            t.get("j:1");
            System.out.println("multi " + t.exec());
            Pipeline p = jedis.pipelined();
            for (int i = 0; i < 100; i++) {
                p.rpush("j:l", "x");
            }
            List<Object> replies = p.syncAndReturnAll();
            System.out.println("pipeline " + replies.get(replies.size() - 1));
        }
    }
}
