/* A small blocking RESP2 client for the C tests that talk to an ag_server over a socket:
 * commands are sent as arrays of bulk strings, replies read through a buffer (so pipelined
 * replies split or merged by TCP in any way are read the same). */
#ifndef AUTHGATE_TEST_RESP_H
#define AUTHGATE_TEST_RESP_H
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

typedef struct {
  int fd;
  char buf[16384];
  size_t start, end;
} resp_conn;

/* One reply: '+' '-' ':' '$' or '*'; `text` holds a status, error or bulk (NUL-terminated,
 * cut at sizeof text - 1), `n` an integer, a bulk length (-1: null) or an array length. */
typedef struct {
  char type;
  long long n;
  char text[1024];
} resp_reply;

/* Connects to 127.0.0.1:port; 0 on success. A receive timeout turns a server that stops
 * answering into a failed read instead of a hung test. */
static inline int resp_connect(resp_conn *c, uint16_t port) {
  c->start = c->end = 0;
  c->fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0) return -1;
  struct timeval tv = {.tv_sec = 30};
  setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return 0;
}

static inline void resp_close(resp_conn *c) {
  if (c->fd >= 0) close(c->fd);
  c->fd = -1;
}

/* Sends one command (NUL-terminated arguments); 0 on success. */
static inline int resp_send(resp_conn *c, int argc, const char *const *argv) {
  char out[4096];
  size_t n = (size_t)snprintf(out, sizeof out, "*%d\r\n", argc);
  for (int i = 0; i < argc; i++) {
    size_t len = strlen(argv[i]);
    if (n + len + 32 > sizeof out) return -1;
    n += (size_t)snprintf(out + n, sizeof out - n, "$%zu\r\n", len);
    memcpy(out + n, argv[i], len);
    n += len;
    memcpy(out + n, "\r\n", 2);
    n += 2;
  }
  for (size_t sent = 0; sent < n;) {
    ssize_t w = write(c->fd, out + sent, n - sent);
    if (w <= 0) return -1;
    sent += (size_t)w;
  }
  return 0;
}

/* The next byte from the connection, or -1 at end of stream / error / timeout. */
static inline int resp_byte(resp_conn *c) {
  if (c->start == c->end) {
    ssize_t r = read(c->fd, c->buf, sizeof c->buf);
    if (r <= 0) return -1;
    c->start = 0;
    c->end = (size_t)r;
  }
  return (unsigned char)c->buf[c->start++];
}

/* Reads one CRLF-terminated line into `out` (without the CRLF, cut at cap - 1); its length,
 * or -1 if the stream ended first. */
static inline long resp_line(resp_conn *c, char *out, size_t cap) {
  size_t n = 0;
  int prev = 0;
  for (;;) {
    int b = resp_byte(c);
    if (b < 0) return -1;
    if (prev == '\r' && b == '\n') break;
    if (prev && n + 1 < cap) out[n++] = (char)prev;
    prev = b;
  }
  out[n] = 0;
  return (long)n;
}

/* Reads one reply's header (and a bulk string's body); an array's elements are read by the
 * caller with further calls. 0 on success, -1 at end of stream. */
static inline int resp_read(resp_conn *c, resp_reply *r) {
  char line[1100];
  if (resp_line(c, line, sizeof line) < 1) return -1;
  r->type = line[0];
  r->n = 0;
  r->text[0] = 0;
  switch (r->type) {
  case '+':
  case '-':
    snprintf(r->text, sizeof r->text, "%s", line + 1);
    return 0;
  case ':':
  case '*':
    r->n = strtoll(line + 1, NULL, 10);
    return 0;
  case '$':
    r->n = strtoll(line + 1, NULL, 10);
    if (r->n < 0) return 0;
    for (long long i = 0; i < r->n + 2; i++) {
      int b = resp_byte(c);
      if (b < 0) return -1;
      if (i < r->n && (size_t)i + 1 < sizeof r->text) r->text[i] = (char)b;
    }
    r->text[r->n < (long long)sizeof r->text ? r->n : (long long)sizeof r->text - 1] = 0;
    return 0;
  default:
    return -1;
  }
}

/* Sends a command and reads its (non-array) reply; 0 on success. */
static inline int resp_cmd(resp_conn *c, resp_reply *r, int argc, const char *const *argv) {
  return resp_send(c, argc, argv) == 0 ? resp_read(c, r) : -1;
}

/* True if the reply is the status `want` ("OK", "PONG", "QUEUED"). */
static inline int resp_is_status(const resp_reply *r, const char *want) {
  return r->type == '+' && strcmp(r->text, want) == 0;
}

#endif
