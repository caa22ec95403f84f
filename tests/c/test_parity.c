/* API parity: reads tests/fixtures/vocabulary.json (the operations every language exports)
 * and calls, for every entry, the C function(s) that implement it, checking what each does.
 * An entry without a C implementation here fails, and so does an implementation here that
 * the vocabulary does not list: the C API and the shared vocabulary cannot drift apart.
 * Usage: test_parity [path/to/vocabulary.json] (default: run from the repository root). */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <unistd.h>

#include "authgate.h"
#include "check.h"
#include "helpers.h"
#include "json.h"

static const json *vocab;   /* the whole file */
static const json *defaults; /* its "defaults" */

static double default_number(const char *key) {
  const json *v = json_get(defaults, key);
  CHECK(v != NULL && v->type == J_NUMBER);
  return v ? v->number : -1;
}

static const json *default_string(const char *key) {
  const json *v = json_get(defaults, key);
  CHECK(v != NULL && v->type == J_STRING);
  return v;
}

/* A temporary directory for files the operations write. */
static char tmpdir[] = "/tmp/authgate-c-parity-XXXXXX";

static void tmp_path(char *buf, size_t len, const char *name) { snprintf(buf, len, "%s/%s", tmpdir, name); }

static ag_acl *fresh_acl(void) {
  ag_acl *acl = NULL;
  CHECK(ag_acl_new(&acl) == AG_OK);
  ag_slice rules[] = {S("on"), S(">secret"), S("~cache:*"), S("+get"), S("(+set"), S("~w*)")};
  CHECK(ag_acl_setuser(acl, "alice", 5, rules, 6) == AG_OK);
  return acl;
}

/* ---- acl.constructors ------------------------------------------------------------------ */

static void acl_new(void) {
  ag_acl *acl = NULL;
  CHECK(ag_acl_new(&acl) == AG_OK);
  bool ok = false;
  CHECK(ag_acl_authenticate(acl, "default", 7, "anything", 8, &ok) == AG_OK && ok);
  ag_acl_free(acl);
  ag_acl_options *opts = NULL;
  CHECK(ag_acl_options_new(&opts) == AG_OK);
  CHECK(ag_acl_options_set_log_max_len(opts, 5) == AG_OK);
  CHECK(ag_acl_new_with_options(opts, &acl) == AG_OK);
  size_t n = 0;
  CHECK(ag_acl_get_log_max_len(acl, &n) == AG_OK && n == 5);
  ag_acl_options_free(opts);
  ag_acl_free(acl);
}

static void acl_from_file(void) {
  char path[256];
  tmp_path(path, sizeof path, "from_file.acl");
  FILE *f = fopen(path, "w");
  fputs("user carol on >pw +get ~k*\n", f);
  fclose(f);
  ag_acl_options *opts = NULL;
  CHECK(ag_acl_options_new(&opts) == AG_OK);
  CHECK(ag_acl_options_set_pubsub_default(opts, "allchannels", 11) == AG_OK);
  ag_acl *acl = NULL;
  CHECK(ag_acl_from_file(path, strlen(path), opts, &acl) == AG_OK);
  bool ok = false;
  CHECK(ag_acl_authenticate(acl, "carol", 5, "pw", 2, &ok) == AG_OK && ok);
  const char *p;
  size_t n;
  CHECK(ag_acl_get_pubsub_default(acl, &p, &n) == AG_OK && eq(p, n, "allchannels"));
  ag_acl_free(acl);
  ag_acl_options_free(opts);
  unlink(path);
}

/* ---- acl.methods ----------------------------------------------------------------------- */

static void acl_setuser(void) {
  ag_acl *acl = fresh_acl();
  ag_slice bad[] = {S("+nosuch")};
  CHECK(ag_acl_setuser(acl, "alice", 5, bad, 1) == AG_ERR && code_is("ERR"));
  ag_acl_free(acl);
}

static void acl_deluser(void) {
  ag_acl *acl = fresh_acl();
  size_t n = 0;
  ag_slice names[] = {S("alice"), S("nobody")};
  CHECK(ag_acl_deluser(acl, names, 2, &n) == AG_OK && n == 1);
  ag_acl_free(acl);
}

static void acl_getuser(void) {
  ag_acl *acl = fresh_acl();
  ag_user_info *info = NULL;
  CHECK(ag_acl_getuser(acl, "alice", 5, &info) == AG_OK && info != NULL);
  ag_user_info_free(info);
  CHECK(ag_acl_getuser(acl, "nobody", 6, &info) == AG_NOT_FOUND);
  ag_acl_free(acl);
}

static void acl_users(void) {
  ag_acl *acl = fresh_acl();
  ag_list *l = NULL;
  CHECK(ag_acl_users(acl, &l) == AG_OK && ag_list_len(l) == 2 && list_contains(l, "alice"));
  ag_list_free(l);
  ag_acl_free(acl);
}

