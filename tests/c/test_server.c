/* A RESP server made from C, enforcing an ag_acl the C program changes while it runs;
 * redis-cli and a raw socket talk to it. Options, restart, and failures to start; the TLS
 * options with `redis-cli --tls` logging in by client certificate. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "authgate.h"
#include "check.h"
#include "helpers.h"

static char out[8192];

static int connect_to(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  /* A safety net so a broken server fails the test instead of hanging it. */
  struct timeval tv = {.tv_sec = 20};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

/* Reads one reply line (enough for the simple replies used here); "" at end of stream. */
static const char *read_line(int fd) {
  size_t n = 0;
  while (n < sizeof out - 1) {
    ssize_t r = read(fd, out + n, 1);
    if (r <= 0) break;
    n++;
    if (n >= 2 && out[n - 2] == '\r' && out[n - 1] == '\n') break;
  }
  out[n] = 0;
  return out;
}

static const char *roundtrip(int fd, const char *req) {
  if (write(fd, req, strlen(req)) < 0) return "";
  return read_line(fd);
}

/* Finds the log entry with this reason and checks every accessor on it. */
static int log_has(const ag_log_entries *log, const char *reason, const char *object, const char *user,
                   uint64_t want_count) {
  for (size_t i = 0; i < ag_log_entries_len(log); i++) {
    const ag_log_entry *e = NULL;
    const char *p;
    size_t n;
    if (ag_log_entries_get(log, i, &e) != AG_OK) return 0;
    if (ag_log_entry_reason(e, &p, &n) != AG_OK || !eq(p, n, reason)) continue;
    uint64_t count = 0;
    double age = -1;
    int ok = ag_log_entry_object(e, &p, &n) == AG_OK && eq(p, n, object);
    ok = ok && ag_log_entry_username(e, &p, &n) == AG_OK && eq(p, n, user);
    ok = ok && ag_log_entry_context(e, &p, &n) == AG_OK && eq(p, n, "toplevel");
    ok = ok && ag_log_entry_client_info(e, &p, &n) == AG_OK && n > 0 && memmem(p, n, "addr=127.0.0.1:", 15);
    ok = ok && ag_log_entry_count(e, &count) == AG_OK && count == want_count;
    ok = ok && ag_log_entry_age_seconds(e, &age) == AG_OK && age >= 0;
    return ok;
  }
  return 0;
}

