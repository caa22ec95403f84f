/* The ACL part of libauthgate from C: behaviour, error contract, ownership, and bad input. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "authgate.h"
#include "check.h"
#include "helpers.h"
#include "resp.h"

static void test_users_and_checks(ag_acl *acl) {
  ag_slice rules[] = {S("on"), S(">secret"), S("~cache:*"), S("+get"), S("+set")};
  CHECK(ag_acl_setuser(acl, "alice", 5, rules, 5) == AG_OK);

  bool ok = false;
  CHECK(ag_acl_authenticate(acl, "alice", 5, "secret", 6, &ok) == AG_OK && ok);
  CHECK(ag_acl_authenticate(acl, "alice", 5, "wrong", 5, &ok) == AG_OK && !ok);
  CHECK(ag_acl_authenticate(acl, "nobody", 6, "x", 1, &ok) == AG_OK && !ok);

  ag_slice get_ok[] = {S("GET"), S("cache:1")};
  CHECK(ag_acl_check(acl, "alice", 5, get_ok, 2) == AG_OK);
  ag_slice unknown[] = {S("NOSUCH"), S("a")};
  CHECK(ag_acl_check(acl, "alice", 5, unknown, 2) == AG_ERR && code_is("ERR"));
  CHECK(strcmp(err(), "ERR unknown command 'NOSUCH', with args beginning with: 'a' ") == 0);
  ag_slice arity[] = {S("GET")};
  CHECK(ag_acl_check(acl, "alice", 5, arity, 1) == AG_ERR);
  CHECK(strcmp(err(), "ERR wrong number of arguments for 'get' command") == 0);
  CHECK(ag_acl_check(acl, "nobody", 6, get_ok, 2) == AG_NOT_FOUND && code_is("NOT_FOUND"));
  CHECK(strcmp(err(), "ERR User 'nobody' not found") == 0);
  CHECK(ag_acl_check(acl, "alice", 5, NULL, 0) == AG_ERR && code_is("ERR"));

  /* Binary-safe keys: a NUL inside a key is part of the key. */
  ag_slice bin_rules[] = {S("on"), S("nopass"), S("+get"), S("~bin*")};
  CHECK(ag_acl_setuser(acl, "bin", 3, bin_rules, 4) == AG_OK);
  ag_slice bin_get[] = {S("GET"), S("bin\0x")};
  CHECK(ag_acl_check(acl, "bin", 3, bin_get, 2) == AG_OK);

  /* Invalid UTF-8 names are ordinary bytes to Redis, and so to us. */
  const char latin1[] = "u\xe9\xff";
  ag_slice on[] = {S("on")};
  CHECK(ag_acl_setuser(acl, latin1, 3, on, 1) == AG_OK);
  ag_list *users = NULL;
  CHECK(ag_acl_users(acl, &users) == AG_OK);
  CHECK(list_contains(users, "alice") && list_contains(users, "default") && list_contains(users, latin1));
  const char *p = "untouched";
  size_t n = 99;
  CHECK(ag_list_get(users, ag_list_len(users), &p, &n) == AG_INVALID_PARAMETER);
  CHECK(strcmp(p, "untouched") == 0 && n == 99 && code_is("INVALID_ARGUMENT"));
  ag_list_free(users);
}