static void acl_list(void) {
  ag_acl *acl = fresh_acl();
  ag_list *l = NULL;
  CHECK(ag_acl_list(acl, &l) == AG_OK && list_contains(l, "user default on nopass ~* &* +@all"));
  ag_list_free(l);
  ag_acl_free(acl);
}

static void acl_cat(void) {
  ag_acl *acl = fresh_acl();
  ag_list *l = NULL;
  CHECK(ag_acl_cat(acl, NULL, 0, &l) == AG_OK && list_contains(l, "keyspace"));
  ag_list_free(l);
  CHECK(ag_acl_cat(acl, "pubsub", 6, &l) == AG_OK && list_contains(l, "publish"));
  ag_list_free(l);
  ag_acl_free(acl);
}

static void acl_check(void) {
  ag_acl *acl = fresh_acl();
  ag_slice ok[] = {S("GET"), S("cache:1")}, denied[] = {S("GET"), S("x")};
  CHECK(ag_acl_check(acl, "alice", 5, ok, 2) == AG_OK);
  CHECK(ag_acl_check(acl, "alice", 5, denied, 2) == AG_NOPERM);
  const char *k, *o;
  size_t kl, ol;
  CHECK(ag_last_error_denial(&k, &kl, &o, &ol) == AG_OK && eq(k, kl, "key") && eq(o, ol, "x"));
  ag_acl_free(acl);
}

static void acl_allowed(void) {
  ag_acl *acl = fresh_acl();
  ag_slice ok[] = {S("GET"), S("cache:1")}, denied[] = {S("GET"), S("x")}, arity[] = {S("GET")};
  bool allowed = false;
  CHECK(ag_acl_allowed(acl, "alice", 5, ok, 2, &allowed) == AG_OK && allowed);
  CHECK(ag_acl_allowed(acl, "alice", 5, denied, 2, &allowed) == AG_OK && !allowed);
  CHECK(ag_acl_allowed(acl, "alice", 5, arity, 1, &allowed) == AG_ERR && code_is("ERR"));
  CHECK(ag_acl_allowed(acl, "nobody", 6, ok, 2, &allowed) == AG_NOT_FOUND && code_is("NOT_FOUND"));
  ag_acl_free(acl);
}

/* The denial record of a command denial; its fields are checked in the "denial" section. */
static ag_denial *a_denial;

static void acl_denial(void) {
  ag_acl *acl = fresh_acl();
  ag_slice ok[] = {S("SET"), S("w1"), S("v")}, del[] = {S("DEL"), S("cache:1")};
  ag_denial *d = (ag_denial *)1;
  CHECK(ag_acl_denial(acl, "alice", 5, ok, 3, &d) == AG_OK && d == NULL);
  CHECK(ag_acl_denial(acl, "alice", 5, del, 2, &a_denial) == AG_OK && a_denial != NULL);
  CHECK(ag_acl_denial(acl, "nobody", 6, del, 2, &d) == AG_NOT_FOUND && code_is("NOT_FOUND"));
  ag_acl_free(acl);
}

static int denial_field_is(ag_status (*field)(const ag_denial *, const char **, size_t *), const char *want) {
  const char *p;
  size_t n;
  return a_denial != NULL && field(a_denial, &p, &n) == AG_OK && eq(p, n, want);
}

static void denial_reason(void) { CHECK(denial_field_is(ag_denial_reason, "command")); }
static void denial_command(void) { CHECK(denial_field_is(ag_denial_command, "del")); }
static void denial_object(void) { CHECK(denial_field_is(ag_denial_object, "del")); }
static void denial_message(void) {
  CHECK(denial_field_is(ag_denial_message, "NOPERM this user has no permissions to run the 'del' command"));
}

static void acl_dryrun(void) {
  ag_acl *acl = fresh_acl();
  ag_slice argv[] = {S("SET"), S("w1"), S("v")};
  char *out = NULL;
  size_t len = 0;
  bool allowed = false;
  CHECK(ag_acl_dryrun(acl, "alice", 5, argv, 3, &out, &len, &allowed) == AG_OK && allowed && eq(out, len, "OK"));
  ag_string_free(out);
  ag_slice del[] = {S("DEL"), S("w1")};
  CHECK(ag_acl_dryrun(acl, "alice", 5, del, 2, &out, &len, &allowed) == AG_OK && !allowed);
  CHECK(eq(out, len, "This user has no permissions to run the 'del' command"));
  ag_string_free(out);
  ag_acl_free(acl);
}

