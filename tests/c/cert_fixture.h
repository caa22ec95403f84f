/* The certificate fixture's files (tests/fixtures/cert_cases.json and the certs/ it names),
 * shared by test_cert.c and test_cert_map.c. */
#ifndef AUTHGATE_TEST_CERT_FIXTURE_H
#define AUTHGATE_TEST_CERT_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char fixture_dir[4096]; /* the directory of cert_cases.json, ending in '/' */

/* Remembers the directory of `cases_path`, which the fixture's file names are relative to. */
static void set_fixture_dir(const char *cases_path) {
  const char *slash = strrchr(cases_path, '/');
  snprintf(fixture_dir, sizeof fixture_dir, "%.*s", slash ? (int)(slash - cases_path + 1) : 0, cases_path);
}

/* Reads `dir/rel` whole; NULL if it cannot. The caller frees it. */
static char *read_file(const char *rel, size_t *n) {
  char path[8192];
  snprintf(path, sizeof path, "%s%s", fixture_dir, rel);
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    return NULL;
  }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *data = malloc((size_t)size + 1);
  *n = fread(data, 1, (size_t)size, f);
  fclose(f);
  return data;
}

#endif
