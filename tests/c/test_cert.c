/* Certificate identity through the C API: the shared fixture (tests/fixtures/cert_cases.json,
 * certificates made with openssl by tests/fixtures/cert_cases_gen.py, every expected subject,
 * common name, SAN and date read from openssl's output) as the Python, Node and Java tests run
 * it: ag_client_cert from PEM and DER, malformed inputs refused with AG_CERTIFICATE and core's
 * text, Redis Software subject policies (ag_subject_policy) passing or refusing each
 * certificate, policies refused when built; then argument errors and the vocabulary's "tls"
 * entries.
 * Usage: test_cert [path/to/cert_cases.json] [path/to/vocabulary.json] (default: run from the
 * repository root). */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdlib.h>

#include "authgate.h"
#include "cert_fixture.h"
#include "check.h"
#include "helpers.h"
#include "json.h"

/* A NUL-terminated literal as pointer + length. */
#define L(lit) (lit), sizeof(lit) - 1

/* Decodes standard base64 (the fixture's malformed inputs). The caller frees it. */
static char *base64_decode(const char *s, size_t len, size_t *n) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char *out = malloc(len / 4 * 3 + 3);
  unsigned acc = 0;
  int bits = 0;
  *n = 0;
  for (size_t i = 0; i < len && s[i] != '='; i++) {
    const char *at = strchr(alphabet, s[i]);
    if (!at || !s[i]) continue;
    acc = acc << 6 | (unsigned)(at - alphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[(*n)++] = (char)(acc >> bits & 0xff);
    }
  }
  return out;
}

/* True if the ag_list holds exactly the strings of the JSON array. */
static int list_is(const ag_list *l, const json *want) {
  if (!want || want->type != J_ARRAY || ag_list_len(l) != want->n) return 0;
  for (size_t i = 0; i < want->n; i++) {
    const char *p;
    size_t n;
    if (ag_list_get(l, i, &p, &n) != AG_OK || !json_is(json_at(want, i), p, n)) return 0;
  }
  return 1;
}

typedef ag_status (*list_getter)(const ag_client_cert *, ag_list **);

static int san_is(const ag_client_cert *cert, list_getter get, const json *want) {
  ag_list *l = NULL;
  int ok = get(cert, &l) == AG_OK && list_is(l, want);
  ag_list_free(l);
  return ok;
}

/* Every property of `cert` is what openssl read from the fixture's file. */
static void check_properties(const ag_client_cert *cert, const json *c) {
  const char *p;
  size_t n;
  bool present;
  const json *subject = json_get(c, "subject");
  CHECK(ag_client_cert_subject(cert, &p, &n) == AG_OK && json_is(subject, p, n));
  const json *cn = json_get(c, "common_name");
  CHECK(ag_client_cert_common_name(cert, &p, &n, &present) == AG_OK);
  if (cn && cn->type == J_STRING) {
    CHECK(present && json_is(cn, p, n));
  } else {
    CHECK(!present && p == NULL && n == 0);
  }
  CHECK(san_is(cert, ag_client_cert_san_emails, json_get(c, "san_emails")));
  CHECK(san_is(cert, ag_client_cert_san_dns, json_get(c, "san_dns")));
  CHECK(san_is(cert, ag_client_cert_san_uris, json_get(c, "san_uris")));
  CHECK(san_is(cert, ag_client_cert_san_ips, json_get(c, "san_ips")));
  int64_t t = 0;
  CHECK(ag_client_cert_not_before(cert, &t) == AG_OK && t == (int64_t)json_get(c, "not_before")->number);
  CHECK(ag_client_cert_not_after(cert, &t) == AG_OK && t == (int64_t)json_get(c, "not_after")->number);
}

#define MAX_CERTS 32
static const char *cert_names[MAX_CERTS];
static ag_client_cert *certs[MAX_CERTS];
static size_t n_certs;

static const ag_client_cert *cert_named(const char *name) {
  for (size_t i = 0; i < n_certs; i++)
    if (!strcmp(cert_names[i], name)) return certs[i];
  return NULL;
}