static void acl_authenticate(void) {
  ag_acl *acl = fresh_acl();
  bool ok = false;
  CHECK(ag_acl_authenticate(acl, "alice", 5, "secret", 6, &ok) == AG_OK && ok);
  CHECK(ag_acl_authenticate(acl, "alice", 5, "nope", 4, &ok) == AG_OK && !ok);
  ag_acl_free(acl);
}

static void acl_log(void) {
  ag_acl *acl = fresh_acl();
  ag_log_entries *log = NULL;
  CHECK(ag_acl_log(acl, SIZE_MAX, &log) == AG_OK && ag_log_entries_len(log) == 0);
  ag_log_entries_free(log);
  ag_acl_free(acl);
}

static void acl_log_reset(void) {
  ag_acl *acl = fresh_acl();
  CHECK(ag_acl_log_reset(acl) == AG_OK);
  ag_acl_free(acl);
}

static void acl_genpass(void) {
  char *out = NULL;
  size_t len = 0;
  CHECK(ag_acl_genpass(8, &out, &len) == AG_OK && len == 2);
  ag_string_free(out);
  CHECK(ag_acl_genpass_default(&out, &len) == AG_OK);
  CHECK(len == (size_t)default_number("genpass_bits") / 4);
  ag_string_free(out);
}

static void acl_load_save(int save) {
  ag_acl *acl = fresh_acl();
  char path[256];
  tmp_path(path, sizeof path, "users.acl");
  CHECK(ag_acl_save(acl, path, strlen(path)) == AG_OK);
  ag_acl *other = NULL;
  CHECK(ag_acl_new(&other) == AG_OK);
  CHECK(ag_acl_load(other, path, strlen(path)) == AG_OK);
  bool ok = false;
  CHECK(ag_acl_authenticate(other, "alice", 5, "secret", 6, &ok) == AG_OK && ok);
  if (save) CHECK(ag_acl_save(acl, "/nonexistent/users.acl", 22) == AG_IO);
  else CHECK(ag_acl_load(other, "/nonexistent/users.acl", 22) == AG_CONFIG);
  ag_acl_free(other);
  ag_acl_free(acl);
  unlink(path);
}
static void acl_load(void) { acl_load_save(0); }
static void acl_save(void) { acl_load_save(1); }

static void acl_check_aclfile(void) {
  ag_acl *acl = fresh_acl();
  char path[256];
  tmp_path(path, sizeof path, "check.acl");
  FILE *f = fopen(path, "w");
  fputs("user x on +nosuch\n", f);
  fclose(f);
  CHECK(ag_acl_check_aclfile(acl, path, strlen(path)) == AG_CONFIG && code_is("CONFIG"));
  unlink(path);
  ag_acl_free(acl);
}

static void acl_set_requirepass(void) {
  ag_acl *acl = fresh_acl();
  bool ok = true;
  CHECK(ag_acl_set_requirepass(acl, "pw", 2) == AG_OK);
  CHECK(ag_acl_authenticate(acl, "default", 7, "other", 5, &ok) == AG_OK && !ok);
  ag_acl_free(acl);
}

static void acl_options(void) {
  ag_acl *acl = fresh_acl();
  ag_acl_options *opts = NULL;
  const char *p;
  size_t n, max_len = 0;
  CHECK(ag_acl_get_options(acl, &opts) == AG_OK);
  CHECK(ag_acl_options_get_log_max_len(opts, &max_len) == AG_OK && max_len == (size_t)default_number("log_max_len"));
  const json *want = default_string("pubsub_default");
  CHECK(ag_acl_options_get_pubsub_default(opts, &p, &n) == AG_OK && want && json_is(want, p, n));
  ag_acl_options_free(opts);
  ag_acl_free(acl);
}

static void acl_set_options(void) {
  ag_acl *acl = fresh_acl();
  ag_acl_options *opts = NULL;
  CHECK(ag_acl_options_new(&opts) == AG_OK);
  CHECK(ag_acl_options_set_pubsub_default(opts, "ALLCHANNELS", 11) == AG_OK);
  CHECK(ag_acl_options_set_log_max_len(opts, 9) == AG_OK);
  CHECK(ag_acl_set_options(acl, opts) == AG_OK);
  const char *p;
  size_t n, max_len = 0;
  CHECK(ag_acl_get_pubsub_default(acl, &p, &n) == AG_OK && eq(p, n, "allchannels"));
  CHECK(ag_acl_get_log_max_len(acl, &max_len) == AG_OK && max_len == 9);
  ag_acl_options_free(opts);
  ag_acl_free(acl);
}

/* ---- acl.settings ---------------------------------------------------------------------- */