/* A denial keeps the whole error: status, code, Redis' text, kind and object. */
static void test_denials(ag_acl *acl) {
  const char *kind, *object;
  size_t kind_len, object_len;
  ag_slice get_bad[] = {S("GET"), S("oth\0er")};
  CHECK(ag_acl_check(acl, "alice", 5, get_bad, 2) == AG_NOPERM && code_is("NOPERM"));
  CHECK(strcmp(err(), "NOPERM this user has no permissions to access one of the keys used as arguments") == 0);
  CHECK(ag_last_error_denial(&kind, &kind_len, &object, &object_len) == AG_OK);
  CHECK(eq(kind, kind_len, "key") && object_len == 6 && memcmp(object, "oth\0er", 6) == 0);

  ag_slice del[] = {S("DEL"), S("cache:1")};
  CHECK(ag_acl_check(acl, "alice", 5, del, 2) == AG_NOPERM);
  CHECK(strcmp(err(), "NOPERM this user has no permissions to run the 'del' command") == 0);
  CHECK(ag_last_error_denial(&kind, &kind_len, &object, &object_len) == AG_OK);
  CHECK(eq(kind, kind_len, "command") && eq(object, object_len, "del"));

  ag_slice chan_rules[] = {S("on"), S("nopass"), S("+publish"), S("&news.*")};
  CHECK(ag_acl_setuser(acl, "pub", 3, chan_rules, 4) == AG_OK);
  ag_slice publish[] = {S("PUBLISH"), S("sports"), S("x")};
  CHECK(ag_acl_check(acl, "pub", 3, publish, 3) == AG_NOPERM);
  CHECK(ag_last_error_denial(&kind, &kind_len, &object, &object_len) == AG_OK);
  CHECK(eq(kind, kind_len, "channel") && eq(object, object_len, "sports"));

  /* Success keeps the last error; a non-denial error has no denial and no other fields. */
  ag_slice get_ok[] = {S("GET"), S("cache:1")};
  CHECK(ag_acl_check(acl, "alice", 5, get_ok, 2) == AG_OK && code_is("NOPERM"));
  ag_slice bad[] = {S("bogus")};
  CHECK(ag_acl_setuser(acl, "x", 1, bad, 1) == AG_ERR);
  kind = NULL;
  CHECK(ag_last_error_denial(&kind, &kind_len, &object, &object_len) == AG_NOT_FOUND && kind == NULL);
  int64_t milvus = 7;
  int32_t os = 7;
  CHECK(ag_last_error_milvus_code(&milvus) == AG_NOT_FOUND && milvus == 7);
  CHECK(ag_last_error_os_error(&os) == AG_NOT_FOUND && os == 7);
  size_t detail_len = 7;
  CHECK(ag_last_error_detail(NULL, 0, &detail_len) == AG_NOT_FOUND && detail_len == 7);
  CHECK(ag_last_error_detail(NULL, 0, NULL) == AG_NULL_PARAMETER);
  CHECK(ag_last_error_denial(NULL, &kind_len, &object, &object_len) == AG_NULL_PARAMETER);
  CHECK(ag_last_error_milvus_code(NULL) == AG_NULL_PARAMETER);
  CHECK(code_is("ERR")); /* the accessors never change the last error */
}

