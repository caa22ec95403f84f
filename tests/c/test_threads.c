/* One ag_acl shared by threads, and by an ag_server's connections, while a writer flips the
 * user "flip" between two whole rule sets whose commands, keys and channels are linked:
 *
 *   A = reset on nopass ~a:* &ca +get +publish +ping +multi +exec
 *   B = reset on nopass ~b:* &cb +set +spublish +ping +multi +exec
 *
 * Readers assert that every observation is A or B whole and never older than the writer's
 * last acknowledged change:
 * - one call: GET a:1 / PUBLISH ca / SET b:1 / SPUBLISH cb are allowed by one side and denied
 *   as a command by the other. A key or channel denial is a mix (a setuser applying its rules
 *   one by one would show +get with ~b:* as "key" for GET a:1), a denied PING is the bare
 *   reset; ag_acl_getuser and ag_acl_list are one snapshot each and must equal A's or B's
 *   description whole;
 * - several calls: each is bracketed by the writer's progress counter (`seq`: 2k once step k
 *   was acknowledged, 2k-1 while it runs; step k sets A for even k, B for odd), and the sides
 *   seen must be states the writer published in that window, in order (explain()). A stale
 *   read (a change acknowledged but not yet visible) or a step back fails it.
 * The writer itself checks right after each acknowledgement that its next calls see the change.
 * Each thread's last error stays its own: the denial read after a check names that check. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "authgate.h"
#include "check.h"
#include "helpers.h"
#include "resp.h"

#define READERS 4
#define CONNECTIONS 6
#define NPROBES 5
static long STEPS = 3000; /* the engine's flips; the server gets a tenth (argv[1] for valgrind) */

enum { SIDE_A = 0, SIDE_B = 1, NONE = 2 };
static const char *const PROBES[NPROBES][3] = {
    {"GET", "a:1", NULL}, {"PUBLISH", "ca", "m"}, {"SET", "b:1", "v"}, {"SPUBLISH", "cb", "m"}, {"PING", NULL, NULL}};
static const int PROBE_ARGC[NPROBES] = {2, 3, 3, 3, 1};
/* What a denied probe names: the command, its key or its channel. */
static const char *const COMMAND_NAME[NPROBES] = {"get", "publish", "set", "spublish", "ping"};

static ag_acl *acl;
static atomic_ullong seq;
static atomic_int done;
static atomic_int failures;
static char failure[512];

static void fail(const char *what) {
  if (atomic_fetch_add(&failures, 1) == 0) snprintf(failure, sizeof failure, "%s", what);
}

static int rules(int side, ag_slice *out) {
  ag_slice a[] = {S("reset"), S("on"), S("nopass"), S("~a:*"), S("&ca"), S("+get"), S("+publish"), S("+ping"), S("+multi"), S("+exec")};
  ag_slice b[] = {S("reset"), S("on"), S("nopass"), S("~b:*"), S("&cb"), S("+set"), S("+spublish"), S("+ping"), S("+multi"), S("+exec")};
  memcpy(out, side == SIDE_A ? a : b, sizeof a);
  return 10;
}

static int state(unsigned long long step) { return (int)(step % 2); }

/* `seen` (sides in call order) was observed between reading seq == before and seq == after:
 * 1 if it is a run of states the writer published, in order, from the last step acknowledged
 * at `before` to the newest that may have applied by `after`. */
static int explain(unsigned long long before, unsigned long long after, const int *seen, int n) {
  unsigned long long step = before / 2, newest = (after + 1) / 2;
  for (int i = 0; i < n; i++) {
    while (state(step) != seen[i])
      if (++step > newest) return 0;
  }
  return 1;
}

/* The side of one probe's outcome (`allowed`, else the denial kind), NONE for PING allowed by
 * both, -1 for an outcome neither side gives. */
