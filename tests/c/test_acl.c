/* The whole ACL part of libauthgate from C: every function, ownership, and bad input. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "authgate.h"
#include "check.h"

#define S(lit) ((ag_slice){(lit), sizeof(lit) - 1})

static char last_error[4096];

static const char *err(void) {
  ag_last_error_message(last_error, sizeof last_error);
  return last_error;
}

static int list_contains(const ag_list *l, const char *want) {
  for (size_t i = 0; i < ag_list_len(l); i++) {
    const char *p;
    size_t n;
    if (ag_list_get(l, i, &p, &n) == AG_OK && n == strlen(want) && memcmp(p, want, n) == 0)
      return 1;
  }
  return 0;
}

static void test_users_and_checks(ag_acl *acl) {
  ag_slice rules[] = {S("on"), S(">secret"), S("~cache:*"), S("+get"), S("+set")};
  CHECK(ag_acl_setuser(acl, "alice", 5, rules, 5) == AG_OK);

  bool ok = false;
  CHECK(ag_acl_authenticate(acl, "alice", 5, "secret", 6, &ok) == AG_OK && ok);
  CHECK(ag_acl_authenticate(acl, "alice", 5, "wrong", 5, &ok) == AG_OK && !ok);
  CHECK(ag_acl_authenticate(acl, "nobody", 6, "x", 1, &ok) == AG_OK && !ok);

  ag_slice get_ok[] = {S("GET"), S("cache:1")};
  CHECK(ag_acl_check(acl, "alice", 5, get_ok, 2) == AG_OK);
  ag_slice get_bad[] = {S("GET"), S("other")};
  CHECK(ag_acl_check(acl, "alice", 5, get_bad, 2) == AG_NOPERM);
  CHECK(strcmp(err(), "NOPERM this user has no permissions to access one of the keys used as arguments") == 0);
  ag_slice del[] = {S("DEL"), S("cache:1")};
  CHECK(ag_acl_check(acl, "alice", 5, del, 2) == AG_NOPERM);
  CHECK(strcmp(err(), "NOPERM this user has no permissions to run the 'del' command") == 0);
  ag_slice unknown[] = {S("NOSUCH"), S("a")};
  CHECK(ag_acl_check(acl, "alice", 5, unknown, 2) == AG_ERR);
  CHECK(strcmp(err(), "ERR unknown command 'NOSUCH', with args beginning with: 'a' ") == 0);
  ag_slice arity[] = {S("GET")};
  CHECK(ag_acl_check(acl, "alice", 5, arity, 1) == AG_ERR);
  CHECK(strcmp(err(), "ERR wrong number of arguments for 'get' command") == 0);
  CHECK(ag_acl_check(acl, "nobody", 6, get_ok, 2) == AG_NOT_FOUND);

  /* Binary-safe keys: a NUL inside a key is part of the key. */
  ag_slice bin_rules[] = {S("on"), S("nopass"), S("+get"), S("~bin*")};
  CHECK(ag_acl_setuser(acl, "bin", 3, bin_rules, 4) == AG_OK);
  ag_slice bin_get[] = {S("GET"), {"bin\0x", 5}};
  CHECK(ag_acl_check(acl, "bin", 3, bin_get, 2) == AG_OK);

  /* Invalid UTF-8 names are ordinary bytes to Redis, and so to us. */
  const char latin1[] = "u\xe9\xff";
  ag_slice on[] = {S("on")};
  CHECK(ag_acl_setuser(acl, latin1, 3, on, 1) == AG_OK);
  ag_list *users = NULL;
  CHECK(ag_acl_users(acl, &users) == AG_OK);
  CHECK(list_contains(users, "alice") && list_contains(users, "default") && list_contains(users, latin1));
  ag_list_free(users);
}