static void test_certificates(const json *list) {
  CHECK(list && list->n > 0 && list->n <= MAX_CERTS);
  for (size_t i = 0; list && i < list->n && i < MAX_CERTS; i++) {
    const json *c = json_at(list, i);
    size_t pem_n = 0, der_n = 0;
    char *pem = read_file(json_get(c, "pem")->str, &pem_n);
    char *der = read_file(json_get(c, "der")->str, &der_n);
    CHECK(pem && der);
    ag_client_cert *from_pem = NULL, *from_der = NULL;
    CHECK(ag_client_cert_from_pem(pem, pem_n, &from_pem) == AG_OK);
    CHECK(ag_client_cert_from_der(der, der_n, &from_der) == AG_OK);
    int failed_before = checks_failed;
    if (from_pem) check_properties(from_pem, c);
    if (from_der) check_properties(from_der, c);
    if (checks_failed != failed_before) fprintf(stderr, "  in certificate %s\n", json_get(c, "name")->str);
    cert_names[n_certs] = json_get(c, "name")->str;
    certs[n_certs++] = from_pem;
    ag_client_cert_free(from_der);
    free(pem);
    free(der);
  }
}

/* The last error is AG_CERTIFICATE's: code CERTIFICATE, and the message `message` exactly or
 * starting with `message_prefix`. */
static int certificate_error(ag_status st, const json *c) {
  const json *exact = json_get(c, "message"), *prefix = json_get(c, "message_prefix");
  const char *msg = err();
  int text_ok = exact ? strcmp(msg, exact->str) == 0 : strncmp(msg, prefix->str, prefix->len) == 0;
  if (!text_ok) fprintf(stderr, "  got message: %s\n", msg);
  return st == AG_CERTIFICATE && code_is("CERTIFICATE") && text_ok;
}

static void test_malformed(const json *list) {
  CHECK(list && list->n > 0);
  for (size_t i = 0; list && i < list->n; i++) {
    const json *c = json_at(list, i);
    size_t n = 0;
    char *input;
    const json *repeat = json_get(c, "repeat");
    if (repeat) {
      n = (size_t)json_get(c, "times")->number;
      input = malloc(n);
      memset(input, repeat->str[0], n);
    } else {
      const json *b64 = json_get(c, "base64");
      input = base64_decode(b64->str, b64->len, &n);
    }
    int failed_before = checks_failed;
    ag_client_cert *cert = (ag_client_cert *)1; /* must stay untouched on failure */
    ag_status st = json_is(json_get(c, "via"), L("from_pem")) ? ag_client_cert_from_pem(input, n, &cert)
                                                                : ag_client_cert_from_der(input, n, &cert);
    CHECK(certificate_error(st, c));
    CHECK(cert == (ag_client_cert *)1);
    if (checks_failed != failed_before) fprintf(stderr, "  in malformed %s\n", json_get(c, "name")->str);
    free(input);
  }
}

/* A policy from a fixture entry (its validation and authorized subjects). */
static ag_status make_policy(const json *p, ag_subject_policy **out) {
  const json *v = json_get(p, "validation"), *subjects = json_get(p, "authorized_subjects");
  ag_slice items[16];
  size_t n = subjects->n < 16 ? subjects->n : 16;
  for (size_t i = 0; i < n; i++) items[i] = (ag_slice){json_at(subjects, i)->str, json_at(subjects, i)->len};
  return ag_subject_policy_new(v->str, v->len, items, n, out);
}

static void test_policies(const json *list) {
  CHECK(list && list->n > 0);
  for (size_t i = 0; list && i < list->n; i++) {
    const json *p = json_at(list, i);
    ag_subject_policy *policy = NULL;
    CHECK(make_policy(p, &policy) == AG_OK);
    const char *v;
    size_t vn;
    CHECK(ag_subject_policy_validation(policy, &v, &vn) == AG_OK && json_is(json_get(p, "validation"), v, vn));
    const json *cases = json_get(p, "cases");
    for (size_t k = 0; cases && k < cases->n; k++) {
      const ag_client_cert *cert = cert_named(cases->keys[k]);
      CHECK(cert != NULL);
      ag_status st = ag_subject_policy_check(policy, cert);
      const json *want = cases->items[k];
      if (want->type == J_NULL) {
        CHECK(st == AG_OK);
      } else {
        CHECK(st == AG_CERTIFICATE && code_is("CERTIFICATE") && strcmp(err(), want->str) == 0);
      }
    }
    ag_subject_policy_free(policy);
  }
}

static void test_invalid_policies(const json *list) {
  CHECK(list && list->n > 0);
  for (size_t i = 0; list && i < list->n; i++) {
    const json *p = json_at(list, i);
    ag_subject_policy *policy = (ag_subject_policy *)1;
    CHECK(certificate_error(make_policy(p, &policy), p));
    CHECK(policy == (ag_subject_policy *)1);
  }
}

