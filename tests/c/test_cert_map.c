/* Certificate -> user mapping through the C API (ag_cert_user_map, ag_cert_login): the shared
 * fixture's user_maps (tests/fixtures/cert_cases.json; user names and subject lines read from
 * openssl's description of the certificates by cert_cases_gen.py) as the Python, Node and Java
 * tests run them: each map's mode and certificate users, an engine with the case's users (or
 * none), and per certificate the user, outcome and log line; refused modes and subject lines;
 * then argument errors and the vocabulary's "cert_user_map" / "cert_login" entries.
 * Usage: test_cert_map [path/to/cert_cases.json] [path/to/vocabulary.json] (default: run from
 * the repository root). */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdlib.h>

#include "authgate.h"
#include "cert_fixture.h"
#include "check.h"
#include "helpers.h"
#include "json.h"

#define L(lit) (lit), sizeof(lit) - 1

static const json *certificates; /* the fixture's "certificates" */

/* The fixture's certificate `name`, parsed from its PEM file; NULL if it is not there. The
 * caller frees it. */
static ag_client_cert *load(const char *name) {
  for (size_t i = 0; certificates && i < certificates->n; i++) {
    const json *c = json_at(certificates, i);
    if (strcmp(json_get(c, "name")->str, name) != 0) continue;
    size_t n = 0;
    char *pem = read_file(json_get(c, "pem")->str, &n);
    ag_client_cert *cert = NULL;
    if (pem && ag_client_cert_from_pem(pem, n, &cert) != AG_OK) cert = NULL;
    free(pem);
    return cert;
  }
  return NULL;
}

/* A JSON string or null equals an optional lent value. */
static int optional_is(const json *want, const char *p, size_t n, bool present) {
  if (want && want->type == J_STRING) return present && json_is(want, p, n);
  return want && want->type == J_NULL && !present && p == NULL && n == 0;
}

static int mode_is(const ag_cert_user_map *map, const json *want) {
  const char *p;
  size_t n;
  return ag_cert_user_map_mode(map, &p, &n) == AG_OK && json_is(want, p, n);
}

/* The engine of a case: its users by ACL SETUSER words; NULL for `"acl": null`. */
static ag_acl *engine(const json *users) {
  if (!users || users->type != J_ARRAY) return NULL;
  ag_acl *acl = NULL;
  CHECK(ag_acl_new(&acl) == AG_OK);
  for (size_t i = 0; i < users->n; i++) {
    const json *u = json_at(users, i);
    ag_slice rules[8];
    size_t n = u->n - 1 < 8 ? u->n - 1 : 8;
    for (size_t k = 0; k < n; k++) rules[k] = (ag_slice){json_at(u, k + 1)->str, json_at(u, k + 1)->len};
    CHECK(ag_acl_setuser(acl, json_at(u, 0)->str, json_at(u, 0)->len, rules, n) == AG_OK);
  }
  return acl;
}

/* Byte order, as core sorts names: `a` sorts strictly before `b`. */
static int bytes_before(const char *a, size_t an, const char *b, size_t bn) {
  int c = memcmp(a, b, an < bn ? an : bn);
  return c < 0 || (c == 0 && an < bn);
}

/* The map's certificate users are exactly the case's, in name order, with their lines. */
static void check_users(const ag_cert_user_map *map, const json *users) {
  ag_list *names = NULL;
  CHECK(ag_cert_user_map_users(map, &names) == AG_OK);
  const char *prev = NULL;
  size_t prev_n = 0;
  for (size_t i = 0; names && i < ag_list_len(names); i++) {
    const char *p;
    size_t n;
    CHECK(ag_list_get(names, i, &p, &n) == AG_OK);
    if (prev) CHECK(bytes_before(prev, prev_n, p, n));
    prev = p;
    prev_n = n;
  }
  CHECK(names && ag_list_len(names) == users->n);
  for (size_t i = 0; i < users->n; i++) {
    const json *u = json_at(users, i), *name = json_get(u, "name");
    CHECK(list_contains(names, name->str));
    const char *p;
    size_t n;
    bool present;
    CHECK(ag_cert_user_map_subject_line(map, name->str, name->len, &p, &n, &present) == AG_OK);
    CHECK(optional_is(json_get(u, "certificate_subject_line"), p, n, present));
  }
  ag_list_free(names);
}

