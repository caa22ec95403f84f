/* Milvus credentials through the C API: every step of tests/fixtures/milvus_cases.json (recorded
 * from a real Milvus 2.3.5) replayed on ag_creds in memory and in a file, the outcome, Milvus'
 * numeric code (ag_last_error_milvus_code) and text byte for byte, as the Rust, Python and Node
 * tests replay it, every scenario's settings (the super users too) through ag_creds_options;
 * then ag_milvus_authorization, every option by name, and argument errors.
 * Usage: test_credentials [path/to/milvus_cases.json [memory]] (default: run from the repository
 * root); `memory` replays in memory only (make test-c's valgrind run: bcrypt under valgrind is slow). */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "authgate.h"
#include "check.h"
#include "helpers.h"
#include "json.h"

#define L(lit) (lit), sizeof(lit) - 1

static const char *str(const json *step, const char *key, size_t *len) {
  const json *v = json_get(step, key);
  *len = v->len;
  return v->str;
}

/* Runs one step and checks it against its recorded expectation. */
static int step_matches(ag_creds *c, const json *step, const char *caller) {
  const json *expect = json_get(step, "expect"), *op = json_get(step, "op");
  size_t ul, pl, ol, nl;
  const char *user = json_get(step, "user") ? str(step, "user", &ul) : NULL;
  ag_status st;
  if (json_is(op, L("list"))) {
    ag_list *l = NULL;
    if (ag_creds_list_users(c, &l) != AG_OK) return 0;
    const json *want = json_get(expect, "result");
    int ok = ag_list_len(l) == want->n;
    for (size_t i = 0; ok && i < want->n; i++) {
      const char *p;
      size_t n;
      ok = ag_list_get(l, i, &p, &n) == AG_OK && n == json_at(want, i)->len && memcmp(p, json_at(want, i)->str, n) == 0;
    }
    ag_list_free(l);
    return ok;
  }
  if (json_is(op, L("login"))) {
    const char *pw = str(step, "password", &pl);
    bool yes = false;
    return ag_creds_verify(c, user, ul, pw, pl, &yes) == AG_OK && yes == json_get(expect, "result")->boolean;
  }
  if (json_is(op, L("create"))) {
    const char *pw = str(step, "password", &pl);
    st = ag_creds_create_user(c, user, ul, pw, pl);
  } else if (json_is(op, L("update"))) {
    const char *old = str(step, "old", &ol), *new_ = str(step, "new", &nl);
    st = ag_creds_update_password(c, user, ul, old, ol, new_, nl, caller, caller ? strlen(caller) : 0);
  } else {
    st = ag_creds_delete_user(c, user, ul);
  }
  if (json_get(expect, "ok")->boolean) return st == AG_OK;
  const json *msg = json_get(expect, "message");
  int64_t code = 0;
  return st == AG_CREDENTIAL && code_is("CREDENTIAL") && ag_last_error_milvus_code(&code) == AG_OK &&
         code == (int64_t)json_get(expect, "code")->number && strlen(err()) == msg->len &&
         memcmp(err(), msg->str, msg->len) == 0;
}

static int replay(const json *doc, const char *dir) {
  const json *scenarios = json_get(doc, "scenarios");
  int steps = 0;
  for (size_t s = 0; s < scenarios->n; s++) {
    const json *sc = json_at(scenarios, s);
    /* Every scenario's settings through ag_creds_options: bcrypt cost 4, the super users
     * (comma-separated, as Milvus' common.security.superUsers), the file when replaying on disk. */
    ag_creds_options *o = NULL;
    CHECK(ag_creds_options_new(&o) == AG_OK);
    CHECK(ag_creds_options_set(o, L("bcrypt_cost"), L("4")) == AG_OK);
    const json *su = json_get(json_get(sc, "options"), "super_users");
    char users[1024] = "";
    for (size_t i = 0; su && i < su->n; i++) {
      if (i) strcat(users, ",");
      strncat(users, json_at(su, i)->str, sizeof users - strlen(users) - 2);
    }
    CHECK(ag_creds_options_set(o, L("super_users"), users, strlen(users)) == AG_OK);
    if (dir) {
      char path[4096];
      snprintf(path, sizeof path, "%s/u%zu.json", dir, s);
      CHECK(ag_creds_options_set_file(o, path, strlen(path)) == AG_OK);
    }
    ag_creds *c = NULL;
    CHECK(ag_creds_open(o, &c) == AG_OK);
    ag_creds_options_free(o);
    if (!c) return steps;
    const char *caller = json_get(sc, "caller") ? json_get(sc, "caller")->str : "root";
    const json *list = json_get(sc, "steps");
    for (size_t i = 0; i < list->n; i++, steps++) {
      int ok = step_matches(c, json_at(list, i), caller);
      if (!ok) fprintf(stderr, "scenario %zu step %zu differs (%s)\n", s, i, err());
      CHECK(ok);
    }
    ag_creds_free(c);
  }
  return steps;
}