static void setting_pubsub_default(void) {
  ag_acl *acl = fresh_acl();
  const char *p;
  size_t n;
  const json *want = default_string("pubsub_default");
  CHECK(ag_acl_get_pubsub_default(acl, &p, &n) == AG_OK && want && json_is(want, p, n));
  const json *values = json_get(vocab, "pubsub_default_values");
  for (size_t i = 0; values && i < values->n; i++) {
    const json *v = json_at(values, i);
    CHECK(ag_acl_set_pubsub_default(acl, v->str, v->len) == AG_OK);
    CHECK(ag_acl_get_pubsub_default(acl, &p, &n) == AG_OK && json_is(v, p, n));
  }
  CHECK(ag_acl_set_pubsub_default(acl, "x", 1) == AG_INVALID_PARAMETER);
  ag_acl_free(acl);
}

static void setting_log_max_len(void) {
  ag_acl *acl = fresh_acl();
  size_t n = 0;
  CHECK(ag_acl_get_log_max_len(acl, &n) == AG_OK && n == (size_t)default_number("log_max_len"));
  CHECK(ag_acl_set_log_max_len(acl, 2) == AG_OK);
  CHECK(ag_acl_get_log_max_len(acl, &n) == AG_OK && n == 2);
  ag_acl_free(acl);
}

#include "parity_server.h"

/* ---- records --------------------------------------------------------------------------- */

/* alice's record from fresh_acl(), made once. */
static ag_acl *info_acl;
static ag_user_info *info;

static const ag_user_info *sample_info(void) {
  if (!info) {
    info_acl = fresh_acl();
    CHECK(ag_acl_getuser(info_acl, "alice", 5, &info) == AG_OK);
  }
  return info;
}

static void user_flags(void) {
  const char *p;
  size_t n;
  CHECK(ag_user_info_flags_len(sample_info()) == 1);
  CHECK(ag_user_info_flag(sample_info(), 0, &p, &n) == AG_OK && eq(p, n, "on"));
}

static void user_passwords(void) {
  const char *p;
  size_t n;
  CHECK(ag_user_info_passwords_len(sample_info()) == 1);
  CHECK(ag_user_info_password(sample_info(), 0, &p, &n) == AG_OK &&
        eq(p, n, "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b"));
}

static void user_commands(void) {
  const char *p;
  size_t n;
  CHECK(ag_user_info_commands(sample_info(), &p, &n) == AG_OK && eq(p, n, "-@all +get"));
}

static void user_keys(void) {
  const char *p;
  size_t n;
  CHECK(ag_user_info_keys(sample_info(), &p, &n) == AG_OK && eq(p, n, "~cache:*"));
}

static void user_channels(void) {
  const char *p;
  size_t n;
  CHECK(ag_user_info_channels(sample_info(), &p, &n) == AG_OK && eq(p, n, ""));
}

static void user_selectors(void) {
  const ag_selector *sel = NULL;
  const char *p;
  size_t n;
  CHECK(ag_user_info_selectors_len(sample_info()) == 1);
  CHECK(ag_user_info_selector(sample_info(), 0, &sel) == AG_OK);
  CHECK(ag_selector_commands(sel, &p, &n) == AG_OK && eq(p, n, "-@all +set"));
  CHECK(ag_selector_keys(sel, &p, &n) == AG_OK && eq(p, n, "~w*"));
  CHECK(ag_selector_channels(sel, &p, &n) == AG_OK && eq(p, n, ""));
}

/* One key denial by a real client, logged by a server sharing the engine, fetched once. */
static ag_acl *log_acl;
static ag_log_entries *log_entries;

static const ag_log_entry *sample_entry(void) {
  if (!log_entries) {
    uint16_t port;
    ag_server *server = started(NULL, &log_acl, &port);
    ag_slice rules[] = {S("on"), S(">pw"), S("+get"), S("~k*")};
    CHECK(ag_acl_setuser(log_acl, "app", 3, rules, 4) == AG_OK);
    CHECK(strstr(cli(port, "--user app --pass pw GET other"), "NOPERM") != NULL);
    CHECK(strstr(cli(port, "--user app --pass pw GET other"), "NOPERM") != NULL);
    ag_server_free(server);
    CHECK(ag_acl_log(log_acl, 10, &log_entries) == AG_OK && ag_log_entries_len(log_entries) == 1);
  }
  const ag_log_entry *e = NULL;
  CHECK(ag_log_entries_get(log_entries, 0, &e) == AG_OK);
  return e;
}

static void entry_count(void) {
  uint64_t n = 0;
  CHECK(ag_log_entry_count(sample_entry(), &n) == AG_OK && n == 2);
}

static void entry_reason(void) {
  const char *p;
  size_t n;
  CHECK(ag_log_entry_reason(sample_entry(), &p, &n) == AG_OK && eq(p, n, "key"));
}

static void entry_context(void) {
  const char *p;
  size_t n;
  CHECK(ag_log_entry_context(sample_entry(), &p, &n) == AG_OK && eq(p, n, "toplevel"));
}

