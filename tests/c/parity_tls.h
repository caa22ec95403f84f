/* The server's TLS part of test_parity.c: one function per vocabulary entry under
 * "server.tls_options" and "server.tls_properties". Each sets its option on a server with the
 * fixture's certificate (tests/fixtures/certs), starts it, and reads the setting back with
 * CONFIG GET, so a setter that does not reach the server fails. Included after
 * parity_server.h, whose helpers it uses. */
#ifndef AUTHGATE_TEST_PARITY_TLS_H
#define AUTHGATE_TEST_PARITY_TLS_H

#define TLS_CERTS "tests/fixtures/certs"

static ag_server_options *tls_opts(void) {
  ag_server_options *o = new_options();
  CHECK(ag_server_options_set_tls_cert_file(o, CL(TLS_CERTS "/server.pem")) == AG_OK);
  CHECK(ag_server_options_set_tls_key_file(o, CL(TLS_CERTS "/server.key")) == AG_OK);
  CHECK(ag_server_options_set_tls_ca_cert_file(o, CL(TLS_CERTS "/ca.pem")) == AG_OK);
  return o;
}

/* Starts a server with `o`, checks CONFIG GET `directive` == `want`, and frees everything. */
static void tls_shows(ag_server_options *o, const char *directive, const char *want) {
  ag_acl *acl;
  uint16_t port;
  ag_server *server = started(o, &acl, &port);
  const char *got = config_get(port, NULL, directive);
  CHECK(strcmp(got, want) == 0);
  if (strcmp(got, want) != 0) fprintf(stderr, "CONFIG GET %s: '%s', expected '%s'\n", directive, got, want);
  finish(server, acl, o);
}

static void tls_option_port(void) {
  ag_server_options *o = tls_opts();
  uint16_t want = free_port();
  char text[8];
  snprintf(text, sizeof text, "%u", want);
  CHECK(ag_server_options_set_tls_port(o, want) == AG_OK);
  tls_shows(o, "tls-port", text);
}
static void tls_option_cert_file(void) { tls_shows(tls_opts(), "tls-cert-file", TLS_CERTS "/server.pem"); }
static void tls_option_key_file(void) { tls_shows(tls_opts(), "tls-key-file", TLS_CERTS "/server.key"); }
static void tls_option_key_file_pass(void) {
  ag_server_options *o = tls_opts();
  /* The fixture key is not encrypted: a passphrase is kept and shown, and unused. */
  CHECK(ag_server_options_set_tls_key_file_pass(o, CL("unused")) == AG_OK);
  tls_shows(o, "tls-key-file-pass", "unused");
}
static void tls_option_ca_cert_file(void) { tls_shows(tls_opts(), "tls-ca-cert-file", TLS_CERTS "/ca.pem"); }
static void tls_option_ca_cert_dir(void) {
  ag_server_options *o = tls_opts();
  CHECK(ag_server_options_set_tls_ca_cert_dir(o, CL(TLS_CERTS)) == AG_OK);
  tls_shows(o, "tls-ca-cert-dir", TLS_CERTS);
}
static void tls_option_auth_clients(void) {
  ag_server_options *o = tls_opts();
  CHECK(ag_server_options_set_tls_auth_clients(o, CL("OPTIONAL")) == AG_OK);
  tls_shows(o, "tls-auth-clients", "optional");
}
static void tls_option_auth_clients_user(void) {
  ag_server_options *o = tls_opts();
  CHECK(ag_server_options_set_tls_auth_clients_user(o, CL("uri")) == AG_OK);
  tls_shows(o, "tls-auth-clients-user", "URI");
}
static void tls_option_protocols(void) {
  ag_server_options *o = tls_opts();
  CHECK(ag_server_options_set_tls_protocols(o, CL("TLSv1.3")) == AG_OK);
  tls_shows(o, "tls-protocols", "TLSv1.3");
}
static void tls_option_ciphersuites(void) {
  ag_server_options *o = tls_opts();
  CHECK(ag_server_options_set_tls_ciphersuites(o, CL("TLS_AES_256_GCM_SHA384")) == AG_OK);
  tls_shows(o, "tls-ciphersuites", "TLS_AES_256_GCM_SHA384");
}
static void tls_option_ciphers(void) {
  ag_server_options *o = tls_opts();
  CHECK(ag_server_options_set_tls_ciphers(o, CL("ECDHE-ECDSA-AES256-GCM-SHA384")) == AG_OK);
  tls_shows(o, "tls-ciphers", "ECDHE-ECDSA-AES256-GCM-SHA384");
}
static void tls_option_prefer_server_ciphers(void) {
  ag_server_options *o = tls_opts();
  CHECK(ag_server_options_set_tls_prefer_server_ciphers(o, true) == AG_OK);
  tls_shows(o, "tls-prefer-server-ciphers", "yes");
}
static void tls_option_certificate_users(void) {
  ag_server_options *o = tls_opts();
  CHECK(ag_server_options_add_certificate_user(o, CL("carol"), CL("CN=carol,O=Example")) == AG_OK);
  ag_acl *acl;
  uint16_t port;
  ag_server *server = started(o, &acl, &port);
  /* Registered at start: the ACL user exists, certificate-only (no password). */
  CHECK(strcmp(cli(port, "ACL GETUSER carol"), "") != 0 && strstr(cli(port, "ACL USERS"), "carol") != NULL);
  finish(server, acl, o);
}
static void tls_property_port(void) {
  ag_acl *acl = NULL;
  ag_server *server = NULL;
  ag_server_options *o = tls_opts();
  CHECK(ag_acl_new(&acl) == AG_OK && ag_server_new(acl, o, &server) == AG_OK);
  CHECK(ag_server_tls_port(server) == 0);
  uint16_t port = 0;
  CHECK(ag_server_start(server, &port) == AG_OK);
  uint16_t tls_port = ag_server_tls_port(server);
  CHECK(tls_port != 0 && tls_port != port);
  char text[8];
  snprintf(text, sizeof text, "%u", tls_port);
  CHECK(strcmp(config_get(port, NULL, "tls-port"), text) == 0);
  finish(server, acl, o);
}

#endif