int main(int argc, char **argv) {
  json *doc = json_parse_file(argc > 1 ? argv[1] : "tests/fixtures/milvus_cases.json");
  CHECK(doc != NULL);
  if (!doc) return DONE();
  CHECK(replay(doc, NULL) >= 250);
  if (!(argc > 2 && strcmp(argv[2], "memory") == 0)) {
    char dir[] = "/tmp/authgate_creds_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    CHECK(replay(doc, dir) >= 250);
  }
  json_free(doc);

  char *user = NULL, *pw = NULL;
  size_t ul = 0, pl = 0;
  CHECK(ag_milvus_authorization(L("YWxpY2U6cGE6c3M="), &user, &ul, &pw, &pl) == AG_OK);
  CHECK(eq(user, ul, "alice") && eq(pw, pl, "pa:ss"));
  ag_string_free(user);
  ag_string_free(pw);
  CHECK(ag_milvus_authorization(L("!!"), &user, &ul, &pw, &pl) == AG_CREDENTIAL);
  CHECK(strcmp(err(), "auth check failure, please check username and password are correct") == 0);

  ag_creds *c = NULL;
  CHECK(ag_creds_memory(3, &c) == AG_CREDENTIAL && c == NULL);
  CHECK(ag_creds_memory(4, &c) == AG_OK);
  CHECK(ag_creds_create_user(c, L("\xff"), L("secret1")) == AG_INVALID_PARAMETER);
  CHECK(ag_creds_create_user(NULL, L("alice"), L("secret1")) == AG_NULL_PARAMETER);
  bool yes = true;
  CHECK(ag_creds_verify(c, L("nobody"), L("secret1"), &yes) == AG_OK && !yes);
  CHECK(ag_creds_verify(c, L("root"), L("Milvus"), NULL) == AG_NULL_PARAMETER);
  ag_creds_free(c);
  ag_creds_free(NULL);

  /* Every option by its vocabulary name, each applied by core. */
  ag_creds_options *o = NULL;
  CHECK(ag_creds_options_new(&o) == AG_OK);
  CHECK(ag_creds_options_set(o, L("bcrypt_cost"), L("4")) == AG_OK);
  CHECK(ag_creds_options_set(o, L("min_password_length"), L("8")) == AG_OK);
  CHECK(ag_creds_options_set(o, L("max_password_length"), L("10")) == AG_OK);
  CHECK(ag_creds_options_set(o, L("max_user_num"), L("2")) == AG_OK);
  CHECK(ag_creds_options_set(o, L("default_root_password"), L("rootpass1")) == AG_OK);
  CHECK(ag_creds_options_set(o, L("super_users"), L("admin")) == AG_OK);
  CHECK(ag_creds_options_set(o, L("verified_cache_ttl"), L("30")) == AG_OK);
  CHECK(ag_creds_options_set(o, L("max_user_num"), L("-1")) == AG_CREDENTIAL);
  CHECK(strcmp(err(), "max_user_num \"-1\" is not a non-negative integer: invalid parameter") == 0);
  CHECK(ag_creds_options_set(o, L("no_such_option"), L("1")) == AG_CREDENTIAL);
  CHECK(ag_creds_options_set(o, L("\xff"), L("1")) == AG_INVALID_PARAMETER);
  CHECK(ag_creds_options_set(NULL, L("bcrypt_cost"), L("4")) == AG_NULL_PARAMETER);
  CHECK(ag_creds_open(o, &c) == AG_OK);
  CHECK(ag_creds_verify(c, L("root"), L("rootpass1"), &yes) == AG_OK && yes);
  CHECK(ag_creds_create_user(c, L("bob"), L("short1")) == AG_CREDENTIAL);
  CHECK(strcmp(err(), "invalid password length: invalid parameter[6 out of range 8 <= value <= 10]") == 0);
  CHECK(ag_creds_create_user(c, L("bob"), L("bobpass12")) == AG_OK);
  CHECK(ag_creds_create_user(c, L("carl"), L("carlpass1")) == AG_CREDENTIAL);
  CHECK(strcmp(err(), "unable to add user because the number of users has reached the limit") == 0);
  CHECK(ag_creds_update_password(c, L("bob"), L("not-his"), L("bobpass34"), L("admin")) == AG_OK);
  CHECK(ag_creds_verify(c, L("bob"), L("bobpass34"), &yes) == AG_OK && yes);
  ag_creds_free(c);
  /* etcd options on a store that is not in etcd, and half of a pair, are refused at open. */
  CHECK(ag_creds_options_set(o, L("root_path"), L("by-dev")) == AG_OK);
  c = NULL;
  CHECK(ag_creds_open(o, &c) == AG_CREDENTIAL && c == NULL);
  CHECK(strcmp(err(), "root_path applies to an etcd store only: invalid parameter") == 0);
  CHECK(ag_creds_options_set_etcd(o, L("127.0.0.1:1")) == AG_OK);
  CHECK(ag_creds_options_set(o, L("etcd_user"), L("u")) == AG_OK);
  CHECK(ag_creds_open(o, &c) == AG_CREDENTIAL && c == NULL);
  CHECK(strcmp(err(), "etcd_user and etcd_password go together: invalid parameter") == 0);
  ag_creds_options_free(o);
  ag_creds_options_free(NULL);
  CHECK(ag_creds_open(NULL, &c) == AG_OK);
  CHECK(ag_creds_verify(c, L("root"), L("Milvus"), &yes) == AG_OK && yes);
  ag_creds_free(c);
  return DONE();
}