static void test_errors_leave_users_alone(ag_acl *acl) {
  ag_slice bad[] = {S("on"), S(">p1"), S("+get"), S("badrule")};
  CHECK(ag_acl_setuser(acl, "u1", 2, bad, 4) == AG_ERR);
  CHECK(strcmp(err(), "ERR Error in ACL SETUSER modifier 'badrule': Syntax error") == 0);
  char *json = NULL;
  size_t len = 0;
  CHECK(ag_acl_getuser(acl, "u1", 2, &json, &len) == AG_NOT_FOUND);
  CHECK(json == NULL); /* out parameters untouched on failure */

  ag_slice unmatched[] = {S("(+get"), S("~x")};
  CHECK(ag_acl_setuser(acl, "u1", 2, unmatched, 2) == AG_ERR);
  CHECK(strcmp(err(), "ERR Unmatched parenthesis in acl selector starting at '(+get'.") == 0);
  CHECK(ag_acl_setuser(acl, "a b", 3, NULL, 0) == AG_ERR);
  CHECK(strcmp(err(), "ERR Usernames can't contain spaces or null characters") == 0);
  CHECK(ag_acl_setuser(acl, "a\0b", 3, NULL, 0) == AG_ERR);

  size_t deleted = 12345;
  ag_slice names[] = {S("alice"), S("default")};
  CHECK(ag_acl_deluser(acl, names, 2, &deleted) == AG_ERR && deleted == 12345);
  CHECK(strcmp(err(), "ERR The 'default' user cannot be removed") == 0);
}

static void test_null_parameters(ag_acl *acl) {
  bool ok;
  CHECK(ag_acl_setuser(NULL, "x", 1, NULL, 0) == AG_NULL_PARAMETER);
  CHECK(ag_acl_setuser(acl, NULL, 1, NULL, 0) == AG_NULL_PARAMETER);
  CHECK(ag_acl_setuser(acl, "x", 1, NULL, 3) == AG_NULL_PARAMETER);
  ag_slice null_rule[] = {{NULL, 4}};
  CHECK(ag_acl_setuser(acl, "x", 1, null_rule, 1) == AG_NULL_PARAMETER);
  CHECK(ag_acl_authenticate(acl, "x", 1, "y", 1, NULL) == AG_NULL_PARAMETER);
  CHECK(ag_acl_authenticate(NULL, "x", 1, "y", 1, &ok) == AG_NULL_PARAMETER);
  CHECK(ag_acl_check(acl, "x", 1, NULL, 0) == AG_INVALID_PARAMETER);
  CHECK(ag_acl_dryrun(acl, "x", 1, NULL, 0, NULL, NULL) == AG_NULL_PARAMETER);
  CHECK(ag_acl_users(acl, NULL) == AG_NULL_PARAMETER);
  CHECK(ag_acl_log_reset(NULL) == AG_NULL_PARAMETER);
  CHECK(ag_acl_load(acl, NULL, 3) == AG_NULL_PARAMETER);
  CHECK(ag_acl_new(NULL) == AG_NULL_PARAMETER);
  CHECK(strlen(err()) > 0);
  ag_acl_free(NULL);
  ag_list_free(NULL);
  ag_string_free(NULL);
  CHECK(ag_list_len(NULL) == 0);
  const char *p;
  size_t n;
  CHECK(ag_list_get(NULL, 0, &p, &n) == AG_NULL_PARAMETER);
}