static void check_login(const ag_cert_login *login, const json *want) {
  const char *p;
  size_t n;
  bool present;
  CHECK(ag_cert_login_user(login, &p, &n, &present) == AG_OK && optional_is(json_get(want, "user"), p, n, present));
  CHECK(ag_cert_login_outcome(login, &p, &n) == AG_OK && json_is(json_get(want, "outcome"), p, n));
  CHECK(ag_cert_login_log_line(login, &p, &n, &present) == AG_OK &&
        optional_is(json_get(want, "log_line"), p, n, present));
}

static void test_user_maps(const json *list) {
  CHECK(list && list->n > 0);
  for (size_t i = 0; list && i < list->n; i++) {
    const json *m = json_at(list, i), *mode = json_get(m, "mode"), *users = json_get(m, "certificate_users");
    int failed_before = checks_failed;
    ag_cert_user_map *map = NULL;
    CHECK(ag_cert_user_map_new(mode->str, mode->len, &map) == AG_OK);
    const json *written = json_get(m, "mode_as_written");
    CHECK(mode_is(map, written ? written : mode));
    for (size_t k = 0; k < users->n; k++) {
      const json *name = json_get(json_at(users, k), "name"), *line = json_get(json_at(users, k), "certificate_subject_line");
      CHECK(ag_cert_user_map_set_user(map, name->str, name->len, line->str, line->len) == AG_OK);
    }
    check_users(map, users);
    ag_acl *acl = engine(json_get(m, "acl"));
    const json *cases = json_get(m, "cases");
    for (size_t k = 0; cases && k < cases->n; k++) {
      ag_client_cert *cert = load(cases->keys[k]);
      CHECK(cert != NULL);
      ag_cert_login *login = NULL;
      CHECK(ag_cert_user_map_map(map, cert, acl, &login) == AG_OK);
      if (login) check_login(login, cases->items[k]);
      ag_cert_login_free(login);
      ag_client_cert_free(cert);
    }
    /* Removing every certificate user leaves the users it had no more. */
    for (size_t k = 0; k < users->n; k++) {
      const json *name = json_get(json_at(users, k), "name");
      bool removed = false;
      CHECK(ag_cert_user_map_remove_user(map, name->str, name->len, &removed) == AG_OK && removed);
      CHECK(ag_cert_user_map_remove_user(map, name->str, name->len, &removed) == AG_OK && !removed);
    }
    ag_list *names = NULL;
    CHECK(ag_cert_user_map_users(map, &names) == AG_OK && ag_list_len(names) == 0);
    ag_list_free(names);
    if (checks_failed != failed_before) fprintf(stderr, "  in user map %s\n", json_get(m, "name")->str);
    ag_acl_free(acl);
    ag_cert_user_map_free(map);
  }
}

/* A refused mode leaves `*out` and the map's mode alone; a refused line adds no user. */
static void test_invalid_user_maps(const json *list) {
  CHECK(list && list->n > 0);
  for (size_t i = 0; list && i < list->n; i++) {
    const json *m = json_at(list, i), *mode = json_get(m, "mode"), *line = json_get(m, "certificate_subject_line");
    const json *message = json_get(m, "message");
    if (!line) {
      ag_cert_user_map *map = (ag_cert_user_map *)1;
      CHECK(ag_cert_user_map_new(mode->str, mode->len, &map) == AG_CERTIFICATE && code_is("CERTIFICATE"));
      CHECK(strcmp(err(), message->str) == 0 && map == (ag_cert_user_map *)1);
      CHECK(ag_cert_user_map_new(L("URI"), &map) == AG_OK);
      CHECK(ag_cert_user_map_set_mode(map, mode->str, mode->len) == AG_CERTIFICATE && strcmp(err(), message->str) == 0);
      const char *p;
      size_t n;
      CHECK(ag_cert_user_map_mode(map, &p, &n) == AG_OK && eq(p, n, "URI"));
      ag_cert_user_map_free(map);
      continue;
    }
    ag_cert_user_map *map = NULL;
    CHECK(ag_cert_user_map_new(mode->str, mode->len, &map) == AG_OK);
    CHECK(ag_cert_user_map_set_user(map, L("u"), line->str, line->len) == AG_CERTIFICATE && code_is("CERTIFICATE"));
    if (strcmp(err(), message->str) != 0) fprintf(stderr, "  got message: %s\n", err());
    CHECK(strcmp(err(), message->str) == 0);
    const char *p = (const char *)1;
    size_t n = 1;
    bool present = true;
    CHECK(ag_cert_user_map_subject_line(map, L("u"), &p, &n, &present) == AG_OK && !present && p == NULL && n == 0);
    ag_cert_user_map_free(map);
  }
}

