/* Helpers shared by the C tests: slices from literals, the last error, comparing lent bytes. */
#ifndef AUTHGATE_TEST_HELPERS_H
#define AUTHGATE_TEST_HELPERS_H
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "authgate.h"

/* An ag_slice of a string literal (binary-safe: embedded NULs count). */
#define S(lit) ((ag_slice){(lit), sizeof(lit) - 1})

static char last_error[4096];

/* The calling thread's last error message, NUL-terminated. */
static inline const char *err(void) {
  ag_last_error_message(last_error, sizeof last_error);
  return last_error;
}

/* True if the `n` bytes at `p` are exactly the string `want`. */
static inline int eq(const char *p, size_t n, const char *want) {
  return p != NULL && n == strlen(want) && memcmp(p, want, n) == 0;
}

/* True if the last error's code string is `want`. */
static inline int code_is(const char *want) { return strcmp(ag_last_error_code(), want) == 0; }

static inline int list_contains(const ag_list *l, const char *want) {
  for (size_t i = 0; i < ag_list_len(l); i++) {
    const char *p;
    size_t n;
    if (ag_list_get(l, i, &p, &n) == AG_OK && eq(p, n, want)) return 1;
  }
  return 0;
}

static char cli_out[8192];

/* Runs redis-cli with `args` against `port`; returns its output with trailing newlines cut. */
static inline const char *cli(uint16_t port, const char *args) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "redis-cli -p %u --no-auth-warning %s 2>&1", port, args);
  FILE *p = popen(cmd, "r");
  size_t n = p ? fread(cli_out, 1, sizeof cli_out - 1, p) : 0;
  if (p) pclose(p);
  while (n > 0 && (cli_out[n - 1] == '\n' || cli_out[n - 1] == '\r')) n--;
  cli_out[n] = 0;
  return cli_out;
}

#endif
