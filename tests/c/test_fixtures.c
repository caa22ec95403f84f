/* The shared cross-language fixtures (tests/fixtures/acl_cases.json, recorded from
 * redis-server 7.0.15) run through the C API, as the Rust, Python, Node and Java tests run
 * them. ACL LIST lines and GETUSER command strings list single-command rules (+cmd / -cmd)
 * in Redis' hash-table order, so those tokens are compared as a set per selector.
 * Usage: test_fixtures [path/to/acl_cases.json] (default: run from the repository root). */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>

#include "authgate.h"
#include "check.h"
#include "helpers.h"
#include "json.h"

static int by_string(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Per selector (split at " ("), the single-command tokens sorted after the others; selectors
 * joined by " | ". Returns a malloc'd string. */
static char *canonical(const char *p, size_t n) {
  char *text = malloc(n + 1), *out = malloc(2 * n + 16);
  memcpy(text, p, n);
  text[n] = 0;
  out[0] = 0;
  char *seg = text;
  int first_seg = 1;
  while (seg) {
    char *next = strstr(seg, " (");
    if (next) {
      *next = 0;
      next += 2;
    }
    size_t sl = strlen(seg);
    while (sl > 0 && seg[sl - 1] == ')') seg[--sl] = 0;
    char **fixed = malloc((sl + 1) * sizeof *fixed), **singles = malloc((sl + 1) * sizeof *singles);
    size_t nf = 0, ns = 0;
    for (char *tok = seg;;) {
      char *sp = strchr(tok, ' ');
      if (sp) *sp = 0;
      if ((tok[0] == '+' || tok[0] == '-') && tok[1] != '@') singles[ns++] = tok;
      else fixed[nf++] = tok;
      if (!sp) break;
      tok = sp + 1;
    }
    qsort(singles, ns, sizeof *singles, by_string);
    if (!first_seg) strcat(out, " | ");
    first_seg = 0;
    for (size_t i = 0; i < nf + ns; i++) {
      if (i) strcat(out, " ");
      strcat(out, i < nf ? fixed[i] : singles[i - nf]);
    }
    free(fixed);
    free(singles);
    seg = next;
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

/* Runs one step; true if the C API gives Redis' answer. */
static int step_ok(ag_acl *acl, const char *op, const json *args, const json *expect) {
  const json *a0 = json_at(args, 0), *a1 = json_at(args, 1);
  if (!strcmp(op, "setuser") || !strcmp(op, "check")) {
    ag_slice *s = slices(a1);
    ag_status st = !strcmp(op, "setuser") ? ag_acl_setuser(acl, a0->str, a0->len, s, a1->n)
                                          : ag_acl_check(acl, a0->str, a0->len, s, a1->n);
    free(s);
    return st == AG_OK ? json_is(expect, "OK", 2) : failed_as(st, expect);
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

int main(int argc, char **argv) {
  json *doc = json_parse_file(argc > 1 ? argv[1] : "tests/fixtures/acl_cases.json");
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
