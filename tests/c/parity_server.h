/* The server part of test_parity.c: one function per vocabulary entry under "server". Each
 * makes its own engine and server, so the entries run in any order. Included by
 * test_parity.c, which provides the helpers (vocabulary defaults, temporary paths). */
#ifndef AUTHGATE_TEST_PARITY_SERVER_H
#define AUTHGATE_TEST_PARITY_SERVER_H

/* `CONFIG GET name` on a server as `default` (password `pass`, or none): the value line. */
static const char *config_get(uint16_t port, const char *pass, const char *name) {
  char args[256];
  snprintf(args, sizeof args, "%s%s CONFIG GET %s", pass ? "--pass " : "", pass ? pass : "", name);
  const char *outp = cli(port, args);
  const char *nl = strchr(outp, '\n');
  return nl ? nl + 1 : outp;
}

/* Makes and starts a server with `opts` (NULL: defaults) on a fresh engine; the bound port. */
static ag_server *started(ag_server_options *opts, ag_acl **acl_out, uint16_t *port) {
  ag_acl *acl = NULL;
  ag_server *server = NULL;
  CHECK(ag_acl_new(&acl) == AG_OK);
  CHECK(ag_server_new(acl, opts, &server) == AG_OK);
  *port = 0;
  CHECK(server && ag_server_start(server, port) == AG_OK && *port != 0);
  *acl_out = acl;
  return server;
}

static void finish(ag_server *server, ag_acl *acl, ag_server_options *opts) {
  ag_server_free(server);
  ag_acl_free(acl);
  ag_server_options_free(opts);
}

static ag_server_options *new_options(void) {
  ag_server_options *opts = NULL;
  CHECK(ag_server_options_new(&opts) == AG_OK);
  return opts;
}

static void option_host(void) {
  ag_server_options *opts = new_options();
  CHECK(ag_server_options_set_host(opts, "127.0.0.1 -::1", 14) == AG_OK);
  ag_acl *acl;
  uint16_t port;
  ag_server *server = started(opts, &acl, &port);
  const char *h;
  size_t n;
  CHECK(ag_server_host(server, &h, &n) == AG_OK && eq(h, n, "127.0.0.1 -::1"));
  CHECK(strcmp(config_get(port, NULL, "bind"), "127.0.0.1 -::1") == 0);
  finish(server, acl, opts);
}

/* A port nobody listens on right now (the kernel's pick for a socket bound to port 0). */
static uint16_t free_port(void) {
  ag_acl *acl;
  uint16_t port;
  ag_server *probe = started(NULL, &acl, &port);
  ag_server_free(probe);
  ag_acl_free(acl);
  return port;
}

static void option_port(void) {
  ag_server_options *opts = new_options();
  uint16_t want = free_port();
  CHECK(ag_server_options_set_port(opts, want) == AG_OK);
  ag_acl *acl;
  uint16_t port;
  ag_server *server = started(opts, &acl, &port);
  CHECK(port == want && ag_server_port(server) == want);
  finish(server, acl, opts);
}

static void option_requirepass(void) {
  ag_server_options *opts = new_options();
  CHECK(ag_server_options_set_requirepass(opts, "pw", 2) == AG_OK);
  ag_acl *acl;
  uint16_t port;
  ag_server *server = started(opts, &acl, &port);
  CHECK(strcmp(config_get(port, "pw", "requirepass"), "pw") == 0);
  CHECK(strstr(cli(port, "PING"), "NOAUTH") != NULL);
  finish(server, acl, opts);
}

static void option_aclfile(void) {
  char path[256];
  tmp_path(path, sizeof path, "server.acl");
  FILE *f = fopen(path, "w");
  fputs("user default on >filepw ~* &* +@all\n", f);
  fclose(f);
  ag_server_options *opts = new_options();
  CHECK(ag_server_options_set_aclfile(opts, path, strlen(path)) == AG_OK);
  ag_acl *acl;
  uint16_t port;
  ag_server *server = started(opts, &acl, &port);
  CHECK(strcmp(config_get(port, "filepw", "aclfile"), path) == 0);
  finish(server, acl, opts);
  unlink(path);
}

