//! `authgate cert subject|match|verify`: a certificate's RFC 2253 subject as openssl prints
//! it, the Redis Software subject checks, and chain verification. Verdicts (`match`,
//! `no match: <reason>`, `ok`, a verification failure's reason) are the result, on standard
//! output; a file that cannot be read or parsed is an error on standard error. Exit 0 on
//! success or a match, 1 otherwise.

use std::io::Read;
use std::process::ExitCode;

use authgate::tls::{
    parse_bundle, AuthorizedSubject, CertError, ClientCert, SubjectLine, TrustStore, MAX_BUNDLE_INPUT,
};
use clap::{Subcommand, ValueEnum};

use super::{print, refuse, REFUSED};

/// `authgate cert ...`
#[derive(Subcommand)]
pub enum CertCommand {
    /// Print the subject in RFC 2253 form, as `openssl x509 -noout -subject -nameopt RFC2253`
    /// (without `subject=`)
    Subject {
        /// The certificate (PEM or DER)
        file: String,
    },
    /// Check a certificate against a Redis Software subject: `match` (exit 0) or
    /// `no match: <reason>` (exit 1)
    Match {
        /// The certificate (PEM or DER)
        file: String,
        /// Without --mode: a certificate user's certificate_subject_line, which must equal the
        /// RFC 2253 subject; full_subject: the attributes to match; san_cn: the CN to find
        #[arg(long)]
        subject: String,
        /// mtls_client_cert_subject_validation_type
        #[arg(long, value_enum)]
        mode: Option<MatchMode>,
    },
    /// Verify a certificate (and the intermediates after it in FILE) for client
    /// authentication against a CA bundle: `ok` (exit 0) or the reason (exit 1)
    Verify {
        /// The certificate, optionally followed by intermediates (PEM or DER)
        file: String,
        /// The trusted CA certificates (PEM bundle or DER)
        #[arg(long)]
        ca: String,
    },
}

/// `--mode`.
#[derive(Clone, Copy, ValueEnum)]
pub enum MatchMode {
    /// The subject's CN, O, OU (as a set), L, ST and C against those of --subject
    #[value(name = "full_subject")]
    FullSubject,
    /// --subject is a CN to find in the subject CN or a SAN DNS name
    #[value(name = "san_cn")]
    SanCn,
}

/// Runs a `cert` subcommand.
pub fn run(cmd: CertCommand) -> ExitCode {
    match cmd {
        CertCommand::Subject { file } => match load_cert(&file) {
            Ok(cert) => {
                print(cert.subject().as_bytes());
                ExitCode::SUCCESS
            }
            Err(e) => refuse(e.as_bytes()),
        },
        CertCommand::Match { file, subject, mode } => {
            let cert = match load_cert(&file) {
                Ok(c) => c,
                Err(e) => return refuse(e.as_bytes()),
            };
            let verdict = match mode {
                None => SubjectLine::parse(&subject).map_err(|e| e.to_string()).and_then(|l| l.check(&cert)),
                Some(MatchMode::FullSubject) => AuthorizedSubject::from_subject_line(&subject)
                    .map_err(|e| e.to_string())
                    .and_then(|s| s.check_full_subject(&cert)),
                Some(MatchMode::SanCn) => {
                    let entry = AuthorizedSubject { cn: subject, ..AuthorizedSubject::default() };
                    entry.validate().map_err(|e| e.to_string()).and_then(|_| entry.check_san_cn(&cert))
                }
            };
            match verdict {
                Ok(()) => {
                    print(b"match");
                    ExitCode::SUCCESS
                }
                Err(reason) => {
                    print(format!("no match: {reason}").as_bytes());
                    ExitCode::from(REFUSED)
                }
            }
        }
        CertCommand::Verify { file, ca } => {
            let verdict = verify(&file, &ca);
            match verdict {
                Ok(()) => {
                    print(b"ok");
                    ExitCode::SUCCESS
                }
                Err(reason) => {
                    print(reason.as_bytes());
                    ExitCode::from(REFUSED)
                }
            }
        }
    }
}

/// `ok` or the reason: the chain in `file` (leaf first) against the CAs in `ca`.
fn verify(file: &str, ca: &str) -> Result<(), String> {
    let chain = parse_bundle(&read_file(file)?).map_err(|e| format!("{file}: {e}"))?;
    let store = TrustStore::from_pem_or_der(&read_file(ca)?).map_err(|e| format!("{ca}: {e}"))?;
    let (leaf, intermediates) = chain.split_first().ok_or_else(|| CertError::NoCertificate.to_string())?;
    store.verify_client(leaf, intermediates).map_err(|e| e.to_string())
}

/// The certificate in `file` (PEM or DER), or the reason it cannot be read.
pub(super) fn load_cert(file: &str) -> Result<ClientCert, String> {
    let bytes = read_file(file)?;
    ClientCert::parse(&bytes).map_err(|e| format!("{file}: {e}"))
}

/// The file's bytes, refusing more than a CA bundle may hold.
fn read_file(file: &str) -> Result<Vec<u8>, String> {
    let f = std::fs::File::open(file).map_err(|e| format!("{file}: {e}"))?;
    let mut bytes = Vec::new();
    f.take(MAX_BUNDLE_INPUT as u64 + 1).read_to_end(&mut bytes).map_err(|e| format!("{file}: {e}"))?;
    if bytes.len() > MAX_BUNDLE_INPUT {
        return Err(format!("{file}: larger than {MAX_BUNDLE_INPUT} bytes"));
    }
    Ok(bytes)
}
