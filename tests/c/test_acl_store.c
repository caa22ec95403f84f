/* ag_acl_from_store (issue 17): an engine embedded in a C program and an `authgate serve
 * --acl-store` node share one etcd ACL store on loopback. The engine's setuser reaches the
 * server (AUTH, ACL LIST) and the server's ACL SETUSER / DELUSER reach the engine; a bad
 * address, an unreachable store without cache and bad store options are refused with nothing
 * written to the out parameter. Needs Debian's etcd-server (make etcd-deps) and the authgate
 * binary (AUTHGATE_BIN, default target/x86_64-unknown-linux-gnu/debug/authgate). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "authgate.h"
#include "check.h"
#include "helpers.h"
#include "resp.h"

extern char **environ;

static char tmpdir[] = "/tmp/authgate-c-acl-store-XXXXXX";

/* A free loopback port (bound and released; the child binds it right after). */
static uint16_t free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  socklen_t len = sizeof a;
  if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(fd, (struct sockaddr *)&a, &len) != 0) abort();
  close(fd);
  return ntohs(a.sin_port);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Polls `cond` until it holds or 20 s passed (a child starting, a change propagating):
 * true if it held. The 10 ms pause only spaces the polls; the deadline decides. */
#define WAIT_FOR(cond)                                                  \
  ({                                                                    \
    double end_ = now() + 20;                                           \
    bool ok_ = false;                                                   \
    while (!(ok_ = (cond)) && now() < end_) usleep(10000);              \
    ok_;                                                                \
  })

static bool listening(uint16_t port) {
  resp_conn c;
  bool ok = resp_connect(&c, port) == 0;
  resp_close(&c);
  return ok;
}

/* Starts `argv` with its output discarded; its pid. */
static pid_t spawn(char *const argv[]) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

static void stop(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  waitpid(pid, NULL, 0);
}

/* One command to the server on a new connection; the reply (a status, error or integer). */
static resp_reply command(uint16_t port, int argc, const char *const *argv) {
  resp_reply r = {.type = 0};
  resp_conn c;
  if (resp_connect(&c, port) == 0) resp_cmd(&c, &r, argc, argv);
  resp_close(&c);
  return r;
}

static bool server_auth_ok(uint16_t port, const char *user, const char *pw) {
  const char *argv[] = {"AUTH", user, pw};
  resp_reply r = command(port, 3, argv);
  return resp_is_status(&r, "OK");
}

/* The server's ACL LIST joined with '\n', into `out`. */
static void server_acl_list(uint16_t port, char *out, size_t cap) {
  out[0] = 0;
  resp_conn c;
  if (resp_connect(&c, port) != 0) return;
  const char *argv[] = {"ACL", "LIST"};
  resp_reply r;
  if (resp_cmd(&c, &r, 2, argv) == 0 && r.type == '*') {
    long long n = r.n;
    size_t used = 0;
    for (long long i = 0; i < n && resp_read(&c, &r) == 0; i++)
      used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? "\n" : "", r.text);
  }
  resp_close(&c);
}

/* The engine's ACL LIST joined the same way. */
static void engine_acl_list(const ag_acl *acl, char *out, size_t cap) {
  out[0] = 0;
  ag_list *l = NULL;
  if (ag_acl_list(acl, &l) != AG_OK) return;
  size_t used = 0;
  for (size_t i = 0; i < ag_list_len(l); i++) {
    const char *p;
    size_t n;
    ag_list_get(l, i, &p, &n);
    used += (size_t)snprintf(out + used, cap - used, "%s%.*s", i ? "\n" : "", (int)n, p);
  }
  ag_list_free(l);
}

static bool engine_authenticates(const ag_acl *acl, const char *user, const char *pw) {
  bool ok = false;
  return ag_acl_authenticate(acl, user, strlen(user), pw, strlen(pw), &ok) == AG_OK && ok;
}

static bool engine_has(const ag_acl *acl, const char *user) {
  ag_list *l = NULL;
  if (ag_acl_users(acl, &l) != AG_OK) return false;
  bool has = list_contains(l, user);
  ag_list_free(l);
  return has;
}