static void entry_object(void) {
  const char *p;
  size_t n;
  CHECK(ag_log_entry_object(sample_entry(), &p, &n) == AG_OK && eq(p, n, "other"));
}

static void entry_username(void) {
  const char *p;
  size_t n;
  CHECK(ag_log_entry_username(sample_entry(), &p, &n) == AG_OK && eq(p, n, "app"));
}

static void entry_age_seconds(void) {
  double age = -1;
  CHECK(ag_log_entry_age_seconds(sample_entry(), &age) == AG_OK && age >= 0 && age < 60);
}

static void entry_client_info(void) {
  const char *p;
  size_t n;
  CHECK(ag_log_entry_client_info(sample_entry(), &p, &n) == AG_OK && n > 3 && memcmp(p, "id=", 3) == 0);
}

/* ---- error codes ----------------------------------------------------------------------- */

/* Every code string, its status, and (where the C API can produce it today) a call that
 * fails with it. WRONGPASS and NOAUTH come from servers' clients, AUTH, CERTIFICATE and
 * CREDENTIAL from modules that have no C functions yet: for those the status must exist and
 * be distinct. */
static ag_status trigger(const char *code) {
  ag_acl *acl = fresh_acl();
  ag_status s = AG_OK;
  ag_slice bad_rule[] = {S("bogus")}, denied[] = {S("DEL"), S("k")};
  if (!strcmp(code, "NOPERM")) s = ag_acl_check(acl, "alice", 5, denied, 2);
  if (!strcmp(code, "ERR")) s = ag_acl_setuser(acl, "alice", 5, bad_rule, 1);
  if (!strcmp(code, "NOT_FOUND")) s = ag_acl_check(acl, "nobody", 6, denied, 2);
  if (!strcmp(code, "IO")) s = ag_acl_save(acl, "/nonexistent/x", 14);
  if (!strcmp(code, "INVALID_ARGUMENT")) s = ag_acl_set_pubsub_default(acl, "x", 1);
  if (!strcmp(code, "PANIC")) s = ag_debug_panic();
  if (!strcmp(code, "CONFIG")) s = ag_acl_load(acl, "/nonexistent/x", 14);
  ag_acl_free(acl);
  return s;
}

static const struct {
  const char *code;
  ag_status status;
} CODES[] = {
    {"NOPERM", AG_NOPERM},       {"WRONGPASS", AG_WRONGPASS},
    {"NOAUTH", AG_NOAUTH},       {"ERR", AG_ERR},
    {"NOT_FOUND", AG_NOT_FOUND}, {"IO", AG_IO},
    {"INVALID_ARGUMENT", AG_INVALID_PARAMETER}, {"PANIC", AG_PANIC},
    {"CONFIG", AG_CONFIG},       {"AUTH", AG_AUTH},
    {"CERTIFICATE", AG_CERTIFICATE}, {"CREDENTIAL", AG_CREDENTIAL},
};
#define N_CODES (sizeof CODES / sizeof CODES[0])

static void check_error_codes(void) {
  const json *codes = json_get(vocab, "error_codes");
  CHECK(codes != NULL && codes->n == N_CODES);
  for (size_t i = 0; codes && i < codes->n; i++) {
    const json *c = json_at(codes, i);
    size_t k = 0;
    while (k < N_CODES && strcmp(CODES[k].code, c->str) != 0) k++;
    CHECK(k < N_CODES);
    if (k == N_CODES) {
      fprintf(stderr, "error code %s has no ag_status\n", c->str);
      continue;
    }
    for (size_t j = 0; j < N_CODES; j++) CHECK(j == k || CODES[j].status != CODES[k].status);
    ag_status s = trigger(c->str);
    if (s != AG_OK) CHECK(s == CODES[k].status && code_is(c->str));
  }
}

/* ---- credentials: the stores, the options by name, the methods ---------------------------- */

/* A literal as the (pointer, length) pair the ag_creds functions take. */
#define CL(lit) (lit), sizeof(lit) - 1

static ag_creds *creds; /* the store the method entries share */

static ag_creds *creds_store(void) {
  if (!creds) {
    ag_creds_options *o = NULL;
    CHECK(ag_creds_options_new(&o) == AG_OK && ag_creds_options_set(o, CL("bcrypt_cost"), CL("4")) == AG_OK);
    CHECK(ag_creds_open(o, &creds) == AG_OK);
    ag_creds_options_free(o);
  }
  return creds;
}

