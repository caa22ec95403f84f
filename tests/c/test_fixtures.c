/* The shared cross-language fixtures (tests/fixtures/acl_cases.json, recorded from
 * redis-server 7.0.15) run through the C API, as the Rust, Python, Node and Java tests run
 * them. ACL LIST lines and GETUSER command strings compare through canonical(), the rule written
 * in acl_cases.json's "about" and implemented identically by every language's fixture test.
 * Usage: test_fixtures [path/to/acl_cases.json] (default: run from the repository root; the
 * comparison pairs, canonical_cases.json, are read from the same directory). */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>

#include "authgate.h"
#include "check.h"
#include "helpers.h"
#include "json.h"

static int by_string(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* A +... / -... rule: a category (+@x) or a single. */
static int is_command_token(const char *t) { return t[0] == '+' || t[0] == '-'; }

/* True if `s` starts with `prefix` followed by '|', ASCII case-insensitively. */
static int starts_with_sub_of(const char *s, const char *prefix) {
  size_t n = strlen(prefix);
  for (size_t i = 0; i < n; i++) {
    unsigned char a = (unsigned char)s[i], b = (unsigned char)prefix[i];
    if (a == 0) return 0;
    if (a >= 'A' && a <= 'Z') a += 'a' - 'A';
    if (b >= 'A' && b <= 'Z') b += 'a' - 'A';
    if (a != b) return 0;
  }
  return s[n] == '|';
}

/* One selector's tokens (`seg`, NUL-terminated, split in place) appended to `out` in order with
 * its singles sorted; 0 if the selector is not in Redis' shape. */
static int canonical_selector(char *seg, char *out) {
  size_t cap = strlen(seg) + 1, nt = 0, nf = 0, ns = 0;
  char **tok = malloc(cap * sizeof *tok), **fixed = malloc(cap * sizeof *fixed);
  char **singles = malloc(cap * sizeof *singles);
  for (char *t = seg;;) {
    char *sp = strchr(t, ' ');
    if (sp) *sp = 0;
    /* A first argument containing a space (`+select|a b`) continues its token: put the space
     * back (the tokens are adjacent in `seg`). */
    if (nt && is_command_token(tok[nt - 1]) && (t[0] == 0 || !strchr("~%&+-(", t[0]))) t[-1] = ' ';
    else tok[nt++] = t;
    if (!sp) break;
    t = sp + 1;
  }
  int ok = 1, seen_command = 0;
  for (size_t i = 0; ok && i < nt; i++) {
    char *t = tok[i];
    if (!is_command_token(t)) {
      ok = !seen_command;
      fixed[nf++] = t;
      continue;
    }
    seen_command = 1;
    if (t[1] == '@') {
      ok = ns == 0;
      fixed[nf++] = t;
      continue;
    }
    for (size_t j = 0; ok && !strchr(t + 1, '|') && j < ns; j++) ok = !starts_with_sub_of(singles[j] + 1, t + 1);
    singles[ns++] = t;
  }
  if (ok) {
    qsort(singles, ns, sizeof *singles, by_string);
    for (size_t i = 0; i < nf + ns; i++) {
      if (i) strcat(out, " ");
      strcat(out, i < nf ? fixed[i] : singles[i - nf]);
    }
  }
  free(tok);
  free(fixed);
  free(singles);
  return ok;
}

/* The comparison form of an ACL LIST line or a GETUSER `commands` string (malloc'd): exact,
 * except that a selector's single-command tokens (+cmd, -cmd, +cmd|sub, +cmd|firstarg) after its
 * category tokens are sorted, because Redis emits them in a per-process hash order
 * (tests/differential/normalize.py norm_command_tokens, tests/differential/README.md). A string
 * not in the shape Redis produces (a single before a category, ...) becomes "!" + the string
 * itself, which equals no in-shape form, so "+get -@all" never equals "-@all +get". */
static char *canonical(const char *p, size_t n) {
  char *text = malloc(n + 1), *out = malloc(2 * n + 16);
  memcpy(text, p, n);
  text[n] = 0;
  out[0] = 0;
  int ok = 1;
  for (char *seg = text, *next; ok && seg; seg = next) {
    next = strstr(seg, " (");
    if (next) {
      *next = 0;
      next += 2;
    }
    size_t sl = strlen(seg);
    if (seg != text && sl > 0 && seg[sl - 1] == ')') seg[sl - 1] = 0;
    if (seg != text) strcat(out, " | ");
    ok = canonical_selector(seg, out);
  }
  if (!ok) {
    out[0] = '!';
    memcpy(out + 1, p, n);
    out[n + 1] = 0;
  }
  free(text);
  return out;
}

/* Lent bytes against an expected string, canonically or exactly. */
static int same(const char *p, size_t n, const json *want, int canon) {
  if (!want || want->type != J_STRING) return 0;
  if (!canon) return json_is(want, p, n);
  char *a = canonical(p, n), *b = canonical(want->str, want->len);
  int ok = strcmp(a, b) == 0;
  free(a);
  free(b);
  return ok;
}

/* The argv array of a step as slices (caller frees). */
static ag_slice *slices(const json *arr) {
  ag_slice *s = malloc((arr->n + 1) * sizeof *s);
  for (size_t i = 0; i < arr->n; i++) s[i] = (ag_slice){arr->items[i]->str, arr->items[i]->len};
  return s;
}

/* A failed call: the expectation must be Redis' error text. */
static int failed_as(ag_status st, const json *expect) {
  return st != AG_OK && expect->type == J_STRING && strcmp(err(), expect->str) == 0;
}

/* An ag_list against an expected array (in order, or sorted when `sorted`, canonically). */
static int list_is(ag_list *l, const json *expect, int sorted, int canon) {
  int ok = expect->type == J_ARRAY && ag_list_len(l) == expect->n;
  size_t n = ok ? expect->n : 0;
  char **got = calloc(n + 1, sizeof *got), **want = calloc(n + 1, sizeof *want);
  for (size_t i = 0; i < n; i++) {
    const char *p;
    size_t len;
    ag_list_get(l, i, &p, &len);
    got[i] = canon ? canonical(p, len) : strndup(p, len);
    want[i] = canon ? canonical(expect->items[i]->str, expect->items[i]->len) : strdup(expect->items[i]->str);
  }
  if (sorted) {
    qsort(got, n, sizeof *got, by_string);
    qsort(want, n, sizeof *want, by_string);
  }
  for (size_t i = 0; i < n; i++) {
    ok = ok && strcmp(got[i], want[i]) == 0;
    free(got[i]);
    free(want[i]);
  }
  free(got);
  free(want);
  ag_list_free(l);
  return ok;
}

/* GETUSER's record against Redis' reply (null: no such user). */
static int getuser_is(ag_acl *acl, const json *name, const json *expect) {
  ag_user_info *info = NULL;
  ag_status st = ag_acl_getuser(acl, name->str, name->len, &info);
  if (expect->type == J_NULL) return st == AG_NOT_FOUND && info == NULL;
  if (st != AG_OK) return 0;
  const char *p;
  size_t n;
  const json *flags = json_get(expect, "flags"), *pw = json_get(expect, "passwords");
  const json *sels = json_get(expect, "selectors");
  int ok = ag_user_info_flags_len(info) == flags->n && ag_user_info_passwords_len(info) == pw->n;
  for (size_t i = 0; ok && i < flags->n; i++)
    ok = ag_user_info_flag(info, i, &p, &n) == AG_OK && json_is(flags->items[i], p, n);
  for (size_t i = 0; ok && i < pw->n; i++)
    ok = ag_user_info_password(info, i, &p, &n) == AG_OK && json_is(pw->items[i], p, n);
  ok = ok && ag_user_info_commands(info, &p, &n) == AG_OK && same(p, n, json_get(expect, "commands"), 1);
  ok = ok && ag_user_info_keys(info, &p, &n) == AG_OK && same(p, n, json_get(expect, "keys"), 0);
  ok = ok && ag_user_info_channels(info, &p, &n) == AG_OK && same(p, n, json_get(expect, "channels"), 0);
  ok = ok && ag_user_info_selectors_len(info) == sels->n;
  for (size_t i = 0; ok && i < sels->n; i++) {
    const ag_selector *s = NULL;
    const json *want = sels->items[i];
    ok = ag_user_info_selector(info, i, &s) == AG_OK;
    ok = ok && ag_selector_commands(s, &p, &n) == AG_OK && same(p, n, json_get(want, "commands"), 1);
    ok = ok && ag_selector_keys(s, &p, &n) == AG_OK && same(p, n, json_get(want, "keys"), 0);
    ok = ok && ag_selector_channels(s, &p, &n) == AG_OK && same(p, n, json_get(want, "channels"), 0);
  }
  ag_user_info_free(info);
  return ok;
}

/* A check step through the non-throwing forms: ag_acl_allowed says yes exactly when Redis ran
 * the command, ag_acl_denial's message is Redis' NOPERM reply, and what is no permission
 * answer (ERR ...) fails both with Redis' text. */
static int nonthrowing_ok(ag_acl *acl, const json *user, const ag_slice *argv, size_t argc, const json *expect) {
  bool allowed = false;
  ag_status st = ag_acl_allowed(acl, user->str, user->len, argv, argc, &allowed);
  int noperm = expect->type == J_STRING && strncmp(expect->str, "NOPERM ", 7) == 0;
  int ran = json_is(expect, "OK", 2);
  if (!(ran || noperm)) {
    ag_denial *d = NULL;
    return failed_as(st, expect) && failed_as(ag_acl_denial(acl, user->str, user->len, argv, argc, &d), expect) && d == NULL;
  }
  if (st != AG_OK || allowed != ran) return 0;
  ag_denial *d = (ag_denial *)1;
  if (ag_acl_denial(acl, user->str, user->len, argv, argc, &d) != AG_OK) return 0;
  if (ran) return d == NULL;
  const char *p;
  size_t n;
  int ok = d != NULL && ag_denial_message(d, &p, &n) == AG_OK && json_is(expect, p, n);
  ag_denial_free(d);
  return ok;
}

/* Runs one step; true if the C API gives Redis' answer. */
static int step_ok(ag_acl *acl, const char *op, const json *args, const json *expect) {
  const json *a0 = json_at(args, 0), *a1 = json_at(args, 1);
  if (!strcmp(op, "setuser") || !strcmp(op, "check")) {
    ag_slice *s = slices(a1);
    ag_status st = !strcmp(op, "setuser") ? ag_acl_setuser(acl, a0->str, a0->len, s, a1->n)
                                          : ag_acl_check(acl, a0->str, a0->len, s, a1->n);
    int ok = st == AG_OK ? json_is(expect, "OK", 2) : failed_as(st, expect);
    if (ok && !strcmp(op, "check")) ok = nonthrowing_ok(acl, a0, s, a1->n, expect);
    free(s);
    return ok;
  }
  if (!strcmp(op, "auth")) {
    bool ok = !expect->boolean;
    return ag_acl_authenticate(acl, a0->str, a0->len, a1->str, a1->len, &ok) == AG_OK && ok == expect->boolean;
  }
  if (!strcmp(op, "dryrun")) {
    ag_slice *s = slices(a1);
    char *out = NULL;
    size_t n = 0;
    bool allowed = false;
    ag_status st = ag_acl_dryrun(acl, a0->str, a0->len, s, a1->n, &out, &n, &allowed);
    free(s);
    int ok = st == AG_OK ? json_is(expect, out, n) && allowed == json_is(expect, "OK", 2) : failed_as(st, expect);
    ag_string_free(out);
    return ok;
  }
  if (!strcmp(op, "deluser")) {
    ag_slice *s = slices(args);
    size_t n = 0;
    ag_status st = ag_acl_deluser(acl, s, args->n, &n);
    free(s);
    return st == AG_OK ? expect->type == J_NUMBER && (double)n == expect->number : failed_as(st, expect);
  }
  if (!strcmp(op, "getuser")) return getuser_is(acl, args, expect);
  ag_list *l = NULL;
  if (!strcmp(op, "users")) return ag_acl_users(acl, &l) == AG_OK && list_is(l, expect, 0, 0);
  if (!strcmp(op, "list")) return ag_acl_list(acl, &l) == AG_OK && list_is(l, expect, 0, 1);
  if (!strcmp(op, "cat")) {
    int any = args->type == J_NULL;
    ag_status st = ag_acl_cat(acl, any ? NULL : args->str, any ? 0 : args->len, &l);
    return st == AG_OK ? list_is(l, expect, !any, 0) : failed_as(st, expect);
  }
  fprintf(stderr, "unknown fixture op %s\n", op);
  return 0;
}

/* The comparison rule itself, on the pairs every language's fixture test runs
 * (canonical_cases.json, next to acl_cases.json): a wrong rule would let a wrong description
 * pass. */
static void check_pairs(const char *cases_path) {
  const char *slash = strrchr(cases_path, '/');
  size_t dir = slash ? (size_t)(slash - cases_path + 1) : 0;
  char path[4096];
  snprintf(path, sizeof path, "%.*scanonical_cases.json", (int)dir, cases_path);
  json *doc = json_parse_file(path);
  CHECK(doc != NULL);
  const json *pairs = doc ? json_get(doc, "pairs") : NULL;
  for (size_t i = 0; pairs && i < pairs->n; i++) {
    const json *a = json_get(pairs->items[i], "a"), *b = json_get(pairs->items[i], "b");
    char *ca = canonical(a->str, a->len), *cb = canonical(b->str, b->len);
    int ok = (strcmp(ca, cb) == 0) == json_get(pairs->items[i], "equal")->boolean;
    CHECK(ok);
    if (!ok) fprintf(stderr, "  pair '%s' vs '%s': %s\n", a->str, b->str, json_get(pairs->items[i], "why")->str);
    free(ca);
    free(cb);
  }
  CHECK(pairs && pairs->n >= 20); /* the pairs did not go missing */
  json_free(doc);
}

int main(int argc, char **argv) {
  const char *cases_path = argc > 1 ? argv[1] : "tests/fixtures/acl_cases.json";
  check_pairs(cases_path);
  json *doc = json_parse_file(cases_path);
  CHECK(doc != NULL);
  const json *cases = json_get(doc, "cases");
  size_t steps = 0;
  for (size_t c = 0; cases && c < cases->n; c++) {
    const json *kase = cases->items[c], *list = json_get(kase, "steps");
    ag_acl *acl = NULL;
    CHECK(ag_acl_new(&acl) == AG_OK);
    for (size_t i = 0; i < list->n; i++, steps++) {
      const json *st = list->items[i], *op = json_get(st, "op");
      int ok = step_ok(acl, op->str, json_get(st, "args"), json_get(st, "expect"));
      CHECK(ok);
      if (!ok) fprintf(stderr, "  case '%s', step %zu (%s)\n", json_get(kase, "name")->str, i, op->str);
    }
    ag_acl_free(acl);
  }
  CHECK(steps >= 80); /* the fixtures did not go missing */
  printf("%zu cases, %zu steps\n", cases ? cases->n : 0, steps);
  json_free(doc);
  return DONE();
}