/* What the fixture does not reach: core's default validation, NULL arguments, non-UTF-8. */
static void test_arguments(const json *vocab_tls) {
  ag_subject_policy *policy = NULL;
  CHECK(ag_subject_policy_new(NULL, 0, NULL, 0, &policy) == AG_OK);
  const char *v;
  size_t vn;
  const json *def = json_get(json_get(vocab_tls, "defaults"), "validation");
  CHECK(ag_subject_policy_validation(policy, &v, &vn) == AG_OK && json_is(def, v, vn));
  CHECK(ag_subject_policy_check(policy, cert_named("nosubj")) == AG_OK);
  CHECK(ag_subject_policy_check(policy, NULL) == AG_NULL_PARAMETER && code_is("INVALID_ARGUMENT"));
  CHECK(ag_subject_policy_check(NULL, cert_named("nosubj")) == AG_NULL_PARAMETER);
  ag_subject_policy_free(policy);
  ag_subject_policy_free(NULL);

  ag_slice bad = {"CN=\xff", 4};
  policy = (ag_subject_policy *)1;
  CHECK(ag_subject_policy_new(L("san_cn"), &bad, 1, &policy) == AG_INVALID_PARAMETER && policy == (ag_subject_policy *)1);
  CHECK(ag_subject_policy_new(L("san_cn"), NULL, 1, &policy) == AG_NULL_PARAMETER);
  CHECK(ag_subject_policy_new(L("san_cn"), NULL, 0, NULL) == AG_NULL_PARAMETER);

  ag_client_cert *cert = (ag_client_cert *)1;
  CHECK(ag_client_cert_from_pem(NULL, 5, &cert) == AG_NULL_PARAMETER && cert == (ag_client_cert *)1);
  CHECK(ag_client_cert_from_der(L("x"), NULL) == AG_NULL_PARAMETER);
  const char *p;
  size_t n;
  bool present;
  CHECK(ag_client_cert_subject(NULL, &p, &n) == AG_NULL_PARAMETER);
  CHECK(ag_client_cert_subject(cert_named("ca"), NULL, &n) == AG_NULL_PARAMETER);
  CHECK(ag_client_cert_common_name(cert_named("ca"), &p, &n, NULL) == AG_NULL_PARAMETER);
  CHECK(ag_client_cert_common_name(NULL, &p, &n, &present) == AG_NULL_PARAMETER);
  CHECK(ag_client_cert_san_dns(cert_named("ca"), NULL) == AG_NULL_PARAMETER);
  int64_t t;
  CHECK(ag_client_cert_not_after(NULL, &t) == AG_NULL_PARAMETER);
  ag_client_cert_free(NULL);
}

/* ---- the vocabulary's "tls" entries ---------------------------------------------------- */

static void v_from_pem(void) { CHECK(cert_named("multi_ou") != NULL); }
static void v_from_der(void) {
  size_t n;
  char *der = read_file("certs/multi_ou.der", &n);
  ag_client_cert *c = NULL;
  CHECK(der && ag_client_cert_from_der(der, n, &c) == AG_OK);
  ag_client_cert_free(c);
  free(der);
}
static void v_subject(void) {
  const char *p;
  size_t n;
  CHECK(ag_client_cert_subject(cert_named("cnlast"), &p, &n) == AG_OK && eq(p, n, "CN=abc,O=Acme Corp,C=US"));
}
static void v_common_name(void) {
  const char *p;
  size_t n;
  bool present;
  CHECK(ag_client_cert_common_name(cert_named("cnfirst"), &p, &n, &present) == AG_OK && present && eq(p, n, "abc"));
}
static int one_item(list_getter get, const char *cert, const char *want) {
  ag_list *l = NULL;
  int ok = get(cert_named(cert), &l) == AG_OK && list_contains(l, want);
  ag_list_free(l);
  return ok;
}
static void v_san_emails(void) { CHECK(one_item(ag_client_cert_san_emails, "multi_ou", "alice@example.com")); }
static void v_san_dns(void) { CHECK(one_item(ag_client_cert_san_dns, "multi_ou", "*.apps.example.com")); }
static void v_san_uris(void) { CHECK(one_item(ag_client_cert_san_uris, "nosubj", "spiffe://example.org/workload/api")); }
static void v_san_ips(void) { CHECK(one_item(ag_client_cert_san_ips, "ips", "::1")); }
static void v_not_before(void) {
  int64_t a = 0, b = 0;
  CHECK(ag_client_cert_not_before(cert_named("expired"), &a) == AG_OK);
  CHECK(ag_client_cert_not_after(cert_named("expired"), &b) == AG_OK && a < b);
}
static void v_not_after(void) {
  int64_t t = 0;
  CHECK(ag_client_cert_not_after(cert_named("expired"), &t) == AG_OK && t == 1609459200);
}
static void v_policy_new(void) {
  ag_slice s[] = {S("CN=alice")};
  ag_subject_policy *p = NULL;
  CHECK(ag_subject_policy_new(L("san_cn"), s, 1, &p) == AG_OK);
  ag_subject_policy_free(p);
}
static void v_policy_check(void) {
  ag_slice s[] = {S("CN=alice")};
  ag_subject_policy *p = NULL;
  CHECK(ag_subject_policy_new(L("full_subject"), s, 1, &p) == AG_OK);
  CHECK(ag_subject_policy_check(p, cert_named("multi_ou")) == AG_OK);
  CHECK(ag_subject_policy_check(p, cert_named("cnlast")) == AG_CERTIFICATE);
  ag_subject_policy_free(p);
}
static void v_policy_param_validation(void) { v_policy_new(); }
static void v_policy_param_subjects(void) { v_policy_check(); }
static void v_policy_validation(void) {
  ag_subject_policy *p = NULL;
  const char *v;
  size_t n;
  CHECK(ag_subject_policy_new(L("full_subject"), NULL, 0, &p) == AG_OK);
  CHECK(ag_subject_policy_validation(p, &v, &n) == AG_OK && eq(v, n, "full_subject"));
  ag_subject_policy_free(p);
}
static void v_validation_value(const char *name) {
  ag_subject_policy *p = NULL;
  const char *v;
  size_t n;
  CHECK(ag_subject_policy_new(name, strlen(name), NULL, 0, &p) == AG_OK);
  CHECK(ag_subject_policy_validation(p, &v, &n) == AG_OK && eq(v, n, name));
  ag_subject_policy_free(p);
}
static void v_disabled(void) { v_validation_value("disabled"); }
static void v_san_cn(void) { v_validation_value("san_cn"); }
static void v_full_subject(void) { v_validation_value("full_subject"); }

