package io.authgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * API parity with tests/fixtures/vocabulary.json, the operations every language exports: each
 * entry exists under its camelCase name and is called here, and core's defaults are what Java
 * sees. A new vocabulary entry fails this test until Java has it.
 */
class ParityTest {
    static final Path VOCABULARY = Path.of("..", "tests", "fixtures", "vocabulary.json");
    static JsonObject vocab;

    @BeforeAll
    static void read() throws IOException {
        vocab = JsonParser.parseString(Files.readString(VOCABULARY)).getAsJsonObject();
    }

    /** snake_case to camelCase, as the vocabulary says Java spells it. */
    static String camel(String snake) {
        StringBuilder out = new StringBuilder();
        boolean up = false;
        for (char c : snake.toCharArray()) {
            if (c == '_') {
                up = true;
            } else {
                out.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return out.toString();
    }

    static List<String> names(JsonElement array) {
        return array.getAsJsonArray().asList().stream().map(JsonElement::getAsString).toList();
    }

    static Set<String> publicMethods(Class<?> c) {
        return Arrays.stream(c.getMethods()).filter(m -> Modifier.isPublic(m.getModifiers()))
                .map(Method::getName).collect(Collectors.toCollection(TreeSet::new));
    }

    static Set<String> components(Class<?> record) {
        return Arrays.stream(record.getRecordComponents()).map(RecordComponent::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** One call per vocabulary operation of the engine, each checking its result. */
    static Map<String, Runnable> aclCalls(Path dir) {
        Map<String, Runnable> calls = new LinkedHashMap<>();
        Path file = dir.resolve("users.acl");
        calls.put("new", () -> {
            try (Acl acl = new Acl()) {
                assertEquals(List.of("default"), acl.users());
            }
        });
        calls.put("from_file", () -> {
            try (Acl src = new Acl()) {
                src.setuser("f", "on", ">p");
                src.save(file);
            }
            try (Acl acl = Acl.fromFile(file)) {
                assertTrue(acl.authenticate("f", "p"));
            }
        });
        // The store itself is exercised against a real etcd in AclStoreTest: here an address
        // nothing listens on shows the constructor exists and refuses to start without a cache.
        calls.put("from_store", () -> assertEquals("IO",
                assertThrows(AuthgateException.class, () -> Acl.fromStore("etcd://127.0.0.1:1/parity")).code()));
        calls.put("setuser", () -> withAcl(acl -> assertEquals("on", acl.getuser("alice").flags().get(0))));
        calls.put("deluser", () -> withAcl(acl -> assertEquals(1, acl.deluser("alice"))));
        calls.put("getuser", () -> withAcl(acl -> assertEquals("~cache:*", acl.getuser("alice").keys())));
        calls.put("users", () -> withAcl(acl -> assertEquals(List.of("alice", "default"), acl.users())));
        calls.put("list", () -> withAcl(acl -> assertTrue(acl.list().get(0).startsWith("user alice on #"))));
        calls.put("cat", () -> withAcl(acl -> {
            assertTrue(acl.cat().contains("read"));
            assertTrue(acl.cat("read").contains("get"));
        }));
        calls.put("check", () -> withAcl(acl -> {
            acl.check("alice", "GET", "cache:1");
            assertThrows(PermissionDeniedException.class, () -> acl.check("alice", "SET", "cache:1", "v"));
        }));
        calls.put("allowed", () -> withAcl(acl -> {
            assertTrue(acl.allowed("alice", "GET", "cache:1"));
            assertFalse(acl.allowed("alice", "SET", "cache:1", "v"));
            assertEquals("NOT_FOUND", assertThrows(AclException.class, () -> acl.allowed("nobody", "GET", "k")).code());
        }));
        calls.put("denial", () -> withAcl(acl -> {
            assertNull(acl.denial("alice", "GET", "cache:1"));
            PermissionDeniedException e = assertThrows(PermissionDeniedException.class, () -> acl.check("alice", "GET", "x"));
            assertEquals(new AclDenial(e.reason(), e.command(), e.object(), e.getMessage()), acl.denial("alice", "GET", "x"));
        }));
        calls.put("dryrun", () -> withAcl(acl -> {
            assertEquals("OK", acl.dryrun("alice", "GET", "cache:1"));
            assertEquals("This user has no permissions to access the 'x' key", acl.dryrun("alice", "GET", "x"));
        }));
        calls.put("authenticate", () -> withAcl(acl -> {
            assertTrue(acl.authenticate("alice", "secret"));
            assertFalse(acl.authenticate("alice", "nope"));
        }));
        calls.put("log", ParityTest::logThroughAServer);
        calls.put("log_reset", () -> withAcl(acl -> {
            acl.logReset();
            assertEquals(List.of(), acl.log());
        }));
        calls.put("genpass", () -> {
            assertEquals(64, Acl.genpass().length());
            assertEquals(3, Acl.genpass(9).length());
        });
        calls.put("load", () -> withAcl(acl -> {
            acl.save(file);
            acl.deluser("alice");
            acl.load(file);
            assertTrue(acl.authenticate("alice", "secret"));
        }));
        calls.put("save", () -> withAcl(acl -> {
            acl.save(file);
            assertTrue(file.toFile().length() > 0);
        }));
        calls.put("check_aclfile", () -> withAcl(acl -> {
            acl.save(file);
            acl.checkAclfile(file);
        }));
        calls.put("set_requirepass", () -> withAcl(acl -> {
            acl.setRequirepass("pw");
            assertTrue(acl.authenticate("default", "pw"));
            assertFalse(acl.authenticate("default", "x"));
        }));
        calls.put("options", () -> withAcl(acl -> assertEquals(AclOptions.defaults(), acl.options())));
        calls.put("set_options", () -> withAcl(acl -> {
            AclOptions o = new AclOptions("allchannels", 3);
            acl.setOptions(o);
            assertEquals(o, acl.options());
        }));
        return calls;
    }

    static void withAcl(java.util.function.Consumer<Acl> body) {
        try (Acl acl = new Acl()) {
            acl.setuser("alice", "on", ">secret", "~cache:*", "+get");
            body.accept(acl);
        }
    }

    /** ACL LOG entries come from a server's denials: one denial, then every field. */
    static void logThroughAServer() {
        withAcl(acl -> {
            try (Server server = Server.start(acl)) {
                DefaultJedisClientConfig config = DefaultJedisClientConfig.builder().user("alice")
                        .password("secret").clientSetInfoConfig(ClientSetInfoConfig.DISABLED).build();
                try (Jedis j = new Jedis(new HostAndPort("127.0.0.1", server.port()), config)) {
                    assertThrows(JedisDataException.class, () -> j.get("private"));
                }
            }
            AclLogEntry e = acl.log().get(0);
            assertEquals(1, e.count());
            assertEquals("key", e.reason());
            assertEquals("toplevel", e.context());
            assertEquals("private", e.object());
            assertEquals("alice", e.username());
            assertTrue(e.ageSeconds() >= 0);
            assertTrue(e.clientInfo().contains("user=alice"), e.clientInfo());
            List<AclLogEntry> one = acl.log(1);
            assertEquals(1, one.size());
            assertEquals(e.clientInfo(), one.get(0).clientInfo(), "the same entry (its age moves on)");
        });
    }

    @Test
    void everyAclOperationExistsAndIsCalled(@TempDir Path dir) {
        JsonObject acl = vocab.getAsJsonObject("acl");
        Map<String, Runnable> calls = aclCalls(dir);
        List<String> wanted = new java.util.ArrayList<>(names(acl.get("constructors")));
        wanted.addAll(names(acl.get("methods")));
        assertEquals(new TreeSet<>(wanted), new TreeSet<>(calls.keySet()), "every vocabulary operation has a call");
        Set<String> methods = publicMethods(Acl.class);
        for (String op : wanted) {
            if (op.equals("new")) {
                assertEquals(2, Acl.class.getConstructors().length, "new Acl() and new Acl(AclOptions)");
            } else {
                assertTrue(methods.contains(camel(op)), "Acl." + camel(op));
            }
            calls.get(op).run();
        }
    }

    @Test
    void storeOptionsAreAclStoreOptionsComponentsWithWithers() {
        Set<String> methods = publicMethods(AclStoreOptions.class);
        Set<String> wanted = new TreeSet<>();
        for (String s : names(vocab.getAsJsonObject("acl").get("store_options"))) {
            String name = camel(s);
            wanted.add(name);
            assertTrue(methods.contains("with" + Character.toUpperCase(name.charAt(0)) + name.substring(1)), name);
        }
        assertEquals(wanted, components(AclStoreOptions.class));
    }

    @Test
    void settingsHaveGettersAndSetters() {
        Set<String> methods = publicMethods(Acl.class);
        for (String s : names(vocab.getAsJsonObject("acl").get("settings"))) {
            String getter = camel(s);
            String setter = "set" + Character.toUpperCase(getter.charAt(0)) + getter.substring(1);
            assertTrue(methods.contains(getter), getter);
            assertTrue(methods.contains(setter), setter);
            assertTrue(components(AclOptions.class).contains(getter), "AclOptions." + getter);
        }
        try (Acl acl = new Acl()) {
            for (String v : names(vocab.get("pubsub_default_values"))) {
                acl.setPubsubDefault(v.toUpperCase(Locale.ROOT));
                assertEquals(v, acl.pubsubDefault());
                assertEquals(v, acl.options().pubsubDefault());
            }
            acl.setLogMaxLen(7);
            assertEquals(7, acl.logMaxLen());
        }
    }

    @Test
    void serverOptionsMethodsAndProperties(@TempDir Path dir) throws Exception {
        JsonObject server = vocab.getAsJsonObject("server");
        Set<String> builder = publicMethods(Server.Builder.class);
        for (String o : names(server.get("options"))) {
            assertTrue(builder.contains(camel(o)), "Server.Builder." + camel(o));
        }
        Set<String> methods = publicMethods(Server.class);
        for (String m : names(server.get("methods"))) {
            assertTrue(methods.contains(camel(m)), "Server." + camel(m));
        }
        for (String p : names(server.get("properties"))) {
            assertTrue(methods.contains(camel(p)), "Server." + camel(p));
        }
        Path conf = dir.resolve("redis.conf");
        Files.writeString(conf, "maxclients 50\n");
        Path aclfile = dir.resolve("users.acl");
        Files.writeString(aclfile, "user admin on >pw ~* +@all\n");
        try (Acl acl = new Acl();
                Server s = Server.builder(acl).config(conf).host("127.0.0.1").port(0).requirepass("rp")
                        .aclfile(aclfile).maxclients(20).build()) {
            assertEquals(20, s.maxclients());
            assertFalse(s.running());
            int port = s.start();
            assertTrue(s.running());
            assertEquals(port, s.port());
            assertEquals("127.0.0.1", s.host());
            assertTrue(acl.authenticate("default", "rp"));
            assertTrue(acl.authenticate("admin", "pw"));
            int again = s.restart();
            assertEquals(again, s.port());
            assertTrue(s.stop());
            assertFalse(s.running());
        }
    }

    @Test
    void recordsHaveTheVocabularyFields() {
        assertEquals(new TreeSet<>(names(vocab.get("user_info"))), components(AclUser.class));
        assertEquals(new TreeSet<>(names(vocab.get("log_entry")).stream().map(ParityTest::camel).toList()),
                components(AclLogEntry.class));
        assertEquals(new TreeSet<>(names(vocab.get("denial"))), components(AclDenial.class));
    }

    @Test
    void errorCodes() {
        List<String> codes = names(vocab.get("error_codes"));
        assertEquals(new TreeSet<>(codes), new TreeSet<>(ErrorTest.CLASSES.keySet()));
        for (String code : codes) {
            assertEquals(code, ErrorTest.raised(code).code());
        }
    }

    @Test
    void defaultsComeFromCore() {
        JsonObject d = vocab.getAsJsonObject("defaults");
        AclOptions defaults = AclOptions.defaults();
        assertEquals(d.get("log_max_len").getAsInt(), defaults.logMaxLen());
        assertEquals(d.get("pubsub_default").getAsString(), defaults.pubsubDefault());
        assertEquals(d.get("genpass_bits").getAsInt(), Acl.DEFAULT_GENPASS_BITS);
        assertEquals(d.get("genpass_bits").getAsInt() / 4, Acl.genpass().length());
        try (Acl acl = new Acl(); Server server = Server.builder(acl).build()) {
            assertEquals(defaults, acl.options());
            assertEquals(d.get("log_max_len").getAsInt(), acl.logMaxLen());
            assertEquals(d.get("pubsub_default").getAsString(), acl.pubsubDefault());
            assertEquals(d.get("host").getAsString(), server.host());
            assertEquals(d.get("port").getAsInt(), server.port());
            assertEquals(d.get("maxclients").getAsInt(), server.maxclients());
        }
        JsonArray keys = new JsonArray();
        d.keySet().forEach(keys::add);
        assertEquals(Set.of("log_max_len", "pubsub_default", "host", "port", "maxclients", "genpass_bits"),
                new TreeSet<>(names(keys)), "a new default needs a check here");
        assertNotNull(defaults.toString());
    }

    @Test
    void natsVocabulary() {
        JsonObject nats = vocab.getAsJsonObject("nats");
        Set<String> auth = publicMethods(NatsAuth.class);
        for (String name : names(nats.get("constructors"))) {
            assertTrue(auth.contains(camel(name)), "NatsAuth." + camel(name));
        }
        for (String name : names(nats.get("methods"))) {
            assertTrue(auth.contains(camel(name)) && auth.contains(camel(name) + "Async"), "NatsAuth." + camel(name));
        }
        for (String name : names(nats.get("properties"))) {
            assertTrue(auth.contains(camel(name)), "NatsAuth." + camel(name));
        }
        Set<String> connect = publicMethods(NatsAuth.Connect.class);
        for (String name : names(nats.get("authenticate_parameters"))) {
            assertTrue(connect.contains(camel(name)), "NatsAuth.Connect." + camel(name));
        }
        Set<String> identity = publicMethods(NatsIdentity.class);
        for (String name : names(nats.get("identity"))) {
            assertTrue(identity.contains(camel(name)), "NatsIdentity." + camel(name));
        }
        assertEquals(new TreeSet<>(names(nats.get("permissions")).stream().map(ParityTest::camel).toList()),
                components(NatsPermissions.class));
        assertEquals(new TreeSet<>(names(nats.get("subject_lists"))), components(NatsPermissions.Subjects.class));
        assertEquals(new TreeSet<>(names(nats.get("allow_responses"))), components(NatsPermissions.Responses.class));
        try (NatsAuth single = NatsAuth.singleUser("u", "p"); NatsIdentity id = single.authenticate(new NatsAuth.Connect().user("u").password("p"))) {
            assertEquals("u", id.user());
        }
    }

    @Test
    void credentialsVocabulary() {
        JsonObject v = vocab.getAsJsonObject("credentials");
        Set<String> store = publicMethods(CredentialStore.class);
        for (String name : names(v.get("stores"))) {
            assertTrue(store.contains(camel(name)), "CredentialStore." + camel(name));
        }
        for (String name : names(v.get("methods"))) {
            assertTrue(store.contains(camel(name)) && store.contains(camel(name) + "Async"), "CredentialStore." + camel(name));
        }
        for (String name : names(v.get("functions"))) {
            assertTrue(store.contains(camel(name)), "CredentialStore." + camel(name));
        }
        Set<String> options = publicMethods(CredentialStoreOptions.class);
        for (String key : List.of("options", "etcd_options")) {
            for (String name : names(v.get(key))) {
                assertTrue(options.contains(camel(name)), "CredentialStoreOptions." + camel(name));
            }
        }
        JsonObject d = v.getAsJsonObject("defaults");
        CredentialStoreOptions o = new CredentialStoreOptions();
        assertEquals(d.get("min_password_length").getAsInt(), o.minPasswordLength());
        assertEquals(d.get("max_password_length").getAsInt(), o.maxPasswordLength());
        assertEquals(d.get("max_user_num").getAsInt(), o.maxUserNum());
        assertEquals(d.get("default_root_password").getAsString(), o.defaultRootPassword());
        assertEquals(names(d.get("super_users")), o.superUsers());
        assertEquals(d.get("bcrypt_cost").getAsInt(), o.bcryptCost());
        assertEquals(d.get("root_path").getAsString(), o.rootPath());
        assertEquals(d.get("meta_sub_path").getAsString(), o.metaSubPath());
        assertNull(o.verifiedCacheTtl());
        assertEquals(Set.of("min_password_length", "max_password_length", "max_user_num", "default_root_password",
                "super_users", "bcrypt_cost", "root_path", "meta_sub_path"), d.keySet(), "a new default needs a check here");
        JsonObject error = v.getAsJsonObject("error");
        try (CredentialStore s = CredentialStore.memory(o.bcryptCost(4))) {
            assertTrue(s.verify("root", d.get("default_root_password").getAsString()));
            CredentialException e = assertThrows(CredentialException.class, () -> s.deleteUser("root"));
            assertEquals(error.get("code").getAsString(), e.code());
            assertTrue(error.getAsJsonArray("milvus_codes").asList().stream()
                    .anyMatch(c -> c.getAsLong() == e.milvusCode().orElseThrow()));
        }
    }

    @Test
    void tlsVocabulary() throws Exception {
        JsonObject tls = vocab.getAsJsonObject("tls");
        JsonObject cert = tls.getAsJsonObject("client_cert");
        Set<String> certMethods = publicMethods(ClientCert.class);
        for (String name : names(cert.get("constructors"))) {
            assertTrue(certMethods.contains(camel(name)), "ClientCert." + camel(name));
        }
        byte[] pem = Files.readAllBytes(Path.of("..", "tests", "fixtures", "certs", "multi_ou.pem"));
        try (ClientCert c = ClientCert.fromPem(pem)) {
            for (String name : names(cert.get("properties"))) {
                assertTrue(certMethods.contains(camel(name)), "ClientCert." + camel(name));
                assertNotNull(ClientCert.class.getMethod(camel(name)).invoke(c), name);
            }
            JsonObject policy = tls.getAsJsonObject("subject_policy");
            assertEquals(List.of("new"), names(policy.get("constructors")));
            java.lang.reflect.Constructor<SubjectPolicy> ctor = SubjectPolicy.class.getConstructor(String.class, List.class);
            assertEquals(names(policy.get("parameters")).size(), ctor.getParameterCount());
            Set<String> policyMethods = publicMethods(SubjectPolicy.class);
            for (String name : names(policy.get("methods"))) {
                assertTrue(policyMethods.contains(camel(name)), "SubjectPolicy." + camel(name));
            }
            for (String name : names(policy.get("properties"))) {
                assertTrue(policyMethods.contains(camel(name)), "SubjectPolicy." + camel(name));
            }
            for (String name : names(policy.get("validations"))) {
                try (SubjectPolicy p = new SubjectPolicy(name, List.of("CN=alice"))) {
                    assertEquals(name, p.validation());
                    p.check(c);
                }
            }
        }
        CertificateException x = assertThrows(CertificateException.class, () -> ClientCert.fromDer(new byte[0]));
        assertEquals(tls.getAsJsonObject("error").get("code").getAsString(), x.code());
    }

    @Test
    void certUserMapVocabulary() throws Exception {
        JsonObject tls = vocab.getAsJsonObject("tls");
        JsonObject map = tls.getAsJsonObject("cert_user_map");
        assertEquals(List.of("new"), names(map.get("constructors")));
        assertEquals(names(map.get("parameters")).size(), CertUserMap.class.getConstructor(String.class).getParameterCount());
        Set<String> methods = publicMethods(CertUserMap.class);
        for (String name : names(map.get("methods"))) {
            assertTrue(methods.contains(camel(name)), "CertUserMap." + camel(name));
        }
        for (String name : names(map.get("properties"))) {
            assertTrue(methods.contains(camel(name)), "CertUserMap." + camel(name));
        }
        for (String name : names(map.get("settings"))) {
            String getter = camel(name);
            assertTrue(methods.contains(getter), getter);
            assertTrue(methods.contains("set" + Character.toUpperCase(getter.charAt(0)) + getter.substring(1)), getter);
        }
        Set<String> loginMethods = publicMethods(CertLogin.class);
        for (String name : names(tls.getAsJsonObject("cert_login").get("properties"))) {
            assertTrue(loginMethods.contains(camel(name)), "CertLogin." + camel(name));
        }
        byte[] pem = Files.readAllBytes(Path.of("..", "tests", "fixtures", "certs", "multi_ou.pem"));
        Set<String> outcomes = new TreeSet<>();
        try (ClientCert c = ClientCert.fromPem(pem); Acl acl = new Acl()) {
            acl.setuser("ops", "on");
            for (String mode : names(map.get("modes"))) {
                try (CertUserMap m = new CertUserMap(mode)) {
                    assertEquals(mode, m.mode());
                    outcomes.add(m.map(c, acl).outcome());
                    m.setUser("ops", c.subject());
                    assertEquals(Optional.of(c.subject()), m.subjectLine("ops"));
                    assertEquals(List.of("ops"), m.users());
                    outcomes.add(m.map(c, acl).outcome());
                    assertTrue(m.removeUser("ops"));
                    outcomes.add(m.map(c).outcome());
                }
            }
        }
        assertEquals(new TreeSet<>(names(tls.getAsJsonObject("cert_login").get("outcomes"))), outcomes);
    }
}