/* Sets `name` to `value` (etcd options on an etcd store) and checks core accepted it. */
static void creds_option(const char *name, const char *value, int etcd) {
  ag_creds_options *o = NULL;
  CHECK(ag_creds_options_new(&o) == AG_OK);
  if (etcd) CHECK(ag_creds_options_set_etcd(o, CL("127.0.0.1:2379")) == AG_OK);
  CHECK(ag_creds_options_set(o, name, strlen(name), value, strlen(value)) == AG_OK);
  CHECK(ag_creds_options_set(o, CL("bcrypt_cost"), CL("4")) == AG_OK);
  if (!etcd) {
    ag_creds *c = NULL;
    CHECK(ag_creds_open(o, &c) == AG_OK);
    ag_creds_free(c);
  }
  ag_creds_options_free(o);
}
#define CREDS_OPTION(fn, name, value, etcd) \
  static void fn(void) { creds_option(name, value, etcd); }
CREDS_OPTION(creds_min_password_length, "min_password_length", "6", 0)
CREDS_OPTION(creds_max_password_length, "max_password_length", "256", 0)
CREDS_OPTION(creds_max_user_num, "max_user_num", "100", 0)
CREDS_OPTION(creds_default_root_password, "default_root_password", "Milvus", 0)
CREDS_OPTION(creds_super_users, "super_users", "root,admin", 0)
CREDS_OPTION(creds_bcrypt_cost, "bcrypt_cost", "4", 0)
CREDS_OPTION(creds_verified_cache_ttl, "verified_cache_ttl", "1.5", 0)
CREDS_OPTION(creds_root_path, "root_path", "by-dev", 1)
CREDS_OPTION(creds_meta_sub_path, "meta_sub_path", "meta", 1)
CREDS_OPTION(creds_etcd_user, "etcd_user", "root", 1)
CREDS_OPTION(creds_etcd_password, "etcd_password", "pw", 1)
CREDS_OPTION(creds_etcd_ca, "etcd_ca", "/etc/ca.pem", 1)
CREDS_OPTION(creds_etcd_cert, "etcd_cert", "/etc/cert.pem", 1)
CREDS_OPTION(creds_etcd_key, "etcd_key", "/etc/key.pem", 1)

static void creds_memory(void) {
  ag_creds *c = NULL;
  bool yes = false;
  CHECK(ag_creds_open(NULL, &c) == AG_OK && ag_creds_verify(c, CL("root"), CL("Milvus"), &yes) == AG_OK && yes);
  ag_creds_free(c);
}
static void creds_file(void) {
  char path[256];
  snprintf(path, sizeof path, "%s/creds.json", tmpdir);
  ag_creds_options *o = NULL;
  ag_creds *c = NULL;
  CHECK(ag_creds_options_new(&o) == AG_OK && ag_creds_options_set(o, CL("bcrypt_cost"), CL("4")) == AG_OK);
  CHECK(ag_creds_options_set_file(o, path, strlen(path)) == AG_OK && ag_creds_open(o, &c) == AG_OK);
  ag_creds_free(c);
  ag_creds_options_free(o);
  unlink(path);
}
/* Opening needs a live etcd (tests/differential_milvus and the Java suite have one): here the
 * location is set, and an etcd-only option is accepted on it and refused on a memory store. */
static void creds_etcd(void) {
  ag_creds_options *o = NULL;
  ag_creds *c = NULL;
  CHECK(ag_creds_options_new(&o) == AG_OK && ag_creds_options_set(o, CL("root_path"), CL("x")) == AG_OK);
  CHECK(ag_creds_open(o, &c) == AG_CREDENTIAL && c == NULL);
  CHECK(ag_creds_options_set_etcd(o, CL("127.0.0.1:2379,127.0.0.1:2380")) == AG_OK);
  ag_creds_options_free(o);
}
static void creds_create_user(void) { CHECK(ag_creds_create_user(creds_store(), CL("alice"), CL("secret1")) == AG_OK); }
static void creds_update_password(void) {
  CHECK(ag_creds_update_password(creds_store(), CL("alice"), CL("secret1"), CL("secret2"), NULL, 0) == AG_OK);
}
static void creds_delete_user(void) { CHECK(ag_creds_delete_user(creds_store(), CL("alice")) == AG_OK); }
static void creds_list_users(void) {
  ag_list *l = NULL;
  CHECK(ag_creds_list_users(creds_store(), &l) == AG_OK && ag_list_len(l) >= 1);
  ag_list_free(l);
}
static void creds_verify(void) {
  bool yes = false;
  CHECK(ag_creds_verify(creds_store(), CL("root"), CL("Milvus"), &yes) == AG_OK && yes);
}
static void creds_milvus_authorization(void) {
  char *user = NULL, *pw = NULL;
  size_t ul = 0, pl = 0;
  CHECK(ag_milvus_authorization(CL("dTpw"), &user, &ul, &pw, &pl) == AG_OK && eq(user, ul, "u") && eq(pw, pl, "p"));
  ag_string_free(user);
  ag_string_free(pw);
}

#include "parity_tls.h"

/* ---- acl.constructors: from_store, and acl.store_options ---------------------------------
 * The store itself is exercised against a real etcd in test_acl_store.c; here an address
 * nothing listens on shows the constructor exists and refuses to start without a cache. */