/* What the fixture does not reach: core's default mode, NULL arguments, non-UTF-8. */
static void test_arguments(const json *tls) {
  ag_cert_user_map *map = NULL;
  CHECK(ag_cert_user_map_new(NULL, 0, &map) == AG_OK);
  CHECK(mode_is(map, json_get(json_get(tls, "defaults"), "mode")));
  ag_client_cert *cert = load("multi_ou");
  ag_cert_login *login = (ag_cert_login *)1;
  CHECK(ag_cert_user_map_map(map, NULL, NULL, &login) == AG_NULL_PARAMETER && code_is("INVALID_ARGUMENT"));
  CHECK(ag_cert_user_map_map(NULL, cert, NULL, &login) == AG_NULL_PARAMETER);
  CHECK(ag_cert_user_map_map(map, cert, NULL, NULL) == AG_NULL_PARAMETER && login == (ag_cert_login *)1);
  CHECK(ag_cert_user_map_set_user(map, L("u\xff"), L("CN=a")) == AG_INVALID_PARAMETER && code_is("INVALID_ARGUMENT"));
  CHECK(ag_cert_user_map_set_user(map, L("u"), "CN=\xff", 4) == AG_INVALID_PARAMETER);
  CHECK(ag_cert_user_map_set_user(map, NULL, 1, L("CN=a")) == AG_NULL_PARAMETER);
  CHECK(ag_cert_user_map_set_user(NULL, L("u"), L("CN=a")) == AG_NULL_PARAMETER);
  CHECK(ag_cert_user_map_set_mode(map, NULL, 2) == AG_NULL_PARAMETER);
  CHECK(ag_cert_user_map_set_mode(map, L("\xff")) == AG_INVALID_PARAMETER);
  CHECK(ag_cert_user_map_remove_user(map, L("u"), NULL) == AG_NULL_PARAMETER);
  const char *p;
  size_t n;
  bool present;
  CHECK(ag_cert_user_map_subject_line(map, L("\xff"), &p, &n, &present) == AG_OK && !present);
  CHECK(ag_cert_user_map_subject_line(map, L("u"), &p, &n, NULL) == AG_NULL_PARAMETER);
  CHECK(ag_cert_user_map_mode(NULL, &p, &n) == AG_NULL_PARAMETER);
  CHECK(ag_cert_user_map_users(map, NULL) == AG_NULL_PARAMETER);
  CHECK(ag_cert_login_outcome(NULL, &p, &n) == AG_NULL_PARAMETER);
  CHECK(ag_cert_login_user(NULL, &p, &n, &present) == AG_NULL_PARAMETER);
  CHECK(ag_cert_login_log_line(NULL, &p, &n, &present) == AG_NULL_PARAMETER);
  ag_cert_user_map_free(NULL);
  ag_cert_login_free(NULL);
  ag_client_cert_free(cert);
  ag_cert_user_map_free(map);
}

/* ---- the vocabulary's "cert_user_map" and "cert_login" entries --------------------------- */

static ag_client_cert *alice; /* multi_ou: CN alice, SAN URI spiffe://example.org/ns/default/sa/alice */

static ag_cert_login *map_with(const char *mode, const char *user, const char *line) {
  ag_cert_user_map *map = NULL;
  ag_cert_login *login = NULL;
  CHECK(ag_cert_user_map_new(mode, strlen(mode), &map) == AG_OK);
  if (user) CHECK(ag_cert_user_map_set_user(map, user, strlen(user), line, strlen(line)) == AG_OK);
  CHECK(ag_cert_user_map_map(map, alice, NULL, &login) == AG_OK);
  ag_cert_user_map_free(map);
  return login;
}

static const char *alice_subject(size_t *n) {
  const char *p = NULL;
  CHECK(ag_client_cert_subject(alice, &p, n) == AG_OK);
  return p;
}