static int side_of(int probe, int allowed, const char *kind) {
  if (probe == 4) return allowed ? NONE : -1;
  int mine = probe < 2 ? SIDE_A : SIDE_B;
  if (allowed) return mine;
  return kind && strcmp(kind, "command") == 0 ? 1 - mine : -1;
}

/* The probes as separate ag_acl_check calls; the sides seen go to `seen`, their count is
 * returned, -1 on a tear or a wrong last error. */
static int probe_engine(int *seen) {
  int n = 0;
  for (int p = 0; p < NPROBES; p++) {
    ag_slice argv[3];
    for (int i = 0; i < PROBE_ARGC[p]; i++) argv[i] = (ag_slice){PROBES[p][i], strlen(PROBES[p][i])};
    ag_status s = ag_acl_check(acl, "flip", 4, argv, (size_t)PROBE_ARGC[p]);
    char kind[16] = "";
    if (s == AG_NOPERM) {
      const char *k, *o;
      size_t kn, on;
      if (ag_last_error_denial(&k, &kn, &o, &on) != AG_OK || kn >= sizeof kind) return -1;
      memcpy(kind, k, kn);
      kind[kn] = 0;
      /* A command denial names the command, a key or channel denial the probe's argument. */
      const char *object = strcmp(kind, "command") == 0 ? COMMAND_NAME[p] : PROBES[p][1];
      if (!eq(o, on, object)) return -1;
    } else if (s != AG_OK) {
      return -1;
    }
    int side = side_of(p, s == AG_OK, kind);
    if (side < 0) return -1;
    if (side != NONE) seen[n++] = side;
  }
  return n;
}

/* A's and B's ACL GETUSER fields and ACL LIST line, from an engine no other thread touches. */
static char described[2][3][128];
static char listed[2][256];

static int find_line(const ag_list *l, char *out, size_t cap) {
  for (size_t i = 0; i < ag_list_len(l); i++) {
    const char *p;
    size_t n;
    if (ag_list_get(l, i, &p, &n) == AG_OK && n > 10 && memcmp(p, "user flip ", 10) == 0 && n < cap) {
      memcpy(out, p, n);
      out[n] = 0;
      return 1;
    }
  }
  return 0;
}

/* ag_acl_getuser on `a`: commands, keys, channels; 0 if flags are not "on nopass ...". */
static int getuser_fields(const ag_acl *a, char out[3][128]) {
  ag_user_info *info = NULL;
  if (ag_acl_getuser(a, "flip", 4, &info) != AG_OK || !info) return 0;
  const char *p;
  size_t n;
  int ok = ag_user_info_flags_len(info) == 3 && ag_user_info_flag(info, 0, &p, &n) == AG_OK && eq(p, n, "on");
  ag_status (*field[3])(const ag_user_info *, const char **, size_t *) = {
      ag_user_info_commands, ag_user_info_keys, ag_user_info_channels};
  for (int f = 0; ok && f < 3; f++) {
    ok = field[f](info, &p, &n) == AG_OK && n < 128;
    if (ok) {
      memcpy(out[f], p, n);
      out[f][n] = 0;
    }
  }
  ag_user_info_free(info);
  return ok;
}

static void describe(void) {
  for (int side = 0; side < 2; side++) {
    ag_acl *scratch = NULL;
    ag_slice r[10];
    CHECK(ag_acl_new(&scratch) == AG_OK && ag_acl_setuser(scratch, "flip", 4, r, (size_t)rules(side, r)) == AG_OK);
    CHECK(getuser_fields(scratch, described[side]));
    ag_list *l = NULL;
    CHECK(ag_acl_list(scratch, &l) == AG_OK && find_line(l, listed[side], sizeof listed[side]));
    ag_list_free(l);
    ag_acl_free(scratch);
  }
  CHECK(strcmp(listed[SIDE_A], "user flip on nopass sanitize-payload ~a:* resetchannels &ca -@all +exec +get +multi +ping +publish") == 0);
  CHECK(strcmp(described[SIDE_B][1], "~b:*") == 0 && strcmp(described[SIDE_B][2], "&cb") == 0);
}