static void acl_from_store(void) {
  ag_acl *acl = NULL;
  const char url[] = "etcd://127.0.0.1:1/parity";
  CHECK(ag_acl_from_store(url, strlen(url), NULL, NULL, &acl) == AG_IO && acl == NULL);
  CHECK(code_is("IO"));
}

/* Each store option is set by its vocabulary name (core refuses unknown names). */
static void store_option(const char *name) {
  ag_acl_store_options *o = NULL;
  CHECK(ag_acl_store_options_new(&o) == AG_OK);
  CHECK(ag_acl_store_options_set(o, name, strlen(name), "/tmp/x", 6) == AG_OK);
  ag_acl_store_options_free(o);
}
static void store_cache_file(void) { store_option("cache_file"); }
static void store_ca_file(void) { store_option("ca_file"); }
static void store_cert_file(void) { store_option("cert_file"); }
static void store_key_file(void) { store_option("key_file"); }


/* ---- the vocabulary, entry by entry ---------------------------------------------------- */

static const struct entry {
  const char *section; /* a path in vocabulary.json: "acl.methods", "user_info", ... */
  const char *name;
  void (*run)(void);
} ENTRIES[] = {
    {"acl.constructors", "new", acl_new},
    {"acl.constructors", "from_file", acl_from_file},
    {"acl.constructors", "from_store", acl_from_store},
    {"acl.store_options", "cache_file", store_cache_file},
    {"acl.store_options", "ca_file", store_ca_file},
    {"acl.store_options", "cert_file", store_cert_file},
    {"acl.store_options", "key_file", store_key_file},
    {"acl.methods", "setuser", acl_setuser},
    {"acl.methods", "deluser", acl_deluser},
    {"acl.methods", "getuser", acl_getuser},
    {"acl.methods", "users", acl_users},
    {"acl.methods", "list", acl_list},
    {"acl.methods", "cat", acl_cat},
    {"acl.methods", "check", acl_check},
    {"acl.methods", "dryrun", acl_dryrun},
    {"acl.methods", "allowed", acl_allowed},
    {"acl.methods", "denial", acl_denial},
    {"acl.methods", "authenticate", acl_authenticate},
    {"acl.methods", "log", acl_log},
    {"acl.methods", "log_reset", acl_log_reset},
    {"acl.methods", "genpass", acl_genpass},
    {"acl.methods", "load", acl_load},
    {"acl.methods", "save", acl_save},
    {"acl.methods", "check_aclfile", acl_check_aclfile},
    {"acl.methods", "set_requirepass", acl_set_requirepass},
    {"acl.methods", "options", acl_options},
    {"acl.methods", "set_options", acl_set_options},
    {"acl.settings", "pubsub_default", setting_pubsub_default},
    {"acl.settings", "log_max_len", setting_log_max_len},
    {"server.options", "host", option_host},
    {"server.options", "port", option_port},
    {"server.options", "requirepass", option_requirepass},
    {"server.options", "aclfile", option_aclfile},
    {"server.options", "maxclients", option_maxclients},
    {"server.options", "config", option_config},
    {"server.methods", "start", server_start},
    {"server.methods", "stop", server_stop},
    {"server.methods", "restart", server_restart},
    {"server.properties", "running", server_running},
    {"server.properties", "host", server_host},
    {"server.properties", "port", server_port},
    {"server.tls_options", "tls_port", tls_option_port},
    {"server.tls_options", "tls_cert_file", tls_option_cert_file},
    {"server.tls_options", "tls_key_file", tls_option_key_file},
    {"server.tls_options", "tls_key_file_pass", tls_option_key_file_pass},
    {"server.tls_options", "tls_ca_cert_file", tls_option_ca_cert_file},
    {"server.tls_options", "tls_ca_cert_dir", tls_option_ca_cert_dir},
    {"server.tls_options", "tls_auth_clients", tls_option_auth_clients},
    {"server.tls_options", "tls_auth_clients_user", tls_option_auth_clients_user},
    {"server.tls_options", "tls_protocols", tls_option_protocols},
    {"server.tls_options", "tls_ciphersuites", tls_option_ciphersuites},
    {"server.tls_options", "tls_ciphers", tls_option_ciphers},
    {"server.tls_options", "tls_prefer_server_ciphers", tls_option_prefer_server_ciphers},
    {"server.tls_options", "certificate_users", tls_option_certificate_users},
    {"server.tls_properties", "tls_port", tls_property_port},
    {"user_info", "flags", user_flags},
    {"user_info", "passwords", user_passwords},
    {"user_info", "commands", user_commands},
    {"user_info", "keys", user_keys},
    {"user_info", "channels", user_channels},
    {"user_info", "selectors", user_selectors},
    {"log_entry", "count", entry_count},
    {"log_entry", "reason", entry_reason},
    {"log_entry", "context", entry_context},
    {"log_entry", "object", entry_object},
    {"log_entry", "username", entry_username},
    {"log_entry", "age_seconds", entry_age_seconds},
    {"log_entry", "client_info", entry_client_info},
    {"denial", "reason", denial_reason},
    {"denial", "command", denial_command},
    {"denial", "object", denial_object},
    {"denial", "message", denial_message},
    {"credentials.stores", "memory", creds_memory},
    {"credentials.stores", "file", creds_file},
    {"credentials.stores", "etcd", creds_etcd},
    {"credentials.methods", "create_user", creds_create_user},
    {"credentials.methods", "update_password", creds_update_password},
    {"credentials.methods", "delete_user", creds_delete_user},
    {"credentials.methods", "list_users", creds_list_users},
    {"credentials.methods", "verify", creds_verify},
    {"credentials.options", "min_password_length", creds_min_password_length},
    {"credentials.options", "max_password_length", creds_max_password_length},
    {"credentials.options", "max_user_num", creds_max_user_num},
    {"credentials.options", "default_root_password", creds_default_root_password},
    {"credentials.options", "super_users", creds_super_users},
    {"credentials.options", "bcrypt_cost", creds_bcrypt_cost},
    {"credentials.options", "verified_cache_ttl", creds_verified_cache_ttl},
    {"credentials.etcd_options", "root_path", creds_root_path},
    {"credentials.etcd_options", "meta_sub_path", creds_meta_sub_path},
    {"credentials.etcd_options", "etcd_user", creds_etcd_user},
    {"credentials.etcd_options", "etcd_password", creds_etcd_password},
    {"credentials.etcd_options", "etcd_ca", creds_etcd_ca},
    {"credentials.etcd_options", "etcd_cert", creds_etcd_cert},
    {"credentials.etcd_options", "etcd_key", creds_etcd_key},
    {"credentials.functions", "milvus_authorization", creds_milvus_authorization},
};
#define N_ENTRIES (sizeof ENTRIES / sizeof ENTRIES[0])