static void v_new(void) {
  ag_cert_user_map *map = NULL;
  CHECK(ag_cert_user_map_new(L("CN"), &map) == AG_OK);
  ag_cert_user_map_free(map);
}
static void v_mode(void) {
  ag_cert_user_map *map = NULL;
  const char *p;
  size_t n;
  CHECK(ag_cert_user_map_new(L("uri"), &map) == AG_OK);
  CHECK(ag_cert_user_map_mode(map, &p, &n) == AG_OK && eq(p, n, "URI"));
  CHECK(ag_cert_user_map_set_mode(map, L("cn")) == AG_OK);
  CHECK(ag_cert_user_map_mode(map, &p, &n) == AG_OK && eq(p, n, "CN"));
  ag_cert_user_map_free(map);
}
static void v_set_user(void) {
  size_t n;
  const char *s = alice_subject(&n);
  ag_cert_user_map *map = NULL;
  CHECK(ag_cert_user_map_new(L("off"), &map) == AG_OK);
  CHECK(ag_cert_user_map_set_user(map, L("ops"), s, n) == AG_OK);
  CHECK(ag_cert_user_map_set_user(map, L("ops"), L("CN=other")) == AG_OK);
  const char *p;
  size_t pn;
  bool present;
  CHECK(ag_cert_user_map_subject_line(map, L("ops"), &p, &pn, &present) == AG_OK && present && eq(p, pn, "CN=other"));
  ag_cert_user_map_free(map);
}
static void v_remove_user(void) {
  ag_cert_user_map *map = NULL;
  bool removed = false;
  CHECK(ag_cert_user_map_new(L("off"), &map) == AG_OK);
  CHECK(ag_cert_user_map_set_user(map, L("ops"), L("CN=x")) == AG_OK);
  CHECK(ag_cert_user_map_remove_user(map, L("ops"), &removed) == AG_OK && removed);
  ag_cert_user_map_free(map);
}
static void v_subject_line(void) { v_set_user(); }
static void v_users(void) {
  ag_cert_user_map *map = NULL;
  ag_list *l = NULL;
  CHECK(ag_cert_user_map_new(L("off"), &map) == AG_OK);
  CHECK(ag_cert_user_map_set_user(map, L("zed"), L("CN=z")) == AG_OK);
  CHECK(ag_cert_user_map_set_user(map, L("bob"), L("CN=b")) == AG_OK);
  const char *p;
  size_t n;
  CHECK(ag_cert_user_map_users(map, &l) == AG_OK && ag_list_len(l) == 2);
  CHECK(ag_list_get(l, 0, &p, &n) == AG_OK && eq(p, n, "bob"));
  ag_list_free(l);
  ag_cert_user_map_free(map);
}
static void v_map(void) {
  ag_cert_login *login = map_with("CN", NULL, NULL);
  const char *p;
  size_t n;
  bool present;
  CHECK(ag_cert_login_user(login, &p, &n, &present) == AG_OK && present && eq(p, n, "alice"));
  ag_cert_login_free(login);
}
static void v_param_mode(void) { v_mode(); }
static void v_outcome_is(const char *mode, const char *user, const char *want) {
  size_t n;
  const char *s = alice_subject(&n);
  char line[512];
  snprintf(line, sizeof line, "%.*s", (int)n, s);
  ag_cert_login *login = map_with(mode, user, line);
  const char *p;
  size_t pn;
  CHECK(ag_cert_login_outcome(login, &p, &pn) == AG_OK && eq(p, pn, want));
  ag_cert_login_free(login);
}
static void v_mode_value(const char *mode) {
  ag_cert_user_map *map = NULL;
  const char *p;
  size_t n;
  CHECK(ag_cert_user_map_new(mode, strlen(mode), &map) == AG_OK);
  CHECK(ag_cert_user_map_mode(map, &p, &n) == AG_OK && eq(p, n, mode));
  ag_cert_user_map_free(map);
}
static void v_off(void) { v_mode_value("off"); }
static void v_cn(void) { v_mode_value("CN"); }
static void v_uri(void) { v_mode_value("URI"); }
static void v_login_user(void) { v_map(); }
static void v_login_outcome(void) { v_outcome_is("URI", NULL, "tls_auth_clients_user"); }
static void v_login_log_line(void) {
  ag_cert_login *login = map_with("URI", NULL, NULL);
  const char *p;
  size_t n;
  bool present;
  CHECK(ag_cert_login_log_line(login, &p, &n, &present) == AG_OK && present &&
        eq(p, n, "TLS: Auto-authenticated client as spiffe://example.org/ns/default/sa/alice"));
  ag_cert_login_free(login);
}
static void v_certificate_user(void) { v_outcome_is("off", "ops", "certificate_user"); }
static void v_tls_auth_clients_user(void) { v_outcome_is("CN", NULL, "tls_auth_clients_user"); }
static void v_default(void) { v_outcome_is("off", NULL, "default"); }
static void v_no_match(void) {
  ag_cert_user_map *map = NULL;
  ag_acl *acl = NULL;
  ag_cert_login *login = NULL;
  const char *p;
  size_t n;
  CHECK(ag_acl_new(&acl) == AG_OK && ag_cert_user_map_new(L("CN"), &map) == AG_OK);
  CHECK(ag_cert_user_map_map(map, alice, acl, &login) == AG_OK);
  CHECK(ag_cert_login_outcome(login, &p, &n) == AG_OK && eq(p, n, "no_match"));
  ag_cert_login_free(login);
  ag_cert_user_map_free(map);
  ag_acl_free(acl);
}