static void test_describe_and_dryrun(ag_acl *acl) {
  ag_slice rules[] = {S("reset"), S("on"), S("+@all"), S("-@dangerous"), S("%R~r*"), S("%W~w*"), S("(+get"), S("~sel*)")};
  CHECK(ag_acl_setuser(acl, "bob", 3, rules, 8) == AG_OK);

  char *out = NULL;
  size_t len = 0;
  CHECK(ag_acl_getuser(acl, "bob", 3, &out, &len) == AG_OK);
  CHECK(out != NULL && strlen(out) == len);
  CHECK(strstr(out, "\"commands\":\"+@all -@dangerous\"") != NULL);
  CHECK(strstr(out, "\"keys\":\"%R~r* %W~w*\"") != NULL);
  CHECK(strstr(out, "\"flags\":[\"on\",\"sanitize-payload\"]") != NULL);
  CHECK(strstr(out, "\"selectors\":[{\"channels\":\"\",\"commands\":\"-@all +get\",\"keys\":\"~sel*\"}]") != NULL);
  ag_string_free(out);

  ag_list *lines = NULL;
  CHECK(ag_acl_list(acl, &lines) == AG_OK);
  CHECK(list_contains(lines, "user bob on sanitize-payload %R~r* %W~w* resetchannels +@all -@dangerous (~sel* resetchannels -@all +get)"));
  CHECK(list_contains(lines, "user default on nopass ~* &* +@all"));
  ag_list_free(lines);

  ag_slice get_w[] = {S("GET"), S("w1")};
  CHECK(ag_acl_dryrun(acl, "bob", 3, get_w, 2, &out, &len) == AG_OK);
  CHECK(strcmp(out, "This user has no permissions to access the 'w1' key") == 0);
  ag_string_free(out);
  ag_slice set_w[] = {S("SET"), S("w1"), S("v")};
  CHECK(ag_acl_dryrun(acl, "bob", 3, set_w, 3, &out, &len) == AG_OK);
  CHECK(strcmp(out, "OK") == 0 && len == 2);
  ag_string_free(out);
  out = NULL;
  CHECK(ag_acl_dryrun(acl, "nobody", 6, set_w, 3, &out, &len) == AG_ERR && out == NULL);
  CHECK(strcmp(err(), "ERR User 'nobody' not found") == 0);
}

static void test_cat_log_genpass(ag_acl *acl) {
  ag_list *cats = NULL;
  CHECK(ag_acl_cat(acl, NULL, 0, &cats) == AG_OK);
  CHECK(ag_list_len(cats) == 21 && list_contains(cats, "keyspace") && list_contains(cats, "scripting"));
  ag_list_free(cats);
  CHECK(ag_acl_cat(acl, "transaction", 11, &cats) == AG_OK);
  CHECK(ag_list_len(cats) == 5 && list_contains(cats, "multi"));
  ag_list_free(cats);
  CHECK(ag_acl_cat(acl, "nosuch", 6, &cats) == AG_ERR);
  CHECK(strcmp(err(), "ERR Unknown category 'nosuch'") == 0);

  char *out = NULL;
  size_t len = 0;
  CHECK(ag_acl_log(acl, 10, &out, &len) == AG_OK);
  CHECK(strcmp(out, "[]") == 0);
  ag_string_free(out);
  CHECK(ag_acl_log_reset(acl) == AG_OK);

  CHECK(ag_acl_genpass(0, &out, &len) == AG_OK && len == 64 && strlen(out) == 64);
  ag_string_free(out);
  CHECK(ag_acl_genpass(5, &out, &len) == AG_OK && len == 2);
  ag_string_free(out);
  CHECK(ag_acl_genpass(5000, &out, &len) == AG_ERR);
}