/* The array at a dotted path ("acl.methods"). */
static const json *section(const char *path) {
  char first[64];
  const char *dot = strchr(path, '.');
  if (!dot) return json_get(vocab, path);
  snprintf(first, sizeof first, "%.*s", (int)(dot - path), path);
  return json_get(json_get(vocab, first), dot + 1);
}

int main(int argc, char **argv) {
  json *doc = json_parse_file(argc > 1 ? argv[1] : "tests/fixtures/vocabulary.json");
  CHECK(doc != NULL);
  if (!doc) return DONE();
  vocab = doc;
  defaults = json_get(doc, "defaults");
  CHECK(mkdtemp(tmpdir) != NULL);

  /* Every vocabulary entry runs its C implementation... */
  size_t listed = 0;
  const char *paths[] = {"acl.constructors", "acl.methods", "acl.settings", "acl.store_options", "server.options",
                         "server.methods", "server.properties", "server.tls_options", "server.tls_properties", "user_info", "log_entry", "denial",
                         "credentials.stores", "credentials.methods", "credentials.options",
                         "credentials.etcd_options", "credentials.functions"};
  for (size_t s = 0; s < sizeof paths / sizeof paths[0]; s++) {
    const json *names = section(paths[s]);
    CHECK(names != NULL && names->type == J_ARRAY && names->n > 0);
    for (size_t i = 0; names && i < names->n; i++) {
      const json *name = json_at(names, i);
      size_t e = 0;
      while (e < N_ENTRIES &&
             !(strcmp(ENTRIES[e].section, paths[s]) == 0 && json_is(name, ENTRIES[e].name, strlen(ENTRIES[e].name))))
        e++;
      CHECK(e < N_ENTRIES);
      if (e == N_ENTRIES) {
        fprintf(stderr, "vocabulary %s.%s has no C implementation in test_parity.c\n", paths[s], name->str);
        continue;
      }
      int failed_before = checks_failed;
      ENTRIES[e].run();
      if (checks_failed != failed_before) fprintf(stderr, "  in %s.%s\n", paths[s], name->str);
      listed++;
    }
  }
  /* ...and nothing here is missing from the vocabulary. */
  CHECK(listed == N_ENTRIES);
  check_error_codes();

  ag_creds_free(creds);
  ag_user_info_free(info);
  ag_acl_free(info_acl);
  ag_log_entries_free(log_entries);
  ag_denial_free(a_denial);
  ag_acl_free(log_acl);
  rmdir(tmpdir);
  json_free(doc);
  printf("%zu vocabulary entries, %zu error codes\n", listed, N_CODES);
  return DONE();
}
