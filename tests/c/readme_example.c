/* The C example of README.md, built by `make test-c-install` from an installed prefix:
 *   gcc app.c $(pkg-config --cflags --libs authgate) -o app */
#include <stdio.h>
#include <authgate.h>

#define S(lit) ((ag_slice){(lit), sizeof(lit) - 1})

int main(void) {
  ag_acl *acl = NULL;
  if (ag_acl_new(&acl) != AG_OK) return 1;
  ag_slice rules[] = {S("on"), S(">secret"), S("~cache:*"), S("+get"), S("+set")};
  ag_acl_setuser(acl, "alice", 5, rules, 5);

  bool ok = false;
  ag_acl_authenticate(acl, "alice", 5, "secret", 6, &ok);
  printf("authenticated: %s\n", ok ? "yes" : "no");                  /* yes */

  ag_slice argv[] = {S("DEL"), S("cache:1")};
  if (ag_acl_check(acl, "alice", 5, argv, 2) == AG_NOPERM) {
    char msg[256];
    const char *kind, *object;
    size_t kind_len, object_len;
    ag_last_error_message(msg, sizeof msg);
    ag_last_error_denial(&kind, &kind_len, &object, &object_len);
    printf("%s %.*s %.*s: %s\n", ag_last_error_code(), (int)kind_len, kind, (int)object_len, object, msg);
    /* NOPERM command del: NOPERM this user has no permissions to run the 'del' command */
  }
  bool allowed = true;  /* the non-throwing form, for hot paths: no last error is set */
  ag_acl_allowed(acl, "alice", 5, argv, 2, &allowed);
  printf("allowed: %s\n", allowed ? "yes" : "no");                    /* no */

  /* A RESP server sharing the engine: setuser calls apply to its connections at once. */
  ag_server_options *options = NULL;
  ag_server_options_new(&options);                 /* nothing set: 127.0.0.1, a free port */
  ag_server *server = NULL;
  uint16_t port = 0;
  int status = 1;
  if (ag_server_new(acl, options, &server) == AG_OK && ag_server_start(server, &port) == AG_OK) {
    printf("listening on port %u\n", port);       /* redis-cli -p <port> can connect now */
    status = 0;
  }
  ag_server_free(server);                           /* stops it */
  ag_server_options_free(options);
  ag_acl_free(acl);
  return status;
}