static void test_aclfiles(ag_acl *acl) {
  char dir[] = "/tmp/authgate-c-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char path[256], bad[256];
  snprintf(path, sizeof path, "%s/users.acl", dir);
  snprintf(bad, sizeof bad, "%s/bad.acl", dir);
  CHECK(ag_acl_save(acl, path, strlen(path)) == AG_OK);

  ag_acl *other = NULL;
  CHECK(ag_acl_new(&other) == AG_OK);
  CHECK(ag_acl_load(other, path, strlen(path)) == AG_OK);
  bool ok = false;
  CHECK(ag_acl_authenticate(other, "alice", 5, "secret", 6, &ok) == AG_OK && ok);

  FILE *f = fopen(bad, "w");
  fputs("user carol on +get\nuser dave on +nosuch\n# comment\n", f);
  fclose(f);
  CHECK(ag_acl_load(other, bad, strlen(bad)) == AG_ERR);
  char want[1024];
  snprintf(want, sizeof want,
           "ERR %s:2: Error in applying operation '+nosuch': Unknown command or category name in ACL. "
           "%s:3 should start with user keyword followed by the username. "
           "WARNING: ACL errors detected, no change to the previously active ACL rules was performed",
           bad, bad);
  CHECK(strcmp(err(), want) == 0);
  CHECK(ag_acl_authenticate(other, "alice", 5, "secret", 6, &ok) == AG_OK && ok); /* nothing changed */
  CHECK(ag_acl_load(other, "/nonexistent/x.acl", 18) == AG_ERR);
  CHECK(strcmp(err(), "ERR Error loading ACLs, opening file '/nonexistent/x.acl': No such file or directory") == 0);
  CHECK(ag_acl_save(other, "/nonexistent/x.acl", 18) == AG_IO);
  ag_acl_free(other);
  unlink(path);
  unlink(bad);
  rmdir(dir);
}

static void test_settings(void) {
  ag_acl *acl = NULL;
  CHECK(ag_acl_new(&acl) == AG_OK);
  bool ok = false;
  CHECK(ag_acl_set_requirepass(acl, "pw", 2) == AG_OK);
  CHECK(ag_acl_authenticate(acl, "default", 7, "pw", 2, &ok) == AG_OK && ok);
  CHECK(ag_acl_authenticate(acl, "default", 7, "other", 5, &ok) == AG_OK && !ok);
  CHECK(ag_acl_set_requirepass(acl, "", 0) == AG_OK);
  CHECK(ag_acl_authenticate(acl, "default", 7, "anything", 8, &ok) == AG_OK && ok);

  /* acl-pubsub-default applies to users created afterwards. */
  ag_slice on[] = {S("on")};
  CHECK(ag_acl_setuser(acl, "before", 6, on, 1) == AG_OK);
  CHECK(ag_acl_set_pubsub_default(acl, true) == AG_OK);
  CHECK(ag_acl_setuser(acl, "after", 5, on, 1) == AG_OK);
  char *json = NULL;
  size_t len = 0;
  CHECK(ag_acl_getuser(acl, "after", 5, &json, &len) == AG_OK && strstr(json, "\"channels\":\"&*\"") != NULL);
  ag_string_free(json);
  CHECK(ag_acl_getuser(acl, "before", 6, &json, &len) == AG_OK && strstr(json, "\"channels\":\"\"") != NULL);
  ag_string_free(json);

  /* acllog-max-len trims the log. */
  CHECK(ag_acl_set_log_max_len(acl, 0) == AG_OK);
  CHECK(ag_acl_log(acl, 10, &json, &len) == AG_OK && strcmp(json, "[]") == 0);
  ag_string_free(json);

  char path[] = "/tmp/authgate-c-check-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  CHECK(write(fd, "user a on +get\n", 15) == 15);
  close(fd);
  CHECK(ag_acl_check_aclfile(acl, path, strlen(path)) == AG_OK);
  fd = open(path, O_WRONLY | O_TRUNC);
  CHECK(write(fd, "usr a on\n", 9) == 9);
  close(fd);
  CHECK(ag_acl_check_aclfile(acl, path, strlen(path)) == AG_ERR);
  CHECK(strstr(err(), ":1 should start with user keyword followed by the username.") != NULL);
  unlink(path);
  ag_acl_free(acl);
}

int main(void) {
  ag_acl *acl = NULL;
  CHECK(ag_acl_new(&acl) == AG_OK && acl != NULL);
  test_users_and_checks(acl);
  test_errors_leave_users_alone(acl);
  test_null_parameters(acl);
  test_describe_and_dryrun(acl);
  test_cat_log_genpass(acl);
  test_aclfiles(acl);
  test_settings();
  CHECK(ag_debug_panic() == AG_PANIC);
  CHECK(strstr(err(), "deliberate panic") != NULL);
  ag_acl_free(acl);
  return DONE();
}