/* One ag_acl_getuser and one ag_acl_list, each a single snapshot; -1 if either is neither. */
static int snapshot(int *seen) {
  char got[3][128];
  if (!getuser_fields(acl, got)) return -1;
  seen[0] = -1;
  for (int side = 0; side < 2; side++)
    if (!strcmp(got[0], described[side][0]) && !strcmp(got[1], described[side][1]) && !strcmp(got[2], described[side][2]))
      seen[0] = side;
  ag_list *l = NULL;
  char line[256];
  int found = ag_acl_list(acl, &l) == AG_OK && find_line(l, line, sizeof line);
  ag_list_free(l);
  seen[1] = !found ? -1 : !strcmp(line, listed[SIDE_A]) ? SIDE_A : !strcmp(line, listed[SIDE_B]) ? SIDE_B : -1;
  return seen[0] < 0 || seen[1] < 0 ? -1 : 2;
}

typedef int (*observer)(int *seen, void *ctx);

/* Observes until the writer is done, checking each observation; counts them in `stats`
 * (total, and those with no flip in flight, where the exact acknowledged state is required). */
/* How many readers have made their first observation, and how many the writer waits for:
 * under valgrind (one thread at a time) the writer would otherwise finish every step before
 * any reader ran, and the test would observe nothing. */
static atomic_int readers_started;
static int readers_expected;

static void read_until_done(observer observe, void *ctx, long stats[2]) {
  while (!atomic_load(&done)) {
    int seen[8];
    unsigned long long before = atomic_load(&seq);
    int n = observe(seen, ctx);
    unsigned long long after = atomic_load(&seq);
    if (n < 0) return fail("torn: an outcome neither A nor B gives");
    if (!explain(before, after, seen, n)) return fail("stale or torn: a run of calls the writer never published");
    stats[0]++;
    stats[1] += before == after && before % 2 == 0;
    if (stats[0] == 1) atomic_fetch_add(&readers_started, 1);
    sched_yield(); /* let the writer run often on 2 cores and under valgrind's one-at-a-time */
  }
}

static int engine_probe(int *seen, void *ctx) {
  /* Half the readers also fail differently: their NOT_FOUND must not leak into others'. */
  if (ctx) {
    ag_slice get[] = {S("GET"), S("a:1")};
    if (ag_acl_check(acl, "ghost", 5, get, 2) != AG_NOT_FOUND || !code_is("NOT_FOUND")) return -1;
  }
  return probe_engine(seen);
}
static int engine_snapshot(int *seen, void *ctx) {
  (void)ctx;
  return snapshot(seen);
}

static long reader_stats[READERS][2];
/* Reader 0 takes snapshots; the others probe, the odd ones also failing differently. */
static void *engine_reader(void *arg) {
  intptr_t i = (intptr_t)arg;
  if (i == 0)
    read_until_done(engine_snapshot, NULL, reader_stats[i]);
  else
    read_until_done(engine_probe, i % 2 ? &reader_stats : NULL, reader_stats[i]);
  return NULL;
}

/* Runs the writer: `flip(side)` returns once the change is acknowledged, `check(side)` then
 * verifies that the writer's own next calls see it. */
static void write_steps(long steps, int (*flip)(int, void *), int (*check)(int, void *), void *ctx) {
  while (atomic_load(&readers_started) < readers_expected && !atomic_load(&failures)) sched_yield();
  for (long k = 1; k <= steps && !atomic_load(&failures); k++) {
    int side = state((unsigned long long)k);
    atomic_store(&seq, 2 * (unsigned long long)k - 1);
    if (!flip(side, ctx)) fail("the flip itself failed");
    atomic_store(&seq, 2 * (unsigned long long)k);
    if (!check(side, ctx)) fail("stale: the writer's next calls after the acknowledgement");
  }
  atomic_store(&done, 1);
}

