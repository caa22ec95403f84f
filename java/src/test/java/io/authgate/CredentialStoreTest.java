package io.authgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CredentialStore against Milvus 2.3.5: every step of tests/fixtures/milvus_cases.json
 * (recorded from the real server, the super-user scenario included) replayed in memory and in
 * a file, through the plain and the async forms; the error contract (code CREDENTIAL,
 * milvusCode, Milvus' text); options; milvusAuthorization; closing.
 */
class CredentialStoreTest {
    static final Path CASES = Path.of("..", "tests", "fixtures", "milvus_cases.json");

    /** One step's outcome in the fixture's shape: ok, result, code, message. */
    static Map<String, Object> outcome(CredentialStore store, JsonObject step, String caller, ExecutorService async) {
        Map<String, Object> out = new LinkedHashMap<>();
        String op = step.get("op").getAsString();
        Function<String, String> s = k -> step.get(k).getAsString();
        try {
            Object result = null;
            switch (op) {
                case "create" -> {
                    if (async != null) {
                        store.createUserAsync(s.apply("user"), s.apply("password"), async).join();
                    } else {
                        store.createUser(s.apply("user"), s.apply("password"));
                    }
                }
                case "update" -> {
                    if (async != null) {
                        store.updatePasswordAsync(s.apply("user"), s.apply("old"), s.apply("new"), caller, async).join();
                    } else {
                        store.updatePassword(s.apply("user"), s.apply("old"), s.apply("new"), caller);
                    }
                }
                case "delete" -> {
                    if (async != null) {
                        store.deleteUserAsync(s.apply("user"), async).join();
                    } else {
                        store.deleteUser(s.apply("user"));
                    }
                }
                case "list" -> result = async != null ? store.listUsersAsync(async).join() : store.listUsers();
                case "login" -> result = async != null ? store.verifyAsync(s.apply("user"), s.apply("password"), async).join()
                        : store.verify(s.apply("user"), s.apply("password"));
                default -> throw new AssertionError("unknown op " + op);
            }
            out.put("ok", true);
            if (result != null) {
                out.put("result", result);
            }
        } catch (CompletionException wrapped) {
            record(out, (CredentialException) wrapped.getCause());
        } catch (CredentialException e) {
            record(out, e);
        }
        return out;
    }

    static void record(Map<String, Object> out, CredentialException e) {
        assertEquals("CREDENTIAL", e.code(), e.getMessage());
        out.put("ok", false);
        out.put("code", e.milvusCode().orElseThrow());
        out.put("message", e.getMessage());
    }

    /** The fixture's expectation, without the login refusal text (verify answers false). */
    static Map<String, Object> expected(JsonObject expect) {
        Map<String, Object> want = new LinkedHashMap<>();
        want.put("ok", expect.get("ok").getAsBoolean());
        if (expect.has("result")) {
            JsonElement r = expect.get("result");
            want.put("result", r.isJsonArray() ? r.getAsJsonArray().asList().stream().map(JsonElement::getAsString).toList()
                    : r.getAsBoolean());
        }
        if (expect.has("code")) {
            want.put("code", expect.get("code").getAsLong());
            want.put("message", expect.get("message").getAsString());
        }
        return want;
    }

    static int replay(Function<List<String>, CredentialStore> make, ExecutorService async) throws IOException {
        JsonObject doc = JsonParser.parseString(Files.readString(CASES)).getAsJsonObject();
        int steps = 0;
        for (JsonElement e : doc.getAsJsonArray("scenarios")) {
            JsonObject scenario = e.getAsJsonObject();
            List<String> superUsers = new ArrayList<>();
            JsonObject options = scenario.getAsJsonObject("options");
            if (options.has("super_users")) {
                options.getAsJsonArray("super_users").forEach(u -> superUsers.add(u.getAsString()));
            }
            String caller = scenario.has("caller") ? scenario.get("caller").getAsString() : "root";
            try (CredentialStore store = make.apply(superUsers)) {
                int i = 0;
                for (JsonElement st : scenario.getAsJsonArray("steps")) {
                    JsonObject step = st.getAsJsonObject();
                    assertEquals(expected(step.getAsJsonObject("expect")), outcome(store, step, caller, async),
                            scenario.get("name").getAsString() + " step " + i++);
                    steps++;
                }
            }
        }
        return steps;
    }

    static CredentialStoreOptions cost4(List<String> superUsers) {
        return new CredentialStoreOptions().bcryptCost(4).superUsers(superUsers.toArray(String[]::new));
    }

    @Test
    void memoryStoreMatchesMilvus() throws IOException {
        int steps = replay(su -> CredentialStore.memory(cost4(su)), null);
        assertTrue(steps >= 280, "steps " + steps);
    }

    @Test
    void fileStoreMatchesMilvusAsync(@TempDir Path dir) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            int[] n = {0};
            replay(su -> CredentialStore.file(dir.resolve("u" + n[0]++ + ".json"), cost4(su)), pool);
        } finally {
            pool.shutdown();
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("u0.json"))));
        try (CredentialStore again = CredentialStore.file(dir.resolve("u1.json"), cost4(List.of()))) {
            assertEquals(List.of("carol", "ghost", "root"), again.listUsers());
        }
    }

    @Test
    void errorContract() {
        try (CredentialStore store = CredentialStore.memory(new CredentialStoreOptions().bcryptCost(4))) {
            CredentialException e = assertThrows(CredentialException.class, () -> store.deleteUser("root"));
            assertEquals("CREDENTIAL", e.code());
            assertEquals(1401L, e.milvusCode().orElseThrow());
            assertEquals("root user cannot be deleted: privilege not permitted", e.getMessage());
            store.createUser("alice", "secret1");
            e = assertThrows(CredentialException.class, () -> store.createUser("alice", "secret1"));
            assertEquals(65535L, e.milvusCode().orElseThrow());
            assertEquals("user already exists: alice", e.getMessage());
            e = assertThrows(CredentialException.class, () -> store.updatePassword("alice", "wrong-pw", "secret2"));
            assertEquals(1400L, e.milvusCode().orElseThrow());
            assertEquals(List.of("alice", "root"), store.listUsers());
            assertThrows(NullPointerException.class, () -> store.createUser(null, "secret1"));
        }
        CredentialException bad = assertThrows(CredentialException.class,
                () -> CredentialStore.memory(new CredentialStoreOptions().bcryptCost(3)));
        assertEquals(1100L, bad.milvusCode().orElseThrow());
        bad = assertThrows(CredentialException.class,
                () -> CredentialStore.memory(new CredentialStoreOptions().rootPath("x")));
        assertEquals("root_path applies to an etcd store only: invalid parameter", bad.getMessage());
        bad = assertThrows(CredentialException.class,
                () -> CredentialStore.memory(new CredentialStoreOptions().maxUserNum(-1)));
        assertEquals(1100L, bad.milvusCode().orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> new CredentialStoreOptions().superUsers("a,b"));
        assertThrows(IllegalArgumentException.class, () -> new CredentialStoreOptions().verifiedCacheTtl(Duration.ofSeconds(-1)));
        bad = assertThrows(CredentialException.class, () -> CredentialStore.etcd("127.0.0.1:1",
                new CredentialStoreOptions().etcdUser("u")));
        assertEquals("etcd_user and etcd_password go together: invalid parameter", bad.getMessage());
    }

    @Test
    void optionsApply() {
        CredentialStoreOptions o = new CredentialStoreOptions().bcryptCost(4).minPasswordLength(8).maxPasswordLength(10)
                .maxUserNum(2).defaultRootPassword("rootpass1").superUsers("admin");
        assertEquals(List.of("admin"), o.superUsers());
        try (CredentialStore store = CredentialStore.memory(o)) {
            assertTrue(store.verify("root", "rootpass1"));
            assertFalse(store.verify("root", "Milvus"));
            CredentialException e = assertThrows(CredentialException.class, () -> store.createUser("bob", "short1"));
            assertEquals("invalid password length: invalid parameter[6 out of range 8 <= value <= 10]", e.getMessage());
            store.createUser("bob", "bobpass12");
            e = assertThrows(CredentialException.class, () -> store.createUser("carl", "carlpass1"));
            assertEquals("unable to add user because the number of users has reached the limit", e.getMessage());
            store.updatePassword("bob", "not-his", "bobpass34", "admin");
            assertTrue(store.verify("bob", "bobpass34"));
        }
    }

    @Test
    void verifiedCacheForgetsChangedPasswords() {
        CredentialStoreOptions o = new CredentialStoreOptions().bcryptCost(4).verifiedCacheTtl(Duration.ofMillis(60_500));
        assertEquals(Duration.ofMillis(60_500), o.verifiedCacheTtl());
        try (CredentialStore store = CredentialStore.memory(o)) {
            store.createUser("alice", "secret1");
            assertTrue(store.verify("alice", "secret1"));
            assertTrue(store.verify("alice", "secret1"));
            store.updatePassword("alice", "secret1", "secret2");
            assertFalse(store.verify("alice", "secret1"));
            assertTrue(store.verify("alice", "secret2"));
            store.deleteUser("alice");
            assertFalse(store.verify("alice", "secret2"));
        }
    }

    @Test
    void milvusAuthorization() {
        String value = Base64.getEncoder().encodeToString("alice:pa:ss".getBytes(StandardCharsets.UTF_8));
        assertEquals(new CredentialStore.Login("alice", "pa:ss"), CredentialStore.milvusAuthorization(value));
        assertFalse(CredentialStore.milvusAuthorization(value).toString().contains("pa:ss"));
        CredentialException e = assertThrows(CredentialException.class, () -> CredentialStore.milvusAuthorization("!!"));
        assertEquals(1400L, e.milvusCode().orElseThrow());
        assertEquals("auth check failure, please check username and password are correct", e.getMessage());
    }

    @Test
    void closedStoreRefusesCalls() {
        CredentialStore store = CredentialStore.memory(new CredentialStoreOptions().bcryptCost(4));
        assertTrue(store.toString().contains("Memory"), store.toString());
        store.close();
        store.close();
        assertTrue(store.isClosed());
        assertThrows(IllegalStateException.class, store::listUsers);
        assertEquals("CredentialStore(closed)", store.toString());
    }
}