static const struct entry {
  const char *section;
  const char *name;
  void (*run)(void);
} ENTRIES[] = {
    {"client_cert.constructors", "from_pem", v_from_pem},
    {"client_cert.constructors", "from_der", v_from_der},
    {"client_cert.properties", "subject", v_subject},
    {"client_cert.properties", "common_name", v_common_name},
    {"client_cert.properties", "san_emails", v_san_emails},
    {"client_cert.properties", "san_dns", v_san_dns},
    {"client_cert.properties", "san_uris", v_san_uris},
    {"client_cert.properties", "san_ips", v_san_ips},
    {"client_cert.properties", "not_before", v_not_before},
    {"client_cert.properties", "not_after", v_not_after},
    {"subject_policy.constructors", "new", v_policy_new},
    {"subject_policy.parameters", "validation", v_policy_param_validation},
    {"subject_policy.parameters", "authorized_subjects", v_policy_param_subjects},
    {"subject_policy.methods", "check", v_policy_check},
    {"subject_policy.properties", "validation", v_policy_validation},
    {"subject_policy.validations", "disabled", v_disabled},
    {"subject_policy.validations", "san_cn", v_san_cn},
    {"subject_policy.validations", "full_subject", v_full_subject},
};
#define N_ENTRIES (sizeof ENTRIES / sizeof ENTRIES[0])

static void test_vocabulary(const json *tls) {
  const char *paths[] = {"client_cert.constructors",    "client_cert.properties",     "subject_policy.constructors",
                         "subject_policy.parameters",   "subject_policy.methods",     "subject_policy.properties",
                         "subject_policy.validations"};
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
        fprintf(stderr, "vocabulary tls.%s.%s has no C implementation in test_cert.c\n", paths[s], name->str);
        continue;
      }
      ENTRIES[e].run();
      listed++;
    }
  }
  CHECK(listed == N_ENTRIES);
  CHECK(json_is(json_get(json_get(tls, "error"), "code"), L("CERTIFICATE")));
}

int main(int argc, char **argv) {
  const char *cases_path = argc > 1 ? argv[1] : "tests/fixtures/cert_cases.json";
  set_fixture_dir(cases_path);
  json *cases = json_parse_file(cases_path);
  json *vocab = json_parse_file(argc > 2 ? argv[2] : "tests/fixtures/vocabulary.json");
  CHECK(cases != NULL && vocab != NULL);
  if (!cases || !vocab) return DONE();
  const json *tls = json_get(vocab, "tls");

  test_certificates(json_get(cases, "certificates"));
  test_malformed(json_get(cases, "malformed"));
  test_policies(json_get(cases, "policies"));
  test_invalid_policies(json_get(cases, "invalid_policies"));
  test_arguments(tls);
  test_vocabulary(tls);

  for (size_t i = 0; i < n_certs; i++) ag_client_cert_free(certs[i]);
  json_free(cases);
  json_free(vocab);
  return DONE();
}