static void test_live_server(void) {
  ag_acl *acl = NULL;
  CHECK(ag_acl_new(&acl) == AG_OK);
  ag_slice rules[] = {S("on"), S(">pw"), S("~app:*"), S("+get"), S("+set"), S("+ping")};
  CHECK(ag_acl_setuser(acl, "app", 3, rules, 6) == AG_OK);

  ag_server *server = NULL;
  CHECK(ag_server_new(acl, NULL, &server) == AG_OK && server != NULL); /* core's defaults */
  CHECK(!ag_server_running(server) && ag_server_port(server) == 0);
  const char *host;
  size_t host_len;
  CHECK(ag_server_host(server, &host, &host_len) == AG_OK && eq(host, host_len, "127.0.0.1"));
  uint16_t port = 0;
  CHECK(ag_server_start(server, &port) == AG_OK && port != 0);
  CHECK(ag_server_running(server) && ag_server_port(server) == port);

  /* redis-cli sessions */
  CHECK(strcmp(cli(port, "PING"), "PONG") == 0);
  CHECK(strcmp(cli(port, "--user app --pass pw SET app:1 hello"), "OK") == 0);
  CHECK(strcmp(cli(port, "--user app --pass pw GET app:1"), "hello") == 0);
  CHECK(strcmp(cli(port, "--user app --pass pw GET other"),
               "NOPERM this user has no permissions to access one of the keys used as arguments") == 0);
  CHECK(strcmp(cli(port, "--user app --pass pw DEL app:1"),
               "NOPERM this user has no permissions to run the 'del' command") == 0);
  CHECK(strstr(cli(port, "--user app --pass wrong PING"),
               "WRONGPASS invalid username-password pair or user is disabled.") != NULL);

  /* A live connection sees a setuser from C at once. */
  int fd = connect_to(port);
  CHECK(fd >= 0);
  CHECK(strcmp(roundtrip(fd, "AUTH app pw\r\n"), "+OK\r\n") == 0);
  CHECK(strcmp(roundtrip(fd, "DEL app:1\r\n"),
               "-NOPERM this user has no permissions to run the 'del' command\r\n") == 0);
  ag_slice more[] = {S("+del")};
  CHECK(ag_acl_setuser(acl, "app", 3, more, 1) == AG_OK);
  CHECK(strcmp(roundtrip(fd, "DEL app:1\r\n"), ":1\r\n") == 0);

  /* The denials are in the shared ACL LOG, as records. */
  ag_log_entries *log = NULL;
  CHECK(ag_acl_log(acl, 10, &log) == AG_OK && ag_log_entries_len(log) == 3);
  CHECK(log_has(log, "command", "del", "app", 2)); /* redis-cli's and the socket's, merged */
  CHECK(log_has(log, "key", "other", "app", 1));
  CHECK(log_has(log, "auth", "AUTH", "app", 1));
  ag_log_entries_free(log);
  CHECK(ag_acl_log(acl, 1, &log) == AG_OK && ag_log_entries_len(log) == 1);
  ag_log_entries_free(log);

  /* Deleting the user from C closes its connection: the next read sees end of stream. */
  size_t deleted = 0;
  ag_slice names[] = {S("app")};
  CHECK(ag_acl_deluser(acl, names, 1, &deleted) == AG_OK && deleted == 1);
  CHECK(strcmp(read_line(fd), "") == 0);
  close(fd);

  /* Starting twice, a busy port, a bad address: errors with codes; the handle stays usable. */
  CHECK(ag_server_start(server, &port) == AG_INVALID_PARAMETER && code_is("INVALID_ARGUMENT"));
  CHECK(strcmp(err(), "the server is already running") == 0);
  ag_server_options *opts = NULL;
  CHECK(ag_server_options_new(&opts) == AG_OK);
  CHECK(ag_server_options_set_port(opts, port) == AG_OK);
  ag_server *second = NULL;
  CHECK(ag_server_new(acl, opts, &second) == AG_OK);
  uint16_t second_port = 0;
  CHECK(ag_server_start(second, &second_port) == AG_IO && code_is("IO") && second_port == 0);
  int32_t os_error = 0;
  CHECK(ag_last_error_os_error(&os_error) == AG_OK && os_error == EADDRINUSE);
  CHECK(!ag_server_running(second) && ag_server_port(second) == 0);
  ag_server_free(second);
  CHECK(ag_server_options_set_host(opts, "\xff", 1) == AG_INVALID_PARAMETER);
  CHECK(ag_server_options_set_host(opts, "not an address", 14) == AG_OK);
  CHECK(ag_server_options_set_port(opts, 0) == AG_OK);
  second = NULL;
  CHECK(ag_server_new(acl, opts, &second) == AG_OK);
  CHECK(ag_server_start(second, NULL) != AG_OK && !ag_server_running(second));
  ag_server_free(second);
  CHECK(ag_server_options_set_host(opts, " ", 1) == AG_OK);
  second = NULL;
  CHECK(ag_server_new(acl, opts, &second) == AG_INVALID_PARAMETER && second == NULL);
  ag_server_options_free(opts);
  CHECK(ag_server_new(NULL, NULL, &second) == AG_NULL_PARAMETER);
  CHECK(ag_server_start(NULL, NULL) == AG_NULL_PARAMETER);

  /* The engine may go before the server; the server keeps its own reference. */
  ag_acl_free(acl);
  CHECK(strcmp(cli(port, "PING"), "PONG") == 0);
  bool was_running = false;
  CHECK(ag_server_stop(server, &was_running) == AG_OK && was_running);
  CHECK(ag_server_stop(server, &was_running) == AG_OK && !was_running);
  CHECK(ag_server_stop(server, NULL) == AG_OK);
  CHECK(!ag_server_running(server) && ag_server_port(server) == port); /* last bound port */
  CHECK(strstr(cli(port, "PING"), "Could not connect") != NULL);

  /* Restartable: start again, and restart while running. */
  uint16_t again = 0;
  CHECK(ag_server_start(server, &again) == AG_OK && again != 0 && ag_server_running(server));
  CHECK(strcmp(cli(again, "PING"), "PONG") == 0);
  uint16_t restarted = 0;
  CHECK(ag_server_restart(server, &restarted) == AG_OK && restarted != 0 && ag_server_port(server) == restarted);
  CHECK(strcmp(cli(restarted, "PING"), "PONG") == 0);
  ag_server_free(server); /* stops it */
  CHECK(strstr(cli(restarted, "PING"), "Could not connect") != NULL);
  ag_server_free(NULL);
  ag_server_options_free(NULL);
}