static int engine_flip(int side, void *ctx) {
  (void)ctx;
  ag_slice r[10];
  return ag_acl_setuser(acl, "flip", 4, r, (size_t)rules(side, r)) == AG_OK;
}
static int engine_check(int side, void *ctx) {
  (void)ctx;
  int seen[8];
  if (probe_engine(seen) != 4 || snapshot(seen + 4) != 2) return 0;
  for (int i = 0; i < 6; i++)
    if (seen[i] != side) return 0;
  return 1;
}

static void test_engine(void) {
  pthread_t r[READERS];
  atomic_store(&readers_started, 0);
  readers_expected = READERS;
  for (int i = 0; i < READERS; i++) CHECK(pthread_create(&r[i], NULL, engine_reader, (void *)(intptr_t)i) == 0);
  write_steps(STEPS, engine_flip, engine_check, NULL);
  long quiet = 0;
  for (int i = 0; i < READERS; i++) {
    pthread_join(r[i], NULL);
    CHECK(reader_stats[i][0] > 0);
    quiet += reader_stats[i][1];
  }
  CHECK(quiet > 0);
  printf("engine: %ld quiet observations\n", quiet);
  if (atomic_load(&failures)) fprintf(stderr, "engine: %s\n", failure);
  CHECK(atomic_load(&failures) == 0);
}

/* --- through the server: connections authenticated as flip, the writer on an admin one -- */

static uint16_t port;
static const char *const COMMAND_DENIED = "NOPERM this user has no permissions to run the '";
static const char *const KEY_DENIED = "NOPERM this user has no permissions to access one of the keys used as arguments";
static const char *const CHANNEL_DENIED = "NOPERM this user has no permissions to access one of the channels used as arguments";

/* The five probes pipelined on `c`, replies classified like probe_engine's outcomes. */
static int probe_server(int *seen, void *ctx) {
  resp_conn *c = ctx;
  for (int p = 0; p < NPROBES; p++)
    if (resp_send(c, PROBE_ARGC[p], PROBES[p]) != 0) return -1;
  int n = 0;
  for (int p = 0; p < NPROBES; p++) {
    resp_reply r;
    if (resp_read(c, &r) != 0) return -1;
    /* Allowed: GET finds nothing ($-1), nobody listens (:0), SET and PING answer status. */
    static const char *const ok_status[NPROBES] = {NULL, NULL, "OK", NULL, "PONG"};
    int allowed = ok_status[p] ? resp_is_status(&r, ok_status[p]) : p == 0 ? r.type == '$' && r.n == -1 : r.type == ':' && r.n == 0;
    const char *kind = NULL;
    char want[128];
    snprintf(want, sizeof want, "%s%s' command", COMMAND_DENIED, COMMAND_NAME[p]);
    if (r.type == '-' && strcmp(r.text, want) == 0) kind = "command";
    if (r.type == '-' && strcmp(r.text, KEY_DENIED) == 0) kind = "key";
    if (r.type == '-' && strcmp(r.text, CHANNEL_DENIED) == 0) kind = "channel";
    if (!allowed && !kind) return -1;
    int side = side_of(p, allowed, kind);
    if (side < 0) return -1;
    if (side != NONE) seen[n++] = side;
  }
  return n;
}

static long conn_stats[CONNECTIONS][2];
static resp_conn conns[CONNECTIONS];

static void *server_reader(void *arg) {
  intptr_t i = (intptr_t)arg;
  read_until_done(probe_server, &conns[i], conn_stats[i]);
  return NULL;
}

static int auth(resp_conn *c, const char *user, const char *pass) {
  const char *argv[] = {"AUTH", user, pass};
  resp_reply r;
  return resp_connect(c, port) == 0 && resp_cmd(c, &r, 3, argv) == 0 && resp_is_status(&r, "OK");
}

