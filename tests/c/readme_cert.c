/* The C certificate example of README.md, built by `make test-c-install` like app.c and run
 * as `./cert client.pem`. */
#include <stdio.h>
#include <authgate.h>

#define S(lit) ((ag_slice){(lit), sizeof(lit) - 1})

static void print_login(const ag_cert_login *login) {
  const char *outcome, *user;
  size_t outcome_len, user_len;
  bool present;
  ag_cert_login_outcome(login, &outcome, &outcome_len);
  ag_cert_login_user(login, &user, &user_len, &present);
  printf("login: %.*s %.*s\n", (int)outcome_len, outcome, (int)user_len, present ? user : "");
}

int main(int argc, char **argv) {
  static char pem[65536];
  FILE *f = fopen(argc > 1 ? argv[1] : "client.pem", "rb");
  if (!f) return 1;
  size_t n = fread(pem, 1, sizeof pem, f);
  fclose(f);

  ag_client_cert *cert = NULL;
  if (ag_client_cert_from_pem(pem, n, &cert) != AG_OK) return 1;
  const char *subject;
  size_t subject_len;
  ag_client_cert_subject(cert, &subject, &subject_len);
  printf("subject: %.*s\n", (int)subject_len, subject);  /* as openssl -nameopt RFC2253 prints it */

  /* Redis Software's subject validation: san_cn passes on the subject CN or a SAN DNS name. */
  ag_slice authorized[] = {S("CN=alice")};
  ag_subject_policy *policy = NULL;
  ag_subject_policy_new("san_cn", 6, authorized, 1, &policy);
  printf("policy: %s\n", ag_subject_policy_check(policy, cert) == AG_OK ? "pass" : "refused");

  /* The user it logs in as: a certificate user by subject line, then tls-auth-clients-user. */
  ag_acl *acl = NULL;
  ag_acl_new(&acl);
  ag_slice on[] = {S("on")};
  ag_acl_setuser(acl, "alice", 5, on, 1);
  ag_acl_setuser(acl, "ops", 3, on, 1);
  ag_cert_user_map *users = NULL;
  ag_cert_user_map_new("CN", 2, &users);
  ag_cert_login *login = NULL;
  ag_cert_user_map_map(users, cert, acl, &login);
  print_login(login);                                    /* login: tls_auth_clients_user alice */
  ag_cert_login_free(login);
  ag_cert_user_map_set_user(users, "ops", 3, subject, subject_len);
  ag_cert_user_map_map(users, cert, acl, &login);
  print_login(login);                                    /* login: certificate_user ops */
  ag_cert_login_free(login);

  ag_cert_user_map_free(users);
  ag_acl_free(acl);
  ag_subject_policy_free(policy);
  ag_client_cert_free(cert);
  return 0;
}
