/* A tiny test harness for the C tests: CHECK records a result, DONE prints the summary line
 * "N passed, M failed" that CI reads, and returns the exit status. */
#ifndef AUTHGATE_TEST_CHECK_H
#define AUTHGATE_TEST_CHECK_H
#include <stdio.h>
#include <string.h>

static int checks_passed = 0;
static int checks_failed = 0;

#define CHECK(cond)                                                           \
  do {                                                                        \
    if (cond) {                                                               \
      checks_passed++;                                                        \
    } else {                                                                  \
      checks_failed++;                                                        \
      fprintf(stderr, "FAILED %s:%d: %s\n", __FILE__, __LINE__, #cond);       \
    }                                                                         \
  } while (0)

#define DONE()                                                                \
  (printf("%d passed, %d failed\n", checks_passed, checks_failed),            \
   checks_failed == 0 ? 0 : 1)

#endif
