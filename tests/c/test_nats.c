/* NATS authentication through the C API: the shared fixtures (tests/fixtures/nats_cases.json,
 * recorded from nats-server 2.9.10) as the Rust, Python, Node and Java tests run them, then the
 * parts of the API the fixtures do not reach (parse's filename and base_dir, URLs, nkeys,
 * connection types, the auth timeout, argument errors) and the vocabulary's "nats" entries.
 * Each config case's files are written to a temporary directory and read with
 * ag_nats_auth_from_file("main.conf") from inside it, as nats-server ran with `-c main.conf`
 * (error texts carry the relative names). Command-line cases (`server_args`, no config) run
 * through ag_nats_auth_single_user and ag_nats_auth_token. Then permissions as data and the
 * allow_responses tracker (the same tests in every language).
 * Usage: test_nats [path/to/nats_cases.json] (default: run from the repository root). */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "authgate.h"
#include "check.h"
#include "helpers.h"
#include "json.h"

/* A NUL-terminated literal as pointer + length. */
#define L(lit) (lit), sizeof(lit) - 1

static char tmp_root[] = "/tmp/authgate_nats_XXXXXX";

/* Writes `n` bytes to `path` (relative to the current directory), creating its directories. */
static int write_file(const char *path, const char *text, size_t n) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", path);
  for (char *p = strchr(dir, '/'); p; p = strchr(p + 1, '/')) {
    *p = 0;
    mkdir(dir, 0700);
    *p = '/';
  }
  FILE *f = fopen(path, "wb");
  if (!f) return 0;
  int ok = fwrite(text, 1, n, f) == n;
  return fclose(f) == 0 && ok;
}

/* Go pointers in texts (`0xc000123456`) as the fixtures write them: `0xPTR` (compare.py).
 * Binary-safe (a config's NUL byte is quoted in its error): works on `*n` bytes. */
static void mask_pointers(char *s, size_t *n) {
  for (size_t i = 0; i + 3 <= *n; i++) {
    if (memcmp(s + i, "0xc", 3) != 0) continue;
    size_t h = 0;
    while (i + 2 + h < *n && memchr("0123456789abcdef", s[i + 2 + h], 16)) h++;
    if (h >= 7) {
      memcpy(s + i + 2, "PTR", 3);
      memmove(s + i + 5, s + i + 2 + h, *n - (i + 2 + h));
      *n -= h - 3;
    }
  }
}

typedef struct {
  const char *p;
  size_t n;
} line;