/* Every option reaches the server: read back with CONFIG GET and used by clients. */
static void test_options(void) {
  char dir[] = "/tmp/authgate-c-srv-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char aclfile[256], conf[256], args[512];
  snprintf(aclfile, sizeof aclfile, "%s/users.acl", dir);
  snprintf(conf, sizeof conf, "%s/redis.conf", dir);
  FILE *f = fopen(aclfile, "w");
  fputs("user ops on >opspw ~ops:* +get +config\nuser default on >rootpw ~* &* +@all\n", f);
  fclose(f);

  ag_acl *acl = NULL;
  CHECK(ag_acl_new(&acl) == AG_OK);
  ag_server_options *opts = NULL;
  CHECK(ag_server_options_new(&opts) == AG_OK);
  CHECK(ag_server_options_set_host(opts, "127.0.0.1", 9) == AG_OK);
  CHECK(ag_server_options_set_port(opts, 0) == AG_OK);
  CHECK(ag_server_options_set_aclfile(opts, aclfile, strlen(aclfile)) == AG_OK);
  CHECK(ag_server_options_set_maxclients(opts, 7) == AG_OK);
  ag_server *server = NULL;
  CHECK(ag_server_new(acl, opts, &server) == AG_OK);
  uint16_t port = 0;
  CHECK(ag_server_start(server, &port) == AG_OK);
  bool ok = false;
  CHECK(ag_acl_authenticate(acl, "ops", 3, "opspw", 5, &ok) == AG_OK && ok); /* aclfile loaded */
  CHECK(strcmp(cli(port, "--user ops --pass opspw GET ops:1"), "") == 0);
  CHECK(strcmp(cli(port, "--user ops --pass opspw CONFIG GET maxclients"), "maxclients\n7") == 0);
  snprintf(args, sizeof args, "aclfile\n%s", aclfile);
  CHECK(strcmp(cli(port, "--user ops --pass opspw CONFIG GET aclfile"), args) == 0);
  ag_server_free(server);

  /* As in Redis, the aclfile's default user wins over requirepass. */
  CHECK(ag_server_options_set_requirepass(opts, "s3cret", 6) == AG_OK);
  CHECK(ag_server_new(acl, opts, &server) == AG_OK);
  CHECK(ag_server_start(server, &port) == AG_OK);
  CHECK(strcmp(cli(port, "--pass rootpw PING"), "PONG") == 0);
  ag_server_free(server);
  ag_server_options_free(opts);

  /* requirepass alone sets the default user's password, on the shared engine. */
  CHECK(ag_server_options_new(&opts) == AG_OK);
  CHECK(ag_server_options_set_requirepass(opts, "s3cret", 6) == AG_OK);
  CHECK(ag_server_new(acl, opts, &server) == AG_OK);
  CHECK(ag_server_start(server, &port) == AG_OK);
  CHECK(strcmp(cli(port, "--pass s3cret PING"), "PONG") == 0);
  CHECK(strstr(cli(port, "--pass rootpw PING"), "WRONGPASS") != NULL);
  CHECK(ag_acl_authenticate(acl, "default", 7, "s3cret", 6, &ok) == AG_OK && ok);
  ag_server_free(server);

  /* A maxclients of 0 is refused by core. */
  CHECK(ag_server_options_set_maxclients(opts, 0) == AG_OK);
  server = NULL;
  CHECK(ag_server_new(acl, opts, &server) == AG_INVALID_PARAMETER && server == NULL);
  CHECK(strcmp(err(), "maxclients must be at least 1") == 0);
  ag_server_options_free(opts);
  ag_acl_free(acl);

  /* A redis.conf-style file, users included; options set explicitly override it. */
  f = fopen(conf, "w");
  fputs("port 6379\nbind 127.0.0.1\nmaxclients 5\nuser app on >apppw ~app:* +get +config\n", f);
  fclose(f);
  CHECK(ag_acl_new(&acl) == AG_OK);
  CHECK(ag_server_options_new(&opts) == AG_OK);
  CHECK(ag_server_options_set_config_file(opts, conf, strlen(conf)) == AG_OK);
  CHECK(ag_server_options_set_port(opts, 0) == AG_OK);
  CHECK(ag_server_new(acl, opts, &server) == AG_OK);
  CHECK(ag_server_start(server, &port) == AG_OK && port != 6379);
  CHECK(ag_acl_authenticate(acl, "app", 3, "apppw", 5, &ok) == AG_OK && ok);
  CHECK(strcmp(cli(port, "--user app --pass apppw CONFIG GET maxclients"), "maxclients\n5") == 0);
  ag_server_free(server);
  f = fopen(conf, "w");
  fputs("nosuchdirective 1\n", f);
  fclose(f);
  server = NULL;
  CHECK(ag_server_new(acl, opts, &server) == AG_CONFIG && server == NULL && code_is("CONFIG"));
  CHECK(strstr(err(), "nosuchdirective") != NULL);
  ag_server_options_free(opts);
  ag_acl_free(acl);
  unlink(conf);
  unlink(aclfile);
  rmdir(dir);
}

/* The TLS options: a server started from C with a certificate accepts `redis-cli --tls` with
 * the fixture's client certificate (CN=alice, made with openssl by cert_cases_gen.py) and logs
 * it in as the mapped user (ACL WHOAMI); bad values are refused with core's texts. */
#define CERTS "tests/fixtures/certs/"
#define MULTI_OU_SUBJECT \
  "CN=alice,OU=Platform,OU=Engineering,O=Acme Corp,L=San Francisco,ST=California,C=US"

