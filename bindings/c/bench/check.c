/* Per-call cost of the C permission checks: ag_acl_check (a denial sets the thread's last
 * error: code, message and denial fields), and the non-throwing ag_acl_allowed and
 * ag_acl_denial, each for an allowed and a denied command line. Not a test.
 *
 *   bench_check            interleaved rounds of every case; CPU time of this thread per call
 *                          (CLOCK_THREAD_CPUTIME_ID, steady on a busy machine), median round
 *   bench_check CASE N     runs only CASE, N times (for instruction counts: run it under
 *                          valgrind --tool=callgrind with two N and divide the difference)
 *
 * Built and run by `make bench-c`. User `alice`: on nopass ~cache:* +get, plus 100 other users. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authgate.h"

#define S(lit) ((ag_slice){(lit), sizeof(lit) - 1})
#define ROUNDS 15
#define CALLS 200000

static ag_acl *acl;
static ag_slice allowed_argv[] = {S("GET"), S("cache:1")};
static ag_slice denied_argv[] = {S("GET"), S("other:1")};
static long sink;

static void check_allowed(void) { sink += ag_acl_check(acl, "alice", 5, allowed_argv, 2); }
static void check_denied(void) { sink += ag_acl_check(acl, "alice", 5, denied_argv, 2); }
static void allowed_allowed(void) {
  bool yes = false;
  ag_acl_allowed(acl, "alice", 5, allowed_argv, 2, &yes);
  sink += yes;
}
static void allowed_denied(void) {
  bool yes = true;
  ag_acl_allowed(acl, "alice", 5, denied_argv, 2, &yes);
  sink += yes;
}
static void denial_allowed(void) {
  ag_denial *d = NULL;
  ag_acl_denial(acl, "alice", 5, allowed_argv, 2, &d);
  sink += d == NULL;
}
static void denial_denied(void) {
  ag_denial *d = NULL;
  ag_acl_denial(acl, "alice", 5, denied_argv, 2, &d);
  const char *p;
  size_t n = 0;
  ag_denial_reason(d, &p, &n);
  sink += (long)n;
  ag_denial_free(d);
}

static const struct {
  const char *name;
  void (*run)(void);
} CASES[] = {
    {"check_allowed", check_allowed},   {"check_denied", check_denied},
    {"allowed_allowed", allowed_allowed}, {"allowed_denied", allowed_denied},
    {"denial_allowed", denial_allowed}, {"denial_denied", denial_denied},
};
#define N_CASES (sizeof CASES / sizeof CASES[0])

static double cpu_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (ag_acl_new(&acl) != AG_OK) return 1;
  ag_slice rules[] = {S("on"), S("nopass"), S("~cache:*"), S("+get")};
  ag_acl_setuser(acl, "alice", 5, rules, 4);
  for (int u = 0; u < 100; u++) {
    char name[16], key[24];
    snprintf(name, sizeof name, "user%d", u);
    snprintf(key, sizeof key, "~u%d:*", u);
    ag_slice r[] = {S("on"), S("nopass"), {key, strlen(key)}, S("+get")};
    ag_acl_setuser(acl, name, strlen(name), r, 4);
  }
  if (argc == 3) {
    long n = atol(argv[2]);
    for (size_t c = 0; c < N_CASES; c++) {
      if (strcmp(CASES[c].name, argv[1]) == 0) {
        for (long i = 0; i < n; i++) CASES[c].run();
        ag_acl_free(acl);
        return 0;
      }
    }
    fprintf(stderr, "unknown case %s\n", argv[1]);
    return 2;
  }
  double samples[N_CASES][ROUNDS];
  for (size_t c = 0; c < N_CASES; c++)
    for (int i = 0; i < CALLS / 10; i++) CASES[c].run();
  for (int r = 0; r < ROUNDS; r++) {
    for (size_t c = 0; c < N_CASES; c++) {
      double t0 = cpu_ns();
      for (int i = 0; i < CALLS; i++) CASES[c].run();
      samples[c][r] = (cpu_ns() - t0) / CALLS;
    }
  }
  printf("%d interleaved rounds of %d calls; CPU ns per call, median (min..max)\n", ROUNDS, CALLS);
  for (size_t c = 0; c < N_CASES; c++) {
    qsort(samples[c], ROUNDS, sizeof(double), by_value);
    printf("  %-16s %7.1f  (%.1f..%.1f)\n", CASES[c].name, samples[c][ROUNDS / 2], samples[c][0], samples[c][ROUNDS - 1]);
  }
  ag_acl_free(acl);
  return sink == 0;
}
