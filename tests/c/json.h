/* A small JSON reader for the shared fixtures (tests/fixtures, JSON), so the C tests read
 * the same files as the Rust, Python, Node and Java tests. It parses a whole document into a
 * tree (json_parse_file), looked up with json_get / json_at, and freed with json_free.
 * Strings keep their exact bytes (escapes decoded, \u as UTF-8) with a length. */
#ifndef AUTHGATE_TEST_JSON_H
#define AUTHGATE_TEST_JSON_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { J_NULL, J_BOOL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT } json_type;

typedef struct json {
  json_type type;
  int boolean;
  double number;
  char *str; /* J_STRING: NUL-terminated copy of `len` bytes */
  size_t len;
  size_t n;             /* J_ARRAY / J_OBJECT: number of items */
  char **keys;          /* J_OBJECT: NUL-terminated keys */
  struct json **items;  /* J_ARRAY / J_OBJECT: values */
} json;

typedef struct {
  const char *p, *end;
  int failed;
} json_src;

static inline json *json_value(json_src *s);

static inline void json_ws(json_src *s) {
  while (s->p < s->end && strchr(" \t\r\n", *s->p) && *s->p) s->p++;
}

static inline json *json_node(json_type t) {
  json *j = calloc(1, sizeof *j);
  j->type = t;
  return j;
}

static inline void json_push(json *j, char *key, json *v) {
  j->items = realloc(j->items, (j->n + 1) * sizeof *j->items);
  if (j->type == J_OBJECT) j->keys = realloc(j->keys, (j->n + 1) * sizeof *j->keys);
  if (key) j->keys[j->n] = key;
  j->items[j->n++] = v;
}

static inline void json_utf8(char *out, size_t *n, unsigned cp) {
  if (cp < 0x80) {
    out[(*n)++] = (char)cp;
  } else if (cp < 0x800) {
    out[(*n)++] = (char)(0xc0 | (cp >> 6));
    out[(*n)++] = (char)(0x80 | (cp & 0x3f));
  } else {
    out[(*n)++] = (char)(0xe0 | (cp >> 12));
    out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[(*n)++] = (char)(0x80 | (cp & 0x3f));
  }
}

/* Parses a string at s->p (after the opening quote check); returns a malloc'd copy. */
static inline char *json_string(json_src *s, size_t *len) {
  if (s->p >= s->end || *s->p != '"') {
    s->failed = 1;
    return NULL;
  }
  s->p++;
  char *out = malloc((size_t)(s->end - s->p) + 1);
  size_t n = 0;
  while (s->p < s->end && *s->p != '"') {
    char c = *s->p++;
    if (c != '\\') {
      out[n++] = c;
      continue;
    }
    if (s->p >= s->end) break;
    char e = *s->p++;
    switch (e) {
      case 'n': out[n++] = '\n'; break;
      case 't': out[n++] = '\t'; break;
      case 'r': out[n++] = '\r'; break;
      case 'b': out[n++] = '\b'; break;
      case 'f': out[n++] = '\f'; break;
      case 'u': {
        unsigned cp = 0;
        for (int i = 0; i < 4 && s->p < s->end; i++) {
          char h = *s->p++;
          cp = cp * 16 + (unsigned)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
        }
        json_utf8(out, &n, cp);
        break;
      }
      default: out[n++] = e; /* \" \\ \/ */
    }
  }
  if (s->p >= s->end) s->failed = 1;
  s->p++;
  out[n] = 0;
  *len = n;
  return out;
}

static inline json *json_value(json_src *s) {
  json_ws(s);
  if (s->p >= s->end) {
    s->failed = 1;
    return json_node(J_NULL);
  }
  char c = *s->p;
  if (c == '{' || c == '[') {
    json *j = json_node(c == '{' ? J_OBJECT : J_ARRAY);
    char close = c == '{' ? '}' : ']';
    s->p++;
    json_ws(s);
    while (!s->failed && s->p < s->end && *s->p != close) {
      char *key = NULL;
      if (j->type == J_OBJECT) {
        size_t kl;
        key = json_string(s, &kl);
        json_ws(s);
        if (s->p < s->end && *s->p == ':') s->p++; else s->failed = 1;
      }
      json_push(j, key, json_value(s));
      json_ws(s);
      if (s->p < s->end && *s->p == ',') {
        s->p++;
        json_ws(s);
      }
    }
    s->p++;
    return j;
  }
  if (c == '"') {
    json *j = json_node(J_STRING);
    j->str = json_string(s, &j->len);
    return j;
  }
  if (!strncmp(s->p, "true", 4) || !strncmp(s->p, "false", 5)) {
    json *j = json_node(J_BOOL);
    j->boolean = *s->p == 't';
    s->p += j->boolean ? 4 : 5;
    return j;
  }
  if (!strncmp(s->p, "null", 4)) {
    s->p += 4;
    return json_node(J_NULL);
  }
  json *j = json_node(J_NUMBER);
  char *end;
  j->number = strtod(s->p, &end);
  if (end == s->p) s->failed = 1;
  s->p = end;
  return j;
}

static inline void json_free(json *j) {
  if (!j) return;
  for (size_t i = 0; i < j->n; i++) {
    json_free(j->items[i]);
    if (j->keys) free(j->keys[i]);
  }
  free(j->items);
  free(j->keys);
  free(j->str);
  free(j);
}

/* Reads and parses a file; NULL (with a message) if it cannot be read or parsed. */
static inline json *json_parse_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    return NULL;
  }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = malloc((size_t)size);
  size_t got = fread(text, 1, (size_t)size, f);
  fclose(f);
  json_src s = {text, text + got, 0};
  json *j = json_value(&s);
  free(text);
  if (s.failed) {
    fprintf(stderr, "cannot parse %s\n", path);
    json_free(j);
    return NULL;
  }
  return j;
}

/* The member `key` of an object, or NULL. */
static inline const json *json_get(const json *j, const char *key) {
  if (!j || j->type != J_OBJECT) return NULL;
  for (size_t i = 0; i < j->n; i++)
    if (!strcmp(j->keys[i], key)) return j->items[i];
  return NULL;
}

/* Item `i` of an array, or NULL. */
static inline const json *json_at(const json *j, size_t i) {
  return j && j->type == J_ARRAY && i < j->n ? j->items[i] : NULL;
}

/* True if `j` is a string equal to the `n` bytes at `p`. */
static inline int json_is(const json *j, const char *p, size_t n) {
  return j && j->type == J_STRING && j->len == n && memcmp(j->str, p, n) == 0;
}

#endif