static void test_errors_leave_users_alone(ag_acl *acl) {
  ag_slice bad[] = {S("on"), S(">p1"), S("+get"), S("badrule")};
  CHECK(ag_acl_setuser(acl, "u1", 2, bad, 4) == AG_ERR);
  CHECK(strcmp(err(), "ERR Error in ACL SETUSER modifier 'badrule': Syntax error") == 0);
  ag_user_info *info = NULL;
  CHECK(ag_acl_getuser(acl, "u1", 2, &info) == AG_NOT_FOUND);
  CHECK(info == NULL); /* out parameters untouched on failure */
  CHECK(strcmp(err(), "ERR User 'u1' not found") == 0);

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

/* The message is binary-safe and sized by a NULL call; NULL pointers are refused. */
static void test_null_parameters(ag_acl *acl) {
  bool ok;
  CHECK(ag_acl_setuser(NULL, "x", 1, NULL, 0) == AG_NULL_PARAMETER && code_is("INVALID_ARGUMENT"));
  CHECK(strcmp(err(), "acl must not be NULL") == 0);
  CHECK(ag_acl_setuser(acl, NULL, 1, NULL, 0) == AG_NULL_PARAMETER);
  CHECK(ag_acl_setuser(acl, "x", 1, NULL, 3) == AG_NULL_PARAMETER);
  ag_slice null_rule[] = {{NULL, 4}};
  CHECK(ag_acl_setuser(acl, "x", 1, null_rule, 1) == AG_NULL_PARAMETER);
  CHECK(ag_acl_authenticate(acl, "x", 1, "y", 1, NULL) == AG_NULL_PARAMETER);
  CHECK(ag_acl_authenticate(NULL, "x", 1, "y", 1, &ok) == AG_NULL_PARAMETER);
  CHECK(ag_acl_dryrun(acl, "x", 1, NULL, 0, NULL, NULL, NULL) == AG_NULL_PARAMETER);
  CHECK(ag_acl_users(acl, NULL) == AG_NULL_PARAMETER);
  CHECK(ag_acl_log_reset(NULL) == AG_NULL_PARAMETER);
  CHECK(ag_acl_load(acl, NULL, 3) == AG_NULL_PARAMETER);
  CHECK(ag_acl_new(NULL) == AG_NULL_PARAMETER);
  CHECK(ag_acl_new_with_options(NULL, NULL) == AG_NULL_PARAMETER);
  CHECK(ag_acl_getuser(acl, "default", 7, NULL) == AG_NULL_PARAMETER);
  CHECK(ag_user_info_commands(NULL, NULL, NULL) == AG_NULL_PARAMETER);
  CHECK(ag_log_entry_count(NULL, NULL) == AG_NULL_PARAMETER);
  ag_acl_free(NULL);
  ag_list_free(NULL);
  ag_string_free(NULL);
  ag_user_info_free(NULL);
  ag_log_entries_free(NULL);
  ag_acl_options_free(NULL);
  CHECK(ag_list_len(NULL) == 0 && ag_user_info_flags_len(NULL) == 0 && ag_log_entries_len(NULL) == 0);
  const char *p;
  size_t n;
  CHECK(ag_list_get(NULL, 0, &p, &n) == AG_NULL_PARAMETER);

  /* ag_last_error_message(NULL, 0) sizes the buffer; a short buffer gets a NUL-terminated
   * prefix and the full length. (Redis prints names with %s, so its text stops at a NUL.) */
  CHECK(ag_acl_check(acl, "no\0body", 7, NULL, 0) == AG_NOT_FOUND);
  size_t len = ag_last_error_message(NULL, 0);
  char *msg = malloc(len + 1);
  CHECK(ag_last_error_message(msg, len + 1) == len);
  CHECK(len == strlen("ERR User 'no' not found") && memcmp(msg, "ERR User 'no' not found", len + 1) == 0);
  free(msg);
  char small[4];
  CHECK(ag_last_error_message(small, sizeof small) == len && strcmp(small, "ERR") == 0);
}

static void test_describe_and_dryrun(ag_acl *acl) {
  ag_slice rules[] = {S("reset"), S("on"), S(">pw"), S("+@all"), S("-@dangerous"), S("%R~r*"), S("%W~w*"),
                      S("(+get"), S("~sel*)")};
  CHECK(ag_acl_setuser(acl, "bob", 3, rules, 9) == AG_OK);

  ag_user_info *info = NULL;
  const char *p;
  size_t n;
  CHECK(ag_acl_getuser(acl, "bob", 3, &info) == AG_OK && info != NULL);
  CHECK(ag_user_info_flags_len(info) == 2);
  CHECK(ag_user_info_flag(info, 0, &p, &n) == AG_OK && eq(p, n, "on"));
  CHECK(ag_user_info_flag(info, 1, &p, &n) == AG_OK && eq(p, n, "sanitize-payload"));
  CHECK(ag_user_info_flag(info, 2, &p, &n) == AG_INVALID_PARAMETER);
  CHECK(ag_user_info_passwords_len(info) == 1);
  CHECK(ag_user_info_password(info, 0, &p, &n) == AG_OK &&
        eq(p, n, "30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4"));
  CHECK(ag_user_info_commands(info, &p, &n) == AG_OK && eq(p, n, "+@all -@dangerous"));
  CHECK(ag_user_info_keys(info, &p, &n) == AG_OK && eq(p, n, "%R~r* %W~w*"));
  CHECK(ag_user_info_channels(info, &p, &n) == AG_OK && eq(p, n, ""));
  CHECK(ag_user_info_selectors_len(info) == 1);
  const ag_selector *sel = NULL;
  CHECK(ag_user_info_selector(info, 0, &sel) == AG_OK && sel != NULL);
  CHECK(ag_selector_commands(sel, &p, &n) == AG_OK && eq(p, n, "-@all +get"));
  CHECK(ag_selector_keys(sel, &p, &n) == AG_OK && eq(p, n, "~sel*"));
  CHECK(ag_selector_channels(sel, &p, &n) == AG_OK && eq(p, n, ""));
  CHECK(ag_user_info_selector(info, 1, &sel) == AG_INVALID_PARAMETER);
  /* A record is a snapshot: later changes do not show in it. */
  ag_slice more[] = {S("~more")};
  CHECK(ag_acl_setuser(acl, "bob", 3, more, 1) == AG_OK);
  CHECK(ag_user_info_keys(info, &p, &n) == AG_OK && eq(p, n, "%R~r* %W~w*"));
  ag_user_info_free(info);

  ag_list *lines = NULL;
  CHECK(ag_acl_list(acl, &lines) == AG_OK);
  CHECK(list_contains(lines, "user default on nopass ~* &* +@all"));
  ag_list_free(lines);

  char *out = NULL;
  size_t len = 0;
  bool allowed = true;
  ag_slice get_w[] = {S("GET"), S("w1")};
  CHECK(ag_acl_dryrun(acl, "bob", 3, get_w, 2, &out, &len, &allowed) == AG_OK && !allowed);
  CHECK(strcmp(out, "This user has no permissions to access the 'w1' key") == 0 && len == strlen(out));
  ag_string_free(out);
  ag_slice set_w[] = {S("SET"), S("w1"), S("v")};
  CHECK(ag_acl_dryrun(acl, "bob", 3, set_w, 3, &out, &len, &allowed) == AG_OK && allowed);
  CHECK(strcmp(out, "OK") == 0 && len == 2);
  ag_string_free(out);
  CHECK(ag_acl_dryrun(acl, "bob", 3, set_w, 3, &out, &len, NULL) == AG_OK); /* verdict optional */
  ag_string_free(out);
  out = NULL;
  CHECK(ag_acl_dryrun(acl, "nobody", 6, set_w, 3, &out, &len, &allowed) == AG_NOT_FOUND && out == NULL);
  CHECK(strcmp(err(), "ERR User 'nobody' not found") == 0);
  ag_slice nosuch[] = {S("NOSUCH")};
  CHECK(ag_acl_dryrun(acl, "bob", 3, nosuch, 1, &out, &len, &allowed) == AG_ERR && out == NULL);
  CHECK(strcmp(err(), "ERR Command 'NOSUCH' not found") == 0);
}

/* True if the `n` bytes at `p` contain `needle`. */
static int contains(const char *p, size_t n, const char *needle) {
  size_t k = strlen(needle);
  for (size_t i = 0; p && i + k <= n; i++)
    if (memcmp(p + i, needle, k) == 0) return 1;
  return 0;
}

/* Entry `i` of `log` has exactly these fields (and a recent age, the connection's client
 * info); the failing field is printed. */
static int entry_is(const ag_log_entries *log, size_t i, const char *reason, const char *context, const char *object,
                    uint64_t count) {
  const ag_log_entry *e = NULL;
  const char *p;
  size_t n;
  uint64_t got_count = 0;
  double age = -1;
  if (ag_log_entries_get(log, i, &e) != AG_OK) return 0;
  const char *bad = ag_log_entry_reason(e, &p, &n) != AG_OK || !eq(p, n, reason)     ? "reason"
                    : ag_log_entry_context(e, &p, &n) != AG_OK || !eq(p, n, context) ? "context"
                    : ag_log_entry_object(e, &p, &n) != AG_OK || !eq(p, n, object)   ? "object"
                    : ag_log_entry_username(e, &p, &n) != AG_OK || !eq(p, n, "app")  ? "username"
                    : ag_log_entry_count(e, &got_count) != AG_OK || got_count != count ? "count"
                    : ag_log_entry_age_seconds(e, &age) != AG_OK || age < 0 || age > 60 ? "age"
                    : ag_log_entry_client_info(e, &p, &n) != AG_OK || !contains(p, n, "addr=127.0.0.1:") ||
                              !contains(p, n, " user=app ")
                        ? "client-info"
                        : NULL;
  if (bad) fprintf(stderr, "log entry %zu (%s %s %s): wrong %s\n", i, reason, context, object, bad);
  return bad == NULL;
}

static size_t log_len(const ag_acl *acl, size_t count) {
  ag_log_entries *log = NULL;
  size_t n = ag_acl_log(acl, count, &log) == AG_OK ? ag_log_entries_len(log) : 999;
  ag_log_entries_free(log);
  return n;
}

/* The ACL LOG as records: a server's connection is denied a command, a key and a channel,
 * repeats the first denial (merged into one entry, counted, moved to the front), fails an
 * AUTH, and has a queued command re-checked by EXEC after a change from C. */
static void test_log_entries(void) {
  ag_acl *acl = NULL;
  CHECK(ag_acl_new(&acl) == AG_OK);
  ag_slice rules[] = {S("on"), S(">pw"), S("~app:*"), S("&news"), S("+get"), S("+publish"), S("+multi"), S("+exec")};
  CHECK(ag_acl_setuser(acl, "app", 3, rules, 8) == AG_OK);
  ag_server *server = NULL;
  uint16_t port = 0;
  CHECK(ag_server_new(acl, NULL, &server) == AG_OK && ag_server_start(server, &port) == AG_OK);
  resp_conn c;
  resp_reply r;
  CHECK(resp_connect(&c, port) == 0);
  const char *const auth[] = {"AUTH", "app", "pw"}, *const del1[] = {"DEL", "app:1"}, *const del2[] = {"DEL", "app:2"};
  const char *const get_other[] = {"GET", "other"}, *const publish[] = {"PUBLISH", "sports", "m"};
  const char *const bad_auth[] = {"AUTH", "app", "wrong"}, *const multi[] = {"MULTI"}, *const get[] = {"GET", "app:1"};
  const char *const exec[] = {"EXEC"}, *const set[] = {"SET", "app:1", "v"};
  CHECK(resp_cmd(&c, &r, 3, auth) == 0 && resp_is_status(&r, "OK"));
  CHECK(resp_cmd(&c, &r, 2, del1) == 0 && strcmp(r.text, "NOPERM this user has no permissions to run the 'del' command") == 0);
  CHECK(resp_cmd(&c, &r, 2, get_other) == 0 && r.type == '-');
  CHECK(resp_cmd(&c, &r, 3, publish) == 0 && r.type == '-');
  CHECK(resp_cmd(&c, &r, 2, del2) == 0 && r.type == '-');
  CHECK(resp_cmd(&c, &r, 3, bad_auth) == 0 && strncmp(r.text, "WRONGPASS", 9) == 0);
  CHECK(resp_cmd(&c, &r, 1, multi) == 0 && resp_is_status(&r, "OK"));
  CHECK(resp_cmd(&c, &r, 2, get) == 0 && resp_is_status(&r, "QUEUED"));
  ag_slice no_get[] = {S("-get")};
  CHECK(ag_acl_setuser(acl, "app", 3, no_get, 1) == AG_OK);
  CHECK(resp_cmd(&c, &r, 1, exec) == 0 && r.type == '*' && r.n == 1);
  CHECK(resp_read(&c, &r) == 0 && strncmp(r.text, "NOPERM ACLs rules changed", 25) == 0);

  /* Newest first; the second DEL merged into the first DEL's entry. */
  ag_log_entries *log = NULL;
  CHECK(ag_acl_log(acl, 10, &log) == AG_OK && ag_log_entries_len(log) == 5);
  CHECK(entry_is(log, 0, "command", "multi", "get", 1));
  CHECK(entry_is(log, 1, "auth", "toplevel", "AUTH", 1));
  CHECK(entry_is(log, 2, "command", "toplevel", "del", 2));
  CHECK(entry_is(log, 3, "channel", "toplevel", "sports", 1));
  CHECK(entry_is(log, 4, "key", "toplevel", "other", 1));
  ag_log_entries_free(log);
  CHECK(ag_acl_log(acl, 2, &log) == AG_OK && ag_log_entries_len(log) == 2); /* the newest 2 */
  CHECK(entry_is(log, 0, "command", "multi", "get", 1) && entry_is(log, 1, "auth", "toplevel", "AUTH", 1));
  ag_log_entries_free(log);

  /* ag_acl_check decides without logging. */
  ag_slice del[] = {S("DEL"), S("app:1")};
  CHECK(ag_acl_check(acl, "app", 3, del, 2) == AG_NOPERM && log_len(acl, 10) == 5);

  /* acllog-max-len: as in Redis, the log keeps its entries until the next new entry, which
   * leaves only the newest 3. */
  CHECK(ag_acl_set_log_max_len(acl, 3) == AG_OK && log_len(acl, 10) == 5);
  CHECK(resp_cmd(&c, &r, 3, set) == 0 && r.type == '-');
  CHECK(ag_acl_log(acl, 10, &log) == AG_OK && ag_log_entries_len(log) == 3);
  CHECK(entry_is(log, 0, "command", "toplevel", "set", 1) && entry_is(log, 1, "command", "multi", "get", 1) &&
        entry_is(log, 2, "auth", "toplevel", "AUTH", 1));
  ag_log_entries_free(log);

  /* After a reset the same denial starts a new entry at count 1. */
  CHECK(ag_acl_log_reset(acl) == AG_OK && log_len(acl, 10) == 0);
  CHECK(resp_cmd(&c, &r, 2, del1) == 0 && r.type == '-');
  CHECK(ag_acl_log(acl, 10, &log) == AG_OK && ag_log_entries_len(log) == 1 &&
        entry_is(log, 0, "command", "toplevel", "del", 1));
  ag_log_entries_free(log);
  resp_close(&c);
  ag_server_free(server);
  ag_acl_free(acl);
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

  /* check() does not log (only servers do, see test_log_entries); the log starts empty. */
  ag_log_entries *log = NULL;
  CHECK(ag_acl_log(acl, 10, &log) == AG_OK && ag_log_entries_len(log) == 0);
  const ag_log_entry *e = NULL;
  CHECK(ag_log_entries_get(log, 0, &e) == AG_INVALID_PARAMETER && e == NULL);
  ag_log_entries_free(log);
  CHECK(ag_acl_log_reset(acl) == AG_OK);

  char *out = NULL;
  size_t len = 0;
  CHECK(ag_acl_genpass_default(&out, &len) == AG_OK && len == 64 && strlen(out) == 64);
  CHECK(strspn(out, "0123456789abcdef") == 64);
  ag_string_free(out);
  CHECK(ag_acl_genpass(5, &out, &len) == AG_OK && len == 2);
  ag_string_free(out);
  out = NULL;
  CHECK(ag_acl_genpass(0, &out, &len) == AG_ERR && out == NULL);
  CHECK(strstr(err(), "ERR ACL GENPASS argument must be the number of bits") == err());
  CHECK(ag_acl_genpass(5000, &out, &len) == AG_ERR);
  CHECK(ag_acl_genpass(4096, &out, &len) == AG_OK && len == 1024);
  ag_string_free(out);
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

  /* from_file: a new engine from the file, with options or core's defaults. */
  ag_acl *loaded = NULL;
  CHECK(ag_acl_from_file(path, strlen(path), NULL, &loaded) == AG_OK && loaded != NULL);
  CHECK(ag_acl_authenticate(loaded, "alice", 5, "secret", 6, &ok) == AG_OK && ok);
  ag_acl_free(loaded);
  loaded = NULL;
  CHECK(ag_acl_from_file("/nonexistent/x.acl", 18, NULL, &loaded) == AG_CONFIG && loaded == NULL);
  CHECK(code_is("CONFIG"));

  FILE *f = fopen(bad, "w");
  fputs("user carol on +get\nuser dave on +nosuch\n# comment\n", f);
  fclose(f);
  CHECK(ag_acl_load(other, bad, strlen(bad)) == AG_CONFIG && code_is("CONFIG"));
  char want[1024];
  snprintf(want, sizeof want,
           "ERR %s:2: Error in applying operation '+nosuch': Unknown command or category name in ACL. "
           "%s:3 should start with user keyword followed by the username. "
           "WARNING: ACL errors detected, no change to the previously active ACL rules was performed",
           bad, bad);
  CHECK(strcmp(err(), want) == 0);
  CHECK(ag_acl_authenticate(other, "alice", 5, "secret", 6, &ok) == AG_OK && ok); /* nothing changed */
  CHECK(ag_acl_check_aclfile(other, bad, strlen(bad)) == AG_CONFIG && strcmp(err(), want) == 0);
  CHECK(ag_acl_check_aclfile(other, path, strlen(path)) == AG_OK);
  CHECK(ag_acl_load(other, "/nonexistent/x.acl", 18) == AG_CONFIG);
  CHECK(strcmp(err(), "ERR Error loading ACLs, opening file '/nonexistent/x.acl': No such file or directory") == 0);
  CHECK(ag_acl_save(other, "/nonexistent/x.acl", 18) == AG_IO && code_is("IO"));
  CHECK(strcmp(err(), "ERR There was an error trying to save the ACLs. Please check the server logs for more "
                      "information") == 0);
  /* Why it failed is the detail (Redis writes it to its log), sized first, then read. */
  size_t detail_len = 0;
  char detail[512];
  CHECK(ag_last_error_detail(NULL, 0, &detail_len) == AG_OK && detail_len > 0 && detail_len < sizeof detail);
  CHECK(ag_last_error_detail(detail, sizeof detail, &detail_len) == AG_OK && strlen(detail) == detail_len);
  CHECK(strstr(detail, "No such file or directory") != NULL);
  char small[4];
  CHECK(ag_last_error_detail(small, sizeof small, &detail_len) == AG_OK && strlen(small) == 3);
  CHECK(code_is("IO"));
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

  /* acl-pubsub-default applies to users created afterwards; values ignore case. */
  const char *p;
  size_t n;
  ag_slice on[] = {S("on")};
  CHECK(ag_acl_setuser(acl, "before", 6, on, 1) == AG_OK);
  CHECK(ag_acl_set_pubsub_default(acl, "AllChannels", 11) == AG_OK);
  CHECK(ag_acl_get_pubsub_default(acl, &p, &n) == AG_OK && eq(p, n, "allchannels"));
  CHECK(ag_acl_setuser(acl, "after", 5, on, 1) == AG_OK);
  ag_user_info *info = NULL;
  CHECK(ag_acl_getuser(acl, "after", 5, &info) == AG_OK);
  CHECK(ag_user_info_channels(info, &p, &n) == AG_OK && eq(p, n, "&*"));
  ag_user_info_free(info);
  CHECK(ag_acl_getuser(acl, "before", 6, &info) == AG_OK);
  CHECK(ag_user_info_channels(info, &p, &n) == AG_OK && eq(p, n, ""));
  ag_user_info_free(info);
  CHECK(ag_acl_set_pubsub_default(acl, "all", 3) == AG_INVALID_PARAMETER && code_is("INVALID_ARGUMENT"));
  CHECK(strcmp(err(), "argument(s) must be one of the following: allchannels, resetchannels") == 0);
  CHECK(ag_acl_get_pubsub_default(acl, &p, &n) == AG_OK && eq(p, n, "allchannels")); /* unchanged */

  /* acllog-max-len. */
  size_t max_len = 0;
  CHECK(ag_acl_set_log_max_len(acl, 3) == AG_OK);
  CHECK(ag_acl_get_log_max_len(acl, &max_len) == AG_OK && max_len == 3);

  /* Options objects: made with core's defaults, read back, applied at once. */
  ag_acl_options *opts = NULL;
  CHECK(ag_acl_options_new(&opts) == AG_OK);
  CHECK(ag_acl_options_get_pubsub_default(opts, &p, &n) == AG_OK && eq(p, n, "resetchannels"));
  CHECK(ag_acl_options_get_log_max_len(opts, &max_len) == AG_OK && max_len == 128);
  CHECK(ag_acl_options_set_pubsub_default(opts, "nope", 4) == AG_INVALID_PARAMETER);
  CHECK(ag_acl_set_options(acl, opts) == AG_OK);
  CHECK(ag_acl_get_pubsub_default(acl, &p, &n) == AG_OK && eq(p, n, "resetchannels"));
  CHECK(ag_acl_get_log_max_len(acl, &max_len) == AG_OK && max_len == 128);
  ag_acl_options_free(opts);
  opts = NULL;
  CHECK(ag_acl_get_options(acl, &opts) == AG_OK && opts != NULL);
  CHECK(ag_acl_options_get_log_max_len(opts, &max_len) == AG_OK && max_len == 128);
  CHECK(ag_acl_options_set_log_max_len(opts, 1) == AG_OK);
  CHECK(ag_acl_get_log_max_len(acl, &max_len) == AG_OK && max_len == 128); /* a copy */
  ag_acl_options_free(opts);

  char path[] = "/tmp/authgate-c-check-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  CHECK(write(fd, "user a on +get\n", 15) == 15);
  close(fd);
  CHECK(ag_acl_check_aclfile(acl, path, strlen(path)) == AG_OK);
  fd = open(path, O_WRONLY | O_TRUNC);
  CHECK(write(fd, "usr a on\n", 9) == 9);
  close(fd);
  CHECK(ag_acl_check_aclfile(acl, path, strlen(path)) == AG_CONFIG);
  CHECK(strstr(err(), ":1 should start with user keyword followed by the username.") != NULL);
  unlink(path);
  ag_acl_free(acl);
}

int main(void) {
  CHECK(strcmp(ag_last_error_code(), "") == 0 && ag_last_error_message(NULL, 0) == 0);
  ag_acl *acl = NULL;
  CHECK(ag_acl_new(&acl) == AG_OK && acl != NULL);
  test_users_and_checks(acl);
  test_denials(acl);
  test_errors_leave_users_alone(acl);
  test_null_parameters(acl);
  test_describe_and_dryrun(acl);
  test_cat_log_genpass(acl);
  test_log_entries();
  test_aclfiles(acl);
  test_settings();
  CHECK(ag_debug_panic() == AG_PANIC && code_is("PANIC"));
  CHECK(strcmp(err(), "panic in authgate: deliberate panic from ag_debug_panic") == 0);
  ag_acl_free(acl);
  return DONE();
}