static void shares_a_store_with_a_server(uint16_t etcd_port, const char *authgate) {
  char url[128], cache[300], dir[300], port_text[16];
  snprintf(url, sizeof url, "etcd://127.0.0.1:%u/shared", etcd_port);
  snprintf(cache, sizeof cache, "%s/c.cache", tmpdir);
  snprintf(dir, sizeof dir, "%s/server", tmpdir);
  CHECK(mkdir(dir, 0700) == 0);

  ag_acl_store_options *so = NULL;
  CHECK(ag_acl_store_options_new(&so) == AG_OK);
  CHECK(ag_acl_store_options_set(so, "cache_file", 10, cache, strlen(cache)) == AG_OK);
  ag_acl *acl = NULL;
  CHECK(ag_acl_from_store(url, strlen(url), so, NULL, &acl) == AG_OK && acl != NULL);
  ag_acl_store_options_free(so);
  if (!acl) return;

  uint16_t port = free_port();
  snprintf(port_text, sizeof port_text, "%u", port);
  char *server_argv[] = {(char *)authgate, "serve", "--port", port_text, "--dir", dir, "--acl-store", url, NULL};
  pid_t server = spawn(server_argv);
  CHECK(server > 0);
  CHECK(WAIT_FOR(listening(port)));

  /* The engine's setuser reaches the server ... */
  ag_slice rules[] = {S("on"), S(">pw"), S("~cache:*"), S("+get")};
  CHECK(ag_acl_setuser(acl, "svc", 3, rules, 4) == AG_OK);
  CHECK(WAIT_FOR(server_auth_ok(port, "svc", "pw")));
  /* ... and the server's ACL SETUSER / DELUSER reach the engine. */
  const char *setuser[] = {"ACL", "SETUSER", "ops", "on", ">x", "+ping"};
  resp_reply r = command(port, 6, setuser);
  CHECK(resp_is_status(&r, "OK"));
  CHECK(WAIT_FOR(engine_authenticates(acl, "ops", "x")));
  ag_slice get[] = {S("GET"), S("cache:1")};
  CHECK(ag_acl_check(acl, "svc", 3, get, 2) == AG_OK);
  const char *deluser[] = {"ACL", "DELUSER", "svc"};
  r = command(port, 3, deluser);
  CHECK(r.type == ':' && r.n == 1);
  CHECK(WAIT_FOR(!engine_has(acl, "svc")));

  /* Invalid rules: Redis' error, nothing written to the store. */
  ag_slice bad[] = {S("+nosuch")};
  CHECK(ag_acl_setuser(acl, "ops", 3, bad, 1) == AG_ERR);
  CHECK(strstr(err(), "Error in ACL SETUSER modifier '+nosuch'") != NULL);
  /* Deleting through the store: the engine's count, and the server sees it. */
  ag_slice ops[] = {S("ops")};
  size_t deleted = 0;
  CHECK(ag_acl_deluser(acl, ops, 1, &deleted) == AG_OK && deleted == 1);
  CHECK(WAIT_FOR(!server_auth_ok(port, "ops", "x")));

  /* Both sides hold the same users (the engine's write returned once applied here; the
   * server's view is awaited). */
  static char ours[4096], theirs[4096];
  engine_acl_list(acl, ours, sizeof ours);
  CHECK(WAIT_FOR((server_acl_list(port, theirs, sizeof theirs), strcmp(ours, theirs) == 0)));
  CHECK(strncmp(ours, "user default on nopass", 22) == 0);

  stop(server);
  ag_acl_free(acl);
}

static void refuses_bad_addresses_and_options(void) {
  ag_acl *sentinel = (ag_acl *)&sentinel;
  ag_acl *acl = sentinel;
  CHECK(ag_acl_from_store("redis://127.0.0.1:1/x", 21, NULL, NULL, &acl) == AG_INVALID_PARAMETER);
  CHECK(code_is("INVALID_ARGUMENT") && acl == sentinel);
  char url[64];
  snprintf(url, sizeof url, "etcd://127.0.0.1:%u/x", free_port());
  CHECK(ag_acl_from_store(url, strlen(url), NULL, NULL, &acl) == AG_IO);
  CHECK(code_is("IO") && acl == sentinel);

  ag_acl_store_options *so = NULL;
  CHECK(ag_acl_store_options_new(&so) == AG_OK);
  CHECK(ag_acl_store_options_set(so, "cache", 5, "/x", 2) == AG_INVALID_PARAMETER);
  CHECK(strstr(err(), "unknown ACL store option 'cache' (known: cache_file, ca_file, cert_file, key_file)") != NULL);
  CHECK(ag_acl_store_options_set(so, "cert_file", 9, "/x.pem", 6) == AG_OK);
  CHECK(ag_acl_from_store(url, strlen(url), so, NULL, &acl) == AG_INVALID_PARAMETER);
  CHECK(strstr(err(), "cert_file and key_file go together") != NULL && acl == sentinel);
  CHECK(ag_acl_store_options_set(so, "key_file", 8, "/nonexistent-key.pem", 20) == AG_OK);
  CHECK(ag_acl_from_store(url, strlen(url), so, NULL, &acl) == AG_IO);
  CHECK(strstr(err(), "cannot read cert_file /x.pem") != NULL && acl == sentinel);
  ag_acl_store_options_free(so);
  ag_acl_store_options_free(NULL);
}

int main(void) {
  const char *authgate = getenv("AUTHGATE_BIN");
  if (!authgate) authgate = "target/x86_64-unknown-linux-gnu/debug/authgate";
  if (access(authgate, X_OK) != 0) {
    fprintf(stderr, "the authgate binary is needed at %s (make build)\n", authgate);
    return 1;
  }
  if (!mkdtemp(tmpdir)) return 1;
  refuses_bad_addresses_and_options();

  uint16_t etcd_port = free_port(), peer_port = free_port();
  char data[300], client_url[64], peer_url[64], cluster[96];
  snprintf(data, sizeof data, "%s/etcd", tmpdir);
  snprintf(client_url, sizeof client_url, "http://127.0.0.1:%u", etcd_port);
  snprintf(peer_url, sizeof peer_url, "http://127.0.0.1:%u", peer_port);
  snprintf(cluster, sizeof cluster, "default=%s", peer_url);
  char *etcd_argv[] = {"etcd", "--data-dir", data, "--listen-client-urls", client_url, "--advertise-client-urls",
                       client_url, "--listen-peer-urls", peer_url, "--initial-advertise-peer-urls", peer_url,
                       "--initial-cluster", cluster, NULL};
  pid_t etcd = spawn(etcd_argv);
  CHECK(etcd > 0);
  CHECK(WAIT_FOR(listening(etcd_port)));
  shares_a_store_with_a_server(etcd_port, authgate);
  stop(etcd);

  char rm[400];
  snprintf(rm, sizeof rm, "rm -rf %s", tmpdir);
  CHECK(system(rm) == 0);
  return DONE();
}