static const char *tls_whoami(uint16_t tls_port, int with_cert) {
  char args[512];
  snprintf(args, sizeof args, "-h 127.0.0.1 --tls --cacert " CERTS "ca.pem %s ACL WHOAMI",
           with_cert ? "--cert " CERTS "multi_ou.pem --key " CERTS "multi_ou.key" : "");
  return cli(tls_port, args);
}

static ag_server_options *tls_options(void) {
  ag_server_options *o = NULL;
  CHECK(ag_server_options_new(&o) == AG_OK);
  CHECK(ag_server_options_set_tls_cert_file(o, CERTS "server.pem", strlen(CERTS "server.pem")) == AG_OK);
  CHECK(ag_server_options_set_tls_key_file(o, CERTS "server.key", strlen(CERTS "server.key")) == AG_OK);
  CHECK(ag_server_options_set_tls_ca_cert_file(o, CERTS "ca.pem", strlen(CERTS "ca.pem")) == AG_OK);
  return o;
}

static void test_tls(void) {
  ag_acl *acl = NULL;
  CHECK(ag_acl_new(&acl) == AG_OK);
  ag_slice alice[] = {S("on"), S("nopass"), S("+@all")};
  CHECK(ag_acl_setuser(acl, "alice", 5, alice, 3) == AG_OK);
  ag_slice carol[] = {S("on"), S(">pw"), S("+@all")};
  CHECK(ag_acl_setuser(acl, "carol", 5, carol, 3) == AG_OK);

  /* tls-auth-clients-user CN, every other option at its default value. */
  ag_server_options *o = tls_options();
  CHECK(ag_server_options_set_tls_auth_clients_user(o, "CN", 2) == AG_OK);
  CHECK(ag_server_options_set_tls_auth_clients(o, "optional", 8) == AG_OK);
  CHECK(ag_server_options_set_tls_protocols(o, "TLSv1.2 TLSv1.3", 15) == AG_OK);
  CHECK(ag_server_options_set_tls_ciphersuites(o, "", 0) == AG_OK);
  CHECK(ag_server_options_set_tls_ciphers(o, "", 0) == AG_OK);
  CHECK(ag_server_options_set_tls_prefer_server_ciphers(o, true) == AG_OK);
  CHECK(ag_server_options_set_tls_key_file_pass(o, "", 0) == AG_OK);
  ag_server *server = NULL;
  CHECK(ag_server_new(acl, o, &server) == AG_OK);
  CHECK(ag_server_tls_port(server) == 0);
  uint16_t port = 0;
  CHECK(ag_server_start(server, &port) == AG_OK);
  uint16_t tls_port = ag_server_tls_port(server);
  CHECK(tls_port != 0 && tls_port != port);
  CHECK(strcmp(tls_whoami(tls_port, 1), "alice") == 0);
  CHECK(strcmp(tls_whoami(tls_port, 0), "default") == 0); /* optional: no certificate */
  ag_server_free(server);
  ag_server_options_free(o);

  /* A certificate user, by subject line. */
  o = tls_options();
  CHECK(ag_server_options_set_tls_port(o, 0) == AG_OK);
  CHECK(ag_server_options_add_certificate_user(o, "carol", 5, MULTI_OU_SUBJECT, strlen(MULTI_OU_SUBJECT)) == AG_OK);
  CHECK(ag_server_new(acl, o, &server) == AG_OK);
  CHECK(ag_server_start(server, &port) == AG_OK);
  CHECK(strcmp(tls_whoami(ag_server_tls_port(server), 1), "carol") == 0);
  ag_server_free(server);
  ag_server_options_free(o);

  /* Refused values: nothing is made, core's text. */
  o = tls_options();
  CHECK(ag_server_options_set_tls_auth_clients(o, "maybe", 5) == AG_INVALID_PARAMETER);
  CHECK(strcmp(err(),
               "tls_auth_clients: argument(s) must be one of the following: no, yes, optional") == 0);
  CHECK(ag_server_options_set_tls_auth_clients_user(o, "DN", 2) == AG_INVALID_PARAMETER);
  CHECK(ag_server_options_set_tls_ca_cert_dir(o, "", 0) == AG_INVALID_PARAMETER);
  CHECK(ag_server_options_set_tls_port(NULL, 1) == AG_NULL_PARAMETER);
  CHECK(ag_server_options_add_certificate_user(o, "x", 1, "CN=a, O=b", 9) == AG_OK);
  server = NULL;
  CHECK(ag_server_new(acl, o, &server) == AG_CERTIFICATE && server == NULL);
  ag_server_options_free(o);
  CHECK(ag_server_tls_port(NULL) == 0);
  ag_acl_free(acl);
}

int main(void) {
  test_live_server();
  test_options();
  test_tls();
  return DONE();
}
