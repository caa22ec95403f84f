/* A RESP server started from C, enforcing an ag_acl the C program changes while it runs;
 * redis-cli and a raw socket talk to it. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "authgate.h"
#include "check.h"

#define S(lit) ((ag_slice){(lit), sizeof(lit) - 1})

static char out[8192];

/* Runs redis-cli with `args` against `port`; the trimmed output lands in `out`. */
static const char *cli(uint16_t port, const char *args) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "redis-cli -p %u --no-auth-warning %s 2>&1", port, args);
  FILE *p = popen(cmd, "r");
  size_t n = p ? fread(out, 1, sizeof out - 1, p) : 0;
  if (p) pclose(p);
  while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r')) n--;
  out[n] = 0;
  return out;
}

static int connect_to(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* Sends `req` and reads one reply line (enough for the simple replies used here). */
static const char *roundtrip(int fd, const char *req) {
  if (write(fd, req, strlen(req)) < 0) return "";
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

int main(void) {
  ag_acl *acl = NULL;
  CHECK(ag_acl_new(&acl) == AG_OK);
  ag_slice rules[] = {S("on"), S(">pw"), S("~app:*"), S("+get"), S("+set"), S("+ping")};
  CHECK(ag_acl_setuser(acl, "app", 3, rules, 6) == AG_OK);

  ag_server *server = NULL;
  CHECK(ag_server_start(acl, "127.0.0.1", 0, &server) == AG_OK && server != NULL);
  uint16_t port = ag_server_port(server);
  CHECK(port != 0);

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

  /* The denials are in the shared ACL LOG. */
  char *log = NULL;
  size_t len = 0;
  CHECK(ag_acl_log(acl, 10, &log, &len) == AG_OK);
  CHECK(log != NULL && strstr(log, "\"reason\":\"command\"") && strstr(log, "\"object\":\"del\""));
  CHECK(strstr(log, "\"reason\":\"auth\"") != NULL);
  ag_string_free(log);

  /* Deleting the user from C closes its connection. */
  size_t deleted = 0;
  ag_slice names[] = {S("app")};
  CHECK(ag_acl_deluser(acl, names, 1, &deleted) == AG_OK && deleted == 1);
  nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
  CHECK(strcmp(roundtrip(fd, "PING\r\n"), "") == 0);
  close(fd);

  /* Binding a busy port fails cleanly. */
  ag_server *second = NULL;
  CHECK(ag_server_start(acl, "127.0.0.1", port, &second) == AG_IO && second == NULL);
  CHECK(ag_server_start(acl, "not an address", 0, &second) != AG_OK && second == NULL);
  CHECK(ag_server_start(NULL, NULL, 0, &second) == AG_NULL_PARAMETER);

  /* The engine may go before the server; the server keeps its own reference. */
  ag_acl_free(acl);
  CHECK(strcmp(cli(port, "PING"), "PONG") == 0);
  CHECK(ag_server_stop(server) == AG_OK);
  CHECK(ag_server_stop(server) == AG_OK);
  CHECK(strstr(cli(port, "PING"), "Could not connect") != NULL);
  ag_server_free(server);
  ag_server_free(NULL);

  /* A server configured by a redis.conf-style file, users included. */
  ag_acl *conf_acl = NULL;
  CHECK(ag_acl_new(&conf_acl) == AG_OK);
  char conf[] = "/tmp/authgate-c-conf-XXXXXX";
  int cfd = mkstemp(conf);
  const char *text = "port 0\nbind 127.0.0.1\nuser ops on >opspw ~ops:* +get\n";
  CHECK(cfd >= 0 && write(cfd, text, strlen(text)) == (ssize_t)strlen(text));
  close(cfd);
  ag_server *configured = NULL;
  CHECK(ag_server_start_config(conf_acl, conf, strlen(conf), &configured) == AG_OK);
  bool ok = false;
  CHECK(ag_acl_authenticate(conf_acl, "ops", 3, "opspw", 5, &ok) == AG_OK && ok);
  char args[128];
  snprintf(args, sizeof args, "--user ops --pass opspw GET ops:1");
  CHECK(strcmp(cli(ag_server_port(configured), args), "") == 0);
  ag_server_free(configured);
  cfd = open(conf, O_WRONLY | O_TRUNC);
  CHECK(write(cfd, "nosuchdirective 1\n", 18) == 18);
  close(cfd);
  CHECK(ag_server_start_config(conf_acl, conf, strlen(conf), &configured) == AG_INVALID_PARAMETER);
  unlink(conf);
  ag_acl_free(conf_acl);
  return DONE();
}
