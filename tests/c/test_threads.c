/* One ag_acl shared by 8 checking threads while another thread keeps redefining the user;
 * each thread's last error stays its own. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "authgate.h"
#include "check.h"
#include "helpers.h"
#define CHECKERS 8
static int ROUNDS = 20000;

static ag_acl *acl;
static long wrong_counts[CHECKERS];
static atomic_int stop;
static atomic_int bad_status;

/* The writer flips "worker" between two rule sets; readers must only ever see one of them:
 * GET a:1 is always allowed, SET b:1 is allowed only by set B, DEL is never allowed. */
static void *writer(void *arg) {
  (void)arg;
  ag_slice a[] = {S("reset"), S("on"), S("nopass"), S("+get"), S("~a:*")};
  ag_slice b[] = {S("reset"), S("on"), S("nopass"), S("+get"), S("+set"), S("~a:*"), S("~b:*")};
  for (int i = 0; !atomic_load(&stop); i++) {
    if (ag_acl_setuser(acl, "worker", 6, (i & 1) ? b : a, (i & 1) ? 7 : 5) != AG_OK)
      atomic_fetch_add(&bad_status, 1);
    if ((i % 64) == 0) {
      ag_slice tmp[] = {S("on")};
      size_t n;
      ag_slice names[] = {S("scratch")};
      if (ag_acl_setuser(acl, "scratch", 7, tmp, 1) != AG_OK) atomic_fetch_add(&bad_status, 1);
      if (ag_acl_deluser(acl, names, 1, &n) != AG_OK || n != 1) atomic_fetch_add(&bad_status, 1);
    }
  }
  return NULL;
}

static void *checker(void *arg) {
  long wrong = 0;
  ag_slice get[] = {S("GET"), S("a:1")};
  ag_slice set[] = {S("SET"), S("b:1"), S("v")};
  ag_slice del[] = {S("DEL"), S("a:1")};
  for (int i = 0; i < ROUNDS; i++) {
    if (ag_acl_check(acl, "worker", 6, get, 2) != AG_OK) wrong++;
    ag_status s = ag_acl_check(acl, "worker", 6, set, 3);
    if (s != AG_OK && s != AG_NOPERM) wrong++;
    if (ag_acl_check(acl, "worker", 6, del, 2) != AG_NOPERM) wrong++;
    /* Odd threads also fail differently; the last error is per thread, so each sees its own. */
    if (((long *)arg - wrong_counts) % 2 == 1) {
      if (ag_acl_check(acl, "ghost", 5, get, 2) != AG_NOT_FOUND || !code_is("NOT_FOUND")) wrong++;
    } else {
      const char *kind, *object;
      size_t kind_len, object_len;
      if (!code_is("NOPERM") || ag_last_error_denial(&kind, &kind_len, &object, &object_len) != AG_OK ||
          !eq(kind, kind_len, "command") || !eq(object, object_len, "del"))
        wrong++;
    }
    bool ok = false;
    if (ag_acl_authenticate(acl, "worker", 6, "x", 1, &ok) != AG_OK || !ok) wrong++;
  }
  *(long *)arg = wrong;
  return NULL;
}

int main(int argc, char **argv) {
  if (argc > 1) ROUNDS = atoi(argv[1]); /* fewer rounds under valgrind */
  CHECK(ag_acl_new(&acl) == AG_OK);
  ag_slice init[] = {S("on"), S("nopass"), S("+get"), S("~a:*")};
  CHECK(ag_acl_setuser(acl, "worker", 6, init, 4) == AG_OK);

  pthread_t w, r[CHECKERS];
  CHECK(pthread_create(&w, NULL, writer, NULL) == 0);
  for (int i = 0; i < CHECKERS; i++) CHECK(pthread_create(&r[i], NULL, checker, &wrong_counts[i]) == 0);
  for (int i = 0; i < CHECKERS; i++) {
    pthread_join(r[i], NULL);
    CHECK(wrong_counts[i] == 0);
  }
  atomic_store(&stop, 1);
  pthread_join(w, NULL);
  CHECK(atomic_load(&bad_status) == 0);
  ag_acl_free(acl);
  return DONE();
}