static int by_line(const void *a, const void *b) {
  const line *x = a, *y = b;
  int c = memcmp(x->p, y->p, x->n < y->n ? x->n : y->n);
  return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* True if the last error's lines, sorted, are one of the recorded variants (each a sorted
 * list of lines: Go's map order decides which nats-server prints). */
static int message_is_a_variant(const json *variants) {
  size_t len = ag_last_error_message(NULL, 0);
  char *msg = malloc(len + 1);
  ag_last_error_message(msg, len + 1);
  mask_pointers(msg, &len);
  line *lines = malloc((len + 1) * sizeof *lines);
  size_t n = 0;
  for (size_t start = 0, i = 0; i <= len; i++) {
    if (i == len || msg[i] == '\n') {
      lines[n++] = (line){msg + start, i - start};
      start = i + 1;
    }
  }
  qsort(lines, n, sizeof *lines, by_line);
  int found = 0;
  for (size_t v = 0; !found && v < variants->n; v++) {
    const json *want = variants->items[v];
    found = want->n == n;
    for (size_t i = 0; found && i < n; i++) found = json_is(want->items[i], lines[i].p, lines[i].n);
  }
  if (!found) fprintf(stderr, "  got: %s\n", err());
  free(lines);
  free(msg);
  return found;
}

/* The field `key` of `login` sent on `c` when the fixture sent it (null: not sent). */
static void send_field(ag_nats_connect *c, const json *login, const char *key,
                       ag_status (*set)(ag_nats_connect *, const char *, size_t)) {
  const json *v = json_get(login, key);
  if (v && v->type == J_STRING) CHECK(set(c, v->str, v->len) == AG_OK);
}

/* One recorded check on an accepted identity: the publish or subscription nats-server decided. */
static int check_ok(const ag_nats_identity *id, const json *chk) {
  const json *subject = json_get(chk, "subject"), *queue = json_get(chk, "queue");
  bool allowed = !json_get(chk, "allow")->boolean;
  ag_status st;
  if (json_is(json_get(chk, "op"), L("pub"))) {
    st = ag_nats_identity_can_publish(id, subject->str, subject->len, &allowed);
  } else {
    int q = queue && queue->type == J_STRING;
    st = ag_nats_identity_can_subscribe(id, subject->str, subject->len, q ? queue->str : NULL, q ? queue->len : 0,
                                        &allowed);
  }
  return st == AG_OK && allowed == json_get(chk, "allow")->boolean;
}

/* One login of a case: accepted with the recorded user and account and every check's verdict,
 * or refused as AUTH with nats-server's text. Returns the number of checks run. */
static size_t run_login(const ag_nats_auth *auth, const json *login, const char *name, size_t index) {
  ag_nats_connect *c = NULL;
  CHECK(ag_nats_connect_new(&c) == AG_OK);
  send_field(c, login, "user", ag_nats_connect_set_user);
  send_field(c, login, "password", ag_nats_connect_set_password);
  send_field(c, login, "token", ag_nats_connect_set_token);
  ag_nats_identity *id = NULL;
  ag_status st = ag_nats_authenticate(auth, c, &id);
  ag_nats_connect_free(c);
  const json *checks = json_get(login, "checks");
  int ok;
  if (json_get(login, "ok")->boolean) {
    const char *p;
    size_t n;
    ok = st == AG_OK && ag_nats_identity_user(id, &p, &n) == AG_OK && json_is(json_get(login, "user_name"), p, n) &&
         ag_nats_identity_account(id, &p, &n) == AG_OK && json_is(json_get(login, "account"), p, n);
    for (size_t i = 0; ok && i < checks->n; i++) {
      ok = check_ok(id, checks->items[i]);
      if (!ok) fprintf(stderr, "  check %zu (%s)\n", i, json_get(checks->items[i], "subject")->str);
    }
  } else {
    const json *text = json_get(login, "error");
    ok = st == AG_AUTH && id == NULL && code_is("AUTH") && json_is(text, err(), strlen(err()));
  }
  CHECK(ok);
  if (!ok) fprintf(stderr, "  case '%s', login %zu (status %d: %s)\n", name, index, (int)st, st ? err() : "");
  ag_nats_identity_free(id);
  return checks->n;
}

/* nats-server's `--user U --pass P` or `--auth`/`-auth TOKEN` from a case's arguments. */
static ag_nats_auth *command_line_auth(const json *args) {
  const json *user = NULL, *pass = NULL, *token = NULL;
  for (size_t i = 0; i + 1 < args->n; i++) {
    const json *a = args->items[i], *v = args->items[i + 1];
    if (json_is(a, L("--user"))) user = v;
    if (json_is(a, L("--pass"))) pass = v;
    if (json_is(a, L("--auth")) || json_is(a, L("-auth"))) token = v;
  }
  ag_nats_auth *auth = NULL;
  ag_status st = token ? ag_nats_auth_token(token->str, token->len, &auth)
                 : user && pass ? ag_nats_auth_single_user(user->str, user->len, pass->str, pass->len, &auth)
                                : AG_ERR;
  return st == AG_OK ? auth : NULL;
}

/* The recorded cases. */
static void fixtures(const char *path) {
  json *doc = json_parse_file(path);
  CHECK(doc != NULL);
  const json *cases = json_get(doc, "cases");
  char home[4096];
  CHECK(getcwd(home, sizeof home) != NULL);
  size_t run = 0, command_line = 0, refused = 0, logins = 0, checks = 0;
  for (size_t i = 0; cases && i < cases->n; i++) {
    const json *kase = cases->items[i], *files = json_get(kase, "files"), *env = json_get(kase, "env");
    const char *name = json_get(kase, "name")->str;
    if (json_get(kase, "main")->type == J_NULL) {
      ag_nats_auth *auth = command_line_auth(json_get(kase, "server_args"));
      CHECK(auth != NULL);
      const json *list = json_get(kase, "logins");
      for (size_t l = 0; auth && l < list->n; l++, logins++) checks += run_login(auth, list->items[l], name, l);
      ag_nats_auth_free(auth);
      command_line++;
      continue;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%zu", tmp_root, i);
    CHECK(mkdir(dir, 0700) == 0 && chdir(dir) == 0);
    for (size_t f = 0; f < files->n; f++) CHECK(write_file(files->keys[f], files->items[f]->str, files->items[f]->len));
    for (size_t e = 0; e < env->n; e++) setenv(env->keys[e], env->items[e]->str, 1);
    const json *main_file = json_get(kase, "main");
    ag_nats_auth *auth = NULL;
    ag_status st = ag_nats_auth_from_file(main_file->str, main_file->len, &auth);
    for (size_t e = 0; e < env->n; e++) unsetenv(env->keys[e]);
    CHECK(chdir(home) == 0);
    run++;
    const json *check = json_get(kase, "check");
    if (check && !json_get(check, "ok")->boolean) {
      int ok = st == AG_CONFIG && auth == NULL && code_is("CONFIG") && message_is_a_variant(json_get(check, "variants"));
      CHECK(ok);
      if (!ok) fprintf(stderr, "  case '%s': refused config, status %d\n", name, (int)st);
      refused++;
      continue;
    }
    CHECK(st == AG_OK);
    if (st != AG_OK) {
      fprintf(stderr, "  case '%s': %s\n", name, err());
      continue;
    }
    const json *list = json_get(kase, "logins");
    for (size_t l = 0; l < list->n; l++, logins++) checks += run_login(auth, list->items[l], name, l);
    ag_nats_auth_free(auth);
  }
  /* Every case ran or is a counted command-line case, and the fixtures did not go missing. */
  CHECK(cases && run + command_line == cases->n);
  CHECK(run >= 300 && refused >= 80 && logins >= 1500 && checks >= 5000);
  printf("%zu cases (%zu config, %zu refused configs, %zu command-line), %zu logins, %zu checks\n",
         cases ? cases->n : 0, run, refused, command_line, logins, checks);
  json_free(doc);
}

/* Parses `text` (no filename, no base_dir). */
static ag_nats_auth *parse(const char *text) {
  ag_nats_auth *auth = NULL;
  ag_status st = ag_nats_auth_parse(text, strlen(text), NULL, 0, NULL, 0, &auth);
  CHECK(st == AG_OK);
  if (st != AG_OK) fprintf(stderr, "  parse: %s\n", err());
  return auth;
}

/* ag_nats_authenticate with `c`, freeing nothing; the status. */
static ag_status login(const ag_nats_auth *auth, ag_nats_connect *c, ag_nats_identity **id) {
  *id = NULL;
  return ag_nats_authenticate(auth, c, id);
}

static void parse_filename_and_base_dir(void) {
  ag_nats_auth *auth = NULL;
  const char *bad = "authorization { users = [ {nkey: UABC} ] }";
  CHECK(ag_nats_auth_parse(bad, strlen(bad), L("n.conf"), NULL, 0, &auth) == AG_CONFIG && auth == NULL);
  CHECK(code_is("CONFIG") && strcmp(err(), "n.conf:1:27: Not a valid public nkey for a user") == 0);
  /* includes resolve against base_dir, not the current directory */
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/base", tmp_root);
  CHECK(mkdir(dir, 0700) == 0);
  char inc[4200];
  snprintf(inc, sizeof inc, "%s/users.conf", dir);
  const char *users = "accounts { ACC { users = [ {user: a, password: b} ] } }\n";
  CHECK(write_file(inc, users, strlen(users)));
  const char *text = "include 'users.conf'\n";
  CHECK(ag_nats_auth_parse(text, strlen(text), NULL, 0, NULL, 0, &auth) == AG_CONFIG && auth == NULL);
  CHECK(strstr(err(), "users.conf") != NULL);
  CHECK(ag_nats_auth_parse(text, strlen(text), NULL, 0, dir, strlen(dir), &auth) == AG_OK);
  ag_nats_connect *c = NULL;
  ag_nats_identity *id = NULL;
  CHECK(ag_nats_connect_new(&c) == AG_OK);
  CHECK(ag_nats_connect_set_user(c, L("a")) == AG_OK && ag_nats_connect_set_password(c, L("b")) == AG_OK);
  const char *p;
  size_t n;
  CHECK(login(auth, c, &id) == AG_OK && ag_nats_identity_account(id, &p, &n) == AG_OK && eq(p, n, "ACC"));
  ag_nats_identity_free(id);
  ag_nats_connect_free(c);
  ag_nats_auth_free(auth);
  CHECK(ag_nats_auth_from_file(L("/nonexistent/authgate.conf"), &auth) == AG_CONFIG && code_is("CONFIG"));
}

static void urls_and_explicit_fields(void) {
  ag_nats_auth *auth = parse("authorization { user: foo, password: bar }");
  ag_nats_connect *c = NULL;
  ag_nats_identity *id = NULL;
  CHECK(ag_nats_connect_new(&c) == AG_OK);
  CHECK(login(auth, c, &id) == AG_AUTH && id == NULL && strcmp(err(), "Authorization Violation") == 0);
  CHECK(ag_nats_connect_set_url(c, L("nats://foo:bar@localhost:4222")) == AG_OK);
  const char *p;
  size_t n;
  CHECK(login(auth, c, &id) == AG_OK && ag_nats_identity_user(id, &p, &n) == AG_OK && eq(p, n, "foo"));
  ag_nats_identity_free(id);
  /* a password given explicitly replaces the URL's */
  CHECK(ag_nats_connect_set_password(c, L("wrong")) == AG_OK);
  CHECK(login(auth, c, &id) == AG_AUTH && code_is("AUTH"));
  ag_nats_connect_free(c);
  ag_nats_auth_free(auth);
  /* a token URL, and no percent-decoding */
  auth = parse("authorization { token: \"S3Cr3T0k3n!\" }");
  CHECK(ag_nats_connect_new(&c) == AG_OK);
  CHECK(ag_nats_connect_set_url(c, L("nats://S3Cr3T0k3n!@localhost:4222")) == AG_OK);
  CHECK(login(auth, c, &id) == AG_OK && ag_nats_identity_user(id, &p, &n) == AG_OK && n == 0);
  ag_nats_identity_free(id);
  CHECK(ag_nats_connect_set_url(c, L("nats://S3Cr3T0k3n%21@localhost:4222")) == AG_OK);
  CHECK(login(auth, c, &id) == AG_AUTH);
  CHECK(ag_nats_connect_set_url(c, "\xff", 1) == AG_INVALID_PARAMETER && code_is("INVALID_ARGUMENT"));
  ag_nats_connect_free(c);
  ag_nats_auth_free(auth);
}

/* The nkey of ed25519 seed [7; 32] and its signature of NONCE (base64url, no padding), as
 * core/tests/nats_auth.rs signs it. */
#define NKEY "UDVEU3DD4KOFECV66VIHWEZOYX4ZKR3WV27L464SIIPOU2IUI3JCYSJF"
#define NONCE "OhMoqqzsmeEaHGc"
#define SIG "wVHE0_rGjZ1UQoFScHZzS1cc8-oGSjrxNtngGMh80R6oiPDuDAI-la-yDmUSf5o77BJsTrDRFp9BXgiI_W1BBA"

static void nkeys_sign_the_nonce(void) {
  ag_nats_auth *auth = parse("authorization { users = [ {nkey: " NKEY ", permissions: {publish: \"a.>\"}} ] }");
  ag_nats_connect *c = NULL;
  ag_nats_identity *id = NULL;
  CHECK(ag_nats_connect_new(&c) == AG_OK);
  CHECK(ag_nats_connect_set_nkey(c, L(NKEY)) == AG_OK && ag_nats_connect_set_nonce(c, L(NONCE)) == AG_OK);
  CHECK(login(auth, c, &id) == AG_AUTH); /* no signature */
  CHECK(ag_nats_connect_set_sig(c, L(SIG)) == AG_OK);
  const char *p;
  size_t n;
  bool b = false;
  CHECK(login(auth, c, &id) == AG_OK && ag_nats_identity_user(id, &p, &n) == AG_OK && eq(p, n, NKEY));
  CHECK(ag_nats_identity_can_publish(id, L("a.b"), &b) == AG_OK && b);
  CHECK(ag_nats_identity_can_publish(id, L("b"), &b) == AG_OK && !b);
  ag_nats_identity_free(id);
  CHECK(ag_nats_connect_set_nonce(c, L("another nonce")) == AG_OK);
  CHECK(login(auth, c, &id) == AG_AUTH);
  ag_nats_connect_free(c);
  ag_nats_auth_free(auth);
}

static void connection_types_and_timeouts(void) {
  ag_nats_auth *auth = parse("authorization { users = [ {user: w, password: w, allowed_connection_types: [websocket]} ] }");
  ag_nats_connect *c = NULL;
  ag_nats_identity *id = NULL;
  CHECK(ag_nats_connect_new(&c) == AG_OK);
  CHECK(ag_nats_connect_set_user(c, L("w")) == AG_OK && ag_nats_connect_set_password(c, L("w")) == AG_OK);
  CHECK(login(auth, c, &id) == AG_AUTH); /* not on the client port */
  CHECK(ag_nats_connect_set_connection_type(c, L("websocket")) == AG_OK);
  CHECK(login(auth, c, &id) == AG_OK);
  ag_nats_identity_free(id);
  CHECK(ag_nats_connect_set_connection_type(c, L("carrier pigeon")) == AG_INVALID_PARAMETER &&
        code_is("INVALID_ARGUMENT"));
  CHECK(login(auth, c, &id) == AG_OK); /* the refused type changed nothing */
  ag_nats_identity_free(id);
  CHECK(ag_nats_connect_set_connection_type(c, L("STANDARD")) == AG_OK);
  CHECK(login(auth, c, &id) == AG_AUTH);
  double t = 0;
  CHECK(ag_nats_auth_timeout(auth, &t) == AG_OK && t == 2.0);
  ag_nats_connect_free(c);
  ag_nats_auth_free(auth);
  auth = parse("authorization { user: a, password: b, timeout: 1.5 }");
  CHECK(ag_nats_auth_timeout(auth, &t) == AG_OK && t == 1.5);
  ag_nats_auth_free(auth);
}

static void permissions(void) {
  ag_nats_auth *auth = parse("max_sub_tokens: 3\nauthorization { users = [ {user: a, password: a, permissions: "
                             "{ subscribe: { allow: \">\", deny: \"foo.secret\" } } } ] }");
  ag_nats_connect *c = NULL;
  ag_nats_identity *id = NULL;
  CHECK(ag_nats_connect_new(&c) == AG_OK);
  CHECK(ag_nats_connect_set_user(c, L("a")) == AG_OK && ag_nats_connect_set_password(c, L("a")) == AG_OK);
  CHECK(login(auth, c, &id) == AG_OK);
  bool b = false;
  CHECK(ag_nats_identity_can_subscribe(id, L("foo.*"), NULL, 0, &b) == AG_OK && b);
  CHECK(ag_nats_identity_can_subscribe(id, L("foo.*"), L("q"), &b) == AG_OK && b);
  CHECK(ag_nats_identity_can_receive(id, L("foo.secret"), &b) == AG_OK && !b);
  CHECK(ag_nats_identity_can_receive(id, L("foo.public"), &b) == AG_OK && b);
  /* the config's max_sub_tokens applies to identities from ag_nats_authenticate */
  CHECK(ag_nats_identity_can_subscribe(id, L("a.b.c"), NULL, 0, &b) == AG_OK && b);
  CHECK(ag_nats_identity_can_subscribe(id, L("a.b.c.d"), NULL, 0, &b) == AG_OK && !b);
  CHECK(ag_nats_identity_can_subscribe(id, L("foo..bar"), NULL, 0, &b) == AG_OK && !b);
  ag_nats_identity_free(id);
  ag_nats_connect_free(c);
  ag_nats_auth_free(auth);
}

static const char PERMISSIONS[] =
    "authorization {\n"
    "  users: [\n"
    "    {user: svc, password: p, permissions: {\n"
    "      publish: {allow: [\"orders.>\", \"audit\"], deny: \"orders.secret\"},\n"
    "      subscribe: {allow: [\"replies.*\", \"jobs.* workers\"]},\n"
    "      allow_responses: {max: 2, expires: \"1m30s\"}}},\n"
    "    {user: reply, password: p, permissions: {subscribe: \"req.>\", allow_responses: true}},\n"
    "    {user: open, password: p}\n"
    "  ]\n"
    "}\n";

/* Logs `user` (password p) in; NULL if refused. */
static ag_nats_identity *login_as(const ag_nats_auth *auth, const char *user) {
  ag_nats_connect *c = NULL;
  ag_nats_identity *id = NULL;
  CHECK(ag_nats_connect_new(&c) == AG_OK);
  CHECK(ag_nats_connect_set_user(c, user, strlen(user)) == AG_OK && ag_nats_connect_set_password(c, L("p")) == AG_OK);
  CHECK(login(auth, c, &id) == AG_OK);
  ag_nats_connect_free(c);
  return id;
}

/* True if list `which` of `id` is present with exactly `want` (NULL-terminated). */
static int list_is(const ag_nats_identity *id, ag_nats_subject_list which, const char *const *want) {
  bool present = false;
  size_t count = 99;
  if (ag_nats_identity_permission_list(id, which, &present, &count) != AG_OK || !present) return 0;
  size_t n = 0;
  while (want[n]) n++;
  if (count != n) return 0;
  for (size_t i = 0; i < n; i++) {
    const char *p;
    size_t len;
    if (ag_nats_identity_permission_entry(id, which, i, &p, &len) != AG_OK) return 0;
    if (len != strlen(want[i]) || memcmp(p, want[i], len) != 0) return 0;
  }
  return 1;
}

/* True if list `which` of `id` is absent (does not restrict). */
static int list_absent(const ag_nats_identity *id, ag_nats_subject_list which) {
  bool present = true;
  size_t count = 99;
  return ag_nats_identity_permission_list(id, which, &present, &count) == AG_OK && !present && count == 0;
}

static void permissions_as_data(void) {
  ag_nats_auth *auth = parse(PERMISSIONS);
  ag_nats_identity *svc = login_as(auth, "svc"), *reply = login_as(auth, "reply"), *open = login_as(auth, "open");
  bool has = false, present = false;
  int64_t max = 0;
  double expires = 0;
  CHECK(ag_nats_identity_has_permissions(svc, &has) == AG_OK && has);
  CHECK(list_is(svc, AG_NATS_PUBLISH_ALLOW, (const char *const[]){"orders.>", "audit", NULL}));
  CHECK(list_is(svc, AG_NATS_PUBLISH_DENY, (const char *const[]){"orders.secret", NULL}));
  CHECK(list_is(svc, AG_NATS_SUBSCRIBE_ALLOW, (const char *const[]){"replies.*", "jobs.* workers", NULL}));
  CHECK(list_absent(svc, AG_NATS_SUBSCRIBE_DENY));
  CHECK(ag_nats_identity_allow_responses(svc, &present, &max, &expires) == AG_OK && present && max == 2 &&
        expires == 90.0);
  /* allow_responses alone: publish allows nothing but responses (an empty allow list), with
   * nats-server's defaults of one response within two minutes. */
  CHECK(list_is(reply, AG_NATS_PUBLISH_ALLOW, (const char *const[]){NULL}));
  CHECK(list_absent(reply, AG_NATS_PUBLISH_DENY));
  CHECK(list_is(reply, AG_NATS_SUBSCRIBE_ALLOW, (const char *const[]){"req.>", NULL}));
  CHECK(ag_nats_identity_allow_responses(reply, &present, &max, &expires) == AG_OK && present && max == 1 &&
        expires == 120.0);
  CHECK(ag_nats_identity_has_permissions(open, &has) == AG_OK && !has);
  for (ag_nats_subject_list w = AG_NATS_PUBLISH_ALLOW; w <= AG_NATS_SUBSCRIBE_DENY; w++) CHECK(list_absent(open, w));
  CHECK(ag_nats_identity_allow_responses(open, &present, &max, &expires) == AG_OK && !present && max == 0);
  /* bad selectors and indexes are errors that write nothing */
  const char *p = NULL;
  size_t len = 7;
  CHECK(ag_nats_identity_permission_list(svc, 4, &present, &len) == AG_INVALID_PARAMETER && len == 7);
  CHECK(ag_nats_identity_permission_entry(svc, AG_NATS_PUBLISH_ALLOW, 2, &p, &len) == AG_INVALID_PARAMETER && !p);
  CHECK(ag_nats_identity_permission_entry(open, AG_NATS_PUBLISH_ALLOW, 0, &p, &len) == AG_INVALID_PARAMETER);
  CHECK(ag_nats_identity_permission_list(NULL, 0, &present, &len) == AG_NULL_PARAMETER);
  CHECK(ag_nats_identity_allow_responses(svc, NULL, &max, &expires) == AG_NULL_PARAMETER);
  ag_nats_identity_free(svc);
  ag_nats_identity_free(reply);
  ag_nats_identity_free(open);
  ag_nats_auth_free(auth);
}

static void received_request_makes_the_reply_publishable(void) {
  ag_nats_auth *auth = parse(PERMISSIONS);
  ag_nats_identity *reply = login_as(auth, "reply"), *svc = login_as(auth, "svc"), *fresh = login_as(auth, "reply"),
                   *open = login_as(auth, "open");
  bool b = true;
  CHECK(ag_nats_identity_can_publish(reply, L("_INBOX.abc"), &b) == AG_OK && !b);
  CHECK(ag_nats_identity_received_request(reply, L("_INBOX.abc")) == AG_OK);
  CHECK(ag_nats_identity_can_publish(reply, L("_INBOX.abc"), &b) == AG_OK && b);
  /* max 1: the second response is refused, and other subjects never were allowed */
  CHECK(ag_nats_identity_can_publish(reply, L("_INBOX.abc"), &b) == AG_OK && !b);
  CHECK(ag_nats_identity_can_publish(reply, L("_INBOX.other"), &b) == AG_OK && !b);
  CHECK(ag_nats_identity_received_request(svc, L("_INBOX.x")) == AG_OK);
  CHECK(ag_nats_identity_can_publish(svc, L("_INBOX.x"), &b) == AG_OK && b);
  CHECK(ag_nats_identity_can_publish(svc, L("_INBOX.x"), &b) == AG_OK && b);
  CHECK(ag_nats_identity_can_publish(svc, L("_INBOX.x"), &b) == AG_OK && !b);
  /* identities do not share replies; without allow_responses nothing changes */
  CHECK(ag_nats_identity_can_publish(fresh, L("_INBOX.abc"), &b) == AG_OK && !b);
  CHECK(ag_nats_identity_received_request(open, L("x")) == AG_OK);
  CHECK(ag_nats_identity_can_publish(open, L("anything"), &b) == AG_OK && b);
  CHECK(ag_nats_identity_received_request(NULL, L("x")) == AG_NULL_PARAMETER);
  CHECK(ag_nats_identity_received_request(open, NULL, 3) == AG_NULL_PARAMETER);
  ag_nats_identity_free(reply);
  ag_nats_identity_free(svc);
  ag_nats_identity_free(fresh);
  ag_nats_identity_free(open);
  ag_nats_auth_free(auth);
}

static void command_line_modes(void) {
  ag_nats_auth *single = NULL, *token = NULL;
  CHECK(ag_nats_auth_single_user(L("foo"), L("bar"), &single) == AG_OK);
  ag_nats_connect *c = NULL;
  ag_nats_identity *id = NULL;
  CHECK(ag_nats_connect_new(&c) == AG_OK);
  CHECK(ag_nats_connect_set_user(c, L("foo")) == AG_OK && ag_nats_connect_set_password(c, L("bar")) == AG_OK);
  CHECK(login(single, c, &id) == AG_OK);
  const char *p;
  size_t n;
  CHECK(ag_nats_identity_user(id, &p, &n) == AG_OK && n == 3 && memcmp(p, "foo", 3) == 0);
  ag_nats_identity_free(id);
  CHECK(ag_nats_connect_set_password(c, L("baz")) == AG_OK);
  CHECK(login(single, c, &id) == AG_AUTH && id == NULL);
  CHECK(ag_nats_auth_token(L("S3Cr3T0k3n!"), &token) == AG_OK);
  CHECK(login(token, c, &id) == AG_AUTH && id == NULL);
  ag_nats_connect_free(c);
  CHECK(ag_nats_connect_new(&c) == AG_OK && ag_nats_connect_set_token(c, L("S3Cr3T0k3n!")) == AG_OK);
  CHECK(login(token, c, &id) == AG_OK);
  ag_nats_identity_free(id);
  ag_nats_connect_free(c);
  ag_nats_auth *none = NULL;
  CHECK(ag_nats_auth_token(NULL, 4, &none) == AG_NULL_PARAMETER && none == NULL);
  CHECK(ag_nats_auth_single_user(L("u"), L("p"), NULL) == AG_NULL_PARAMETER);
  ag_nats_auth_free(single);
  ag_nats_auth_free(token);
}

static void argument_errors(void) {
  ag_nats_auth *auth = parse("");
  ag_nats_connect *c = NULL;
  ag_nats_identity *id = NULL;
  CHECK(ag_nats_connect_new(&c) == AG_OK);
  /* an open server: everyone, in the global account */
  const char *p;
  size_t n;
  CHECK(login(auth, c, &id) == AG_OK && ag_nats_identity_account(id, &p, &n) == AG_OK && eq(p, n, "$G"));
  bool b = false;
  CHECK(ag_nats_identity_can_publish(id, NULL, 3, &b) == AG_NULL_PARAMETER && code_is("INVALID_ARGUMENT"));
  CHECK(ag_nats_identity_can_publish(id, L("x"), NULL) == AG_NULL_PARAMETER);
  CHECK(ag_nats_identity_user(id, NULL, &n) == AG_NULL_PARAMETER);
  CHECK(ag_nats_identity_can_receive(NULL, L("x"), &b) == AG_NULL_PARAMETER);
  ag_nats_identity_free(id);
  CHECK(ag_nats_authenticate(NULL, c, &id) == AG_NULL_PARAMETER);
  CHECK(ag_nats_authenticate(auth, NULL, &id) == AG_NULL_PARAMETER);
  CHECK(ag_nats_authenticate(auth, c, NULL) == AG_NULL_PARAMETER);
  CHECK(ag_nats_auth_timeout(auth, NULL) == AG_NULL_PARAMETER);
  CHECK(ag_nats_connect_set_user(NULL, L("u")) == AG_NULL_PARAMETER);
  CHECK(ag_nats_connect_set_user(c, NULL, 1) == AG_NULL_PARAMETER);
  CHECK(ag_nats_auth_parse(L("x"), "\xff", 1, NULL, 0, &auth) == AG_INVALID_PARAMETER);
  CHECK(ag_nats_auth_parse(L("operator: x"), NULL, 0, NULL, 0, NULL) == AG_NULL_PARAMETER);
  ag_nats_connect_free(c);
  ag_nats_auth_free(auth);
  ag_nats_auth_free(NULL);
  ag_nats_connect_free(NULL);
  ag_nats_identity_free(NULL);
}

/* verify_and_map: a config whose tls block maps the client's certificate (the shared fixture's
 * certificates) to a user; without a certificate the login is refused. */
static void certificate_login(void) {
  char conf[4096], cwd[2048];
  CHECK(getcwd(cwd, sizeof cwd) != NULL);
  int n = snprintf(conf, sizeof conf,
                   "tls { cert_file: \"%s/tests/fixtures/certs/server.pem\", key_file: \"%s/tests/fixtures/certs/server.key\", "
                   "ca_file: \"%s/tests/fixtures/certs/ca.pem\", verify_and_map: true }\n"
                   "authorization { users: [ {user: \"alice@example.com\"} ] }\n",
                   cwd, cwd, cwd);
  ag_nats_auth *auth = NULL;
  CHECK(ag_nats_auth_parse(conf, (size_t)n, NULL, 0, NULL, 0, &auth) == AG_OK);
  FILE *f = fopen("tests/fixtures/certs/multi_ou.pem", "rb");
  char pem[8192];
  size_t len = f ? fread(pem, 1, sizeof pem, f) : 0;
  if (f) fclose(f);
  ag_client_cert *cert = NULL;
  CHECK(ag_client_cert_from_pem(pem, len, &cert) == AG_OK);
  ag_nats_connect *c = NULL;
  CHECK(ag_nats_connect_new(&c) == AG_OK);
  ag_nats_identity *id = (ag_nats_identity *)1;
  CHECK(ag_nats_authenticate(auth, c, &id) == AG_AUTH && id == (ag_nats_identity *)1);
  CHECK(ag_nats_connect_set_certificate(c, cert) == AG_OK);
  ag_client_cert_free(cert); /* the credentials keep their own copy */
  CHECK(ag_nats_authenticate(auth, c, &id) == AG_OK);
  const char *user;
  size_t user_len;
  CHECK(ag_nats_identity_user(id, &user, &user_len) == AG_OK && eq(user, user_len, "alice@example.com"));
  ag_nats_identity_free(id);
  CHECK(ag_nats_connect_set_certificate(c, NULL) == AG_OK);
  CHECK(ag_nats_authenticate(auth, c, &id) == AG_AUTH);
  CHECK(ag_nats_connect_set_certificate(NULL, NULL) == AG_NULL_PARAMETER);
  ag_nats_connect_free(c);
  ag_nats_auth_free(auth);
}

/* The vocabulary's "nats" section names exactly what this file covers, so a new operation or
 * authenticate parameter shows up here as a failure until C has it. */
static void vocabulary(const char *path) {
  static const char *const covered[][12] = {
      {"constructors", "from_file", "parse", "single_user", "token", NULL},
      {"methods", "authenticate", NULL},
      {"properties", "auth_timeout", NULL},
      /* one ag_nats_connect_set_* each */
      {"authenticate_parameters", "user", "password", "token", "nkey", "sig", "nonce", "connection_type", "url", "certificate",
       NULL},
      {"identity", "user", "account", "can_publish", "can_subscribe", "can_receive", "permissions", "received_request",
       NULL},
      /* ag_nats_identity_has_permissions, ag_nats_identity_permission_list / _entry with the four
       * AG_NATS_{PUBLISH,SUBSCRIBE}_{ALLOW,DENY} selectors, ag_nats_identity_allow_responses */
      {"permissions", "publish", "subscribe", "allow_responses", NULL},
      {"subject_lists", "allow", "deny", NULL},
      {"allow_responses", "max", "expires", NULL},
  };
  json *doc = json_parse_file(path);
  const json *nats = json_get(doc, "nats");
  CHECK(nats != NULL && nats->n == sizeof covered / sizeof covered[0]);
  for (size_t s = 0; nats && s < sizeof covered / sizeof covered[0]; s++) {
    const json *names = json_get(nats, covered[s][0]);
    size_t n = 0;
    while (covered[s][n + 1]) n++;
    CHECK(names != NULL && names->n == n);
    for (size_t i = 0; names && i < names->n && i < n; i++) {
      int ok = json_is(names->items[i], covered[s][i + 1], strlen(covered[s][i + 1]));
      CHECK(ok);
      if (!ok) fprintf(stderr, "  vocabulary nats.%s[%zu] is %s\n", covered[s][0], i, names->items[i]->str);
    }
  }
  json_free(doc);
}

int main(int argc, char **argv) {
  const char *cases = argc > 1 ? argv[1] : "tests/fixtures/nats_cases.json";
  char vocab[4096];
  const char *slash = strrchr(cases, '/');
  snprintf(vocab, sizeof vocab, "%.*svocabulary.json", slash ? (int)(slash - cases + 1) : 0, cases);
  CHECK(mkdtemp(tmp_root) != NULL);
  fixtures(cases);
  parse_filename_and_base_dir();
  urls_and_explicit_fields();
  nkeys_sign_the_nonce();
  connection_types_and_timeouts();
  certificate_login();
  permissions();
  permissions_as_data();
  received_request_makes_the_reply_publishable();
  command_line_modes();
  argument_errors();
  vocabulary(vocab);
  char cmd[200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_root);
  CHECK(system(cmd) == 0);
  return DONE();
}