static void option_maxclients(void) {
  ag_server_options *opts = new_options();
  CHECK(ag_server_options_set_maxclients(opts, 42) == AG_OK);
  ag_acl *acl;
  uint16_t port;
  ag_server *server = started(opts, &acl, &port);
  CHECK(strcmp(config_get(port, NULL, "maxclients"), "42") == 0);
  finish(server, acl, opts);
}

static void option_config(void) {
  char path[256];
  tmp_path(path, sizeof path, "redis.conf");
  FILE *f = fopen(path, "w");
  fputs("maxclients 3\nacllog-max-len 4\n", f);
  fclose(f);
  ag_server_options *opts = new_options();
  CHECK(ag_server_options_set_config_file(opts, path, strlen(path)) == AG_OK);
  CHECK(ag_server_options_set_port(opts, 0) == AG_OK); /* the file's port would be Redis' */
  ag_acl *acl;
  uint16_t port;
  ag_server *server = started(opts, &acl, &port);
  CHECK(strcmp(config_get(port, NULL, "maxclients"), "3") == 0);
  size_t n = 0;
  CHECK(ag_acl_get_log_max_len(acl, &n) == AG_OK && n == 4);
  finish(server, acl, opts);
  unlink(path);
}

static void server_start(void) {
  ag_acl *acl;
  uint16_t port;
  ag_server *server = started(NULL, &acl, &port);
  CHECK(strcmp(cli(port, "PING"), "PONG") == 0);
  CHECK(ag_server_start(server, NULL) == AG_INVALID_PARAMETER);
  finish(server, acl, NULL);
}

static void server_stop(void) {
  ag_acl *acl;
  uint16_t port;
  ag_server *server = started(NULL, &acl, &port);
  bool was = false;
  CHECK(ag_server_stop(server, &was) == AG_OK && was && !ag_server_running(server));
  CHECK(strstr(cli(port, "PING"), "Could not connect") != NULL);
  finish(server, acl, NULL);
}

static void server_restart(void) {
  ag_acl *acl;
  uint16_t port, again = 0;
  ag_server *server = started(NULL, &acl, &port);
  CHECK(ag_server_restart(server, &again) == AG_OK && again != 0 && ag_server_running(server));
  CHECK(strcmp(cli(again, "PING"), "PONG") == 0);
  finish(server, acl, NULL);
}

static void server_running(void) {
  ag_acl *acl = NULL;
  ag_server *server = NULL;
  CHECK(ag_acl_new(&acl) == AG_OK && ag_server_new(acl, NULL, &server) == AG_OK);
  CHECK(!ag_server_running(server));
  CHECK(ag_server_start(server, NULL) == AG_OK && ag_server_running(server));
  finish(server, acl, NULL);
}

static void server_host(void) {
  ag_acl *acl = NULL;
  ag_server *server = NULL;
  CHECK(ag_acl_new(&acl) == AG_OK && ag_server_new(acl, NULL, &server) == AG_OK);
  const char *h;
  size_t n;
  const json *want = default_string("host");
  CHECK(ag_server_host(server, &h, &n) == AG_OK && want && json_is(want, h, n));
  finish(server, acl, NULL);
}

static void server_port(void) {
  ag_acl *acl = NULL;
  ag_server *server = NULL;
  CHECK(ag_acl_new(&acl) == AG_OK && ag_server_new(acl, NULL, &server) == AG_OK);
  CHECK(ag_server_port(server) == 0); /* before the first start */
  uint16_t port = 0;
  CHECK(ag_server_start(server, &port) == AG_OK && ag_server_port(server) == port);
  /* core's default port for an embedded server is "pick a free one" */
  CHECK(default_number("port") == 0 && port != 0);
  char maxclients[32];
  snprintf(maxclients, sizeof maxclients, "%.0f", default_number("maxclients"));
  CHECK(strcmp(config_get(port, NULL, "maxclients"), maxclients) == 0);
  finish(server, acl, NULL);
}

#endif