static const struct entry {
  const char *section;
  const char *name;
  void (*run)(void);
} ENTRIES[] = {
    {"cert_user_map.constructors", "new", v_new},
    {"cert_user_map.parameters", "mode", v_param_mode},
    {"cert_user_map.methods", "set_user", v_set_user},
    {"cert_user_map.methods", "remove_user", v_remove_user},
    {"cert_user_map.methods", "subject_line", v_subject_line},
    {"cert_user_map.methods", "map", v_map},
    {"cert_user_map.settings", "mode", v_mode},
    {"cert_user_map.properties", "users", v_users},
    {"cert_user_map.modes", "off", v_off},
    {"cert_user_map.modes", "CN", v_cn},
    {"cert_user_map.modes", "URI", v_uri},
    {"cert_login.properties", "user", v_login_user},
    {"cert_login.properties", "outcome", v_login_outcome},
    {"cert_login.properties", "log_line", v_login_log_line},
    {"cert_login.outcomes", "certificate_user", v_certificate_user},
    {"cert_login.outcomes", "tls_auth_clients_user", v_tls_auth_clients_user},
    {"cert_login.outcomes", "default", v_default},
    {"cert_login.outcomes", "no_match", v_no_match},
};
#define N_ENTRIES (sizeof ENTRIES / sizeof ENTRIES[0])

static void test_vocabulary(const json *tls) {
  const char *paths[] = {"cert_user_map.constructors", "cert_user_map.parameters", "cert_user_map.methods",
                         "cert_user_map.settings",     "cert_user_map.properties", "cert_user_map.modes",
                         "cert_login.properties",      "cert_login.outcomes"};
  size_t listed = 0;
  for (size_t s = 0; s < sizeof paths / sizeof paths[0]; s++) {
    char first[64];
    const char *dot = strchr(paths[s], '.');
    snprintf(first, sizeof first, "%.*s", (int)(dot - paths[s]), paths[s]);
    const json *names = json_get(json_get(tls, first), dot + 1);
    CHECK(names != NULL && names->type == J_ARRAY && names->n > 0);
    for (size_t i = 0; names && i < names->n; i++) {
      const json *name = json_at(names, i);
      size_t e = 0;
      while (e < N_ENTRIES &&
             !(strcmp(ENTRIES[e].section, paths[s]) == 0 && json_is(name, ENTRIES[e].name, strlen(ENTRIES[e].name))))
        e++;
      CHECK(e < N_ENTRIES);
      if (e == N_ENTRIES) {
        fprintf(stderr, "vocabulary tls.%s.%s has no C implementation in test_cert_map.c\n", paths[s], name->str);
        continue;
      }
      ENTRIES[e].run();
      listed++;
    }
  }
  CHECK(listed == N_ENTRIES);
}

int main(int argc, char **argv) {
  const char *cases_path = argc > 1 ? argv[1] : "tests/fixtures/cert_cases.json";
  set_fixture_dir(cases_path);
  json *cases = json_parse_file(cases_path);
  json *vocab = json_parse_file(argc > 2 ? argv[2] : "tests/fixtures/vocabulary.json");
  CHECK(cases != NULL && vocab != NULL);
  if (!cases || !vocab) return DONE();
  const json *tls = json_get(vocab, "tls");
  certificates = json_get(cases, "certificates");
  alice = load("multi_ou");
  CHECK(alice != NULL);

  test_user_maps(json_get(cases, "user_maps"));
  test_invalid_user_maps(json_get(cases, "invalid_user_maps"));
  test_arguments(tls);
  test_vocabulary(tls);

  ag_client_cert_free(alice);
  json_free(cases);
  json_free(vocab);
  return DONE();
}