static resp_conn admin, own;
static int server_flip(int side, void *ctx) {
  (void)ctx;
  const char *argv[13] = {"ACL", "SETUSER", "flip"};
  ag_slice r[10];
  int n = rules(side, r);
  for (int i = 0; i < n; i++) argv[3 + i] = r[i].data; /* S() literals: NUL-terminated */
  resp_reply reply;
  return resp_cmd(&admin, &reply, 3 + n, argv) == 0 && resp_is_status(&reply, "OK");
}
static int server_check(int side, void *ctx) {
  (void)ctx;
  int seen[8];
  if (probe_server(seen, &own) != 4) return 0;
  for (int i = 0; i < 4; i++)
    if (seen[i] != side) return 0;
  return 1;
}

static void test_server(void) {
  ag_slice a[10];
  CHECK(ag_acl_setuser(acl, "flip", 4, a, (size_t)rules(SIDE_A, a)) == AG_OK);
  ag_slice admin_rules[] = {S("on"), S(">adminpw"), S("~*"), S("&*"), S("+@all")};
  CHECK(ag_acl_setuser(acl, "admin", 5, admin_rules, 5) == AG_OK);
  ag_server *server = NULL;
  CHECK(ag_server_new(acl, NULL, &server) == AG_OK && ag_server_start(server, &port) == AG_OK);
  atomic_store(&seq, 0);
  atomic_store(&done, 0);
  CHECK(auth(&admin, "admin", "adminpw") && auth(&own, "flip", "x"));
  pthread_t r[CONNECTIONS];
  atomic_store(&readers_started, 0);
  readers_expected = CONNECTIONS;
  for (int i = 0; i < CONNECTIONS; i++) {
    CHECK(auth(&conns[i], "flip", "x"));
    CHECK(pthread_create(&r[i], NULL, server_reader, (void *)(intptr_t)i) == 0);
  }
  write_steps(STEPS / 10, server_flip, server_check, NULL);
  long quiet = 0;
  for (int i = 0; i < CONNECTIONS; i++) {
    pthread_join(r[i], NULL);
    CHECK(conn_stats[i][0] > 0);
    quiet += conn_stats[i][1];
    resp_close(&conns[i]);
  }
  CHECK(quiet > 0);
  printf("server: %ld quiet observations\n", quiet);
  if (atomic_load(&failures)) fprintf(stderr, "server: %s\n", failure);
  CHECK(atomic_load(&failures) == 0);
  resp_close(&admin);
  resp_close(&own);
  ag_server_free(server);
}

static void test_explain(void) {
  int b2[] = {SIDE_B, SIDE_B}, a1[] = {SIDE_A}, bab[] = {SIDE_B, SIDE_A, SIDE_B}, ab[] = {SIDE_A, SIDE_B};
  CHECK(explain(2, 2, b2, 2) && !explain(2, 2, a1, 1)); /* A after B was acknowledged: stale */
  CHECK(!explain(3, 4, ab, 2));                        /* back to B while only step 2 (A) ran */
  CHECK(explain(2, 5, bab, 3) && !explain(2, 4, bab, 3));
  CHECK(side_of(0, 0, "key") < 0 && side_of(1, 0, "channel") < 0 && side_of(4, 0, "command") < 0);
}

int main(int argc, char **argv) {
  if (argc > 1) STEPS = atol(argv[1]); /* fewer under valgrind */
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  test_explain();
  describe();
  CHECK(ag_acl_new(&acl) == AG_OK);
  ag_slice a[10];
  CHECK(ag_acl_setuser(acl, "flip", 4, a, (size_t)rules(SIDE_A, a)) == AG_OK);
  test_engine();
  test_server();
  ag_acl_free(acl);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("%ld engine flips, %ld server flips, %.2f s\n", STEPS, STEPS / 10,
         (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
  return DONE();
}
