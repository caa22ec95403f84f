//! Errors of the JNI layer and the [`ErrorPolicy`] that turns them (and panics) into Java
//! exceptions.
//!
//! Mapping:
//! - [`AclError::Denied`] -> `io.authgate.PermissionDeniedException` (code `NOPERM`, reason,
//!   command, object);
//! - any other [`AclError`] -> `io.authgate.AclException` (its `code()`, Redis' full text);
//! - a server start failure -> `io.authgate.AuthgateException` with the server error's code;
//! - a closed or null handle -> `java.lang.IllegalStateException`;
//! - malformed arguments from the Java side -> `java.lang.IllegalArgumentException`;
//! - a panic -> `io.authgate.AuthgateException` with code `PANIC`;
//! - a JNI error with a Java exception already pending: that exception is left in place.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use authgate::acl::{AclError, DenialKind};
use jni::errors::ErrorPolicy;
use jni::objects::{JObject, JThrowable};
use jni::{jni_sig, jni_str, Env, JValue};

/// The crate's error type; every native body returns `Result<T, Error>`.
#[derive(Debug)]
pub enum Error {
    /// An error of the ACL engine.
    Acl(AclError),
    /// Starting a server failed: its stable code and message.
    Server(&'static str, String),
    /// The handle was closed (or is null).
    Closed(&'static str),
    /// The Java side passed something malformed.
    Argument(String),
    /// A JNI call failed (possibly with a Java exception pending).
    Jni(jni::errors::Error),
}

impl From<jni::errors::Error> for Error {
    fn from(e: jni::errors::Error) -> Self {
        Error::Jni(e)
    }
}

impl From<AclError> for Error {
    fn from(e: AclError) -> Self {
        Error::Acl(e)
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Acl(e) => write!(f, "{e}"),
            Error::Server(_, m) => f.write_str(m),
            Error::Closed(what) => write!(f, "{what} is closed"),
            Error::Argument(m) => f.write_str(m),
            Error::Jni(e) => write!(f, "JNI error: {e}"),
        }
    }
}

impl std::error::Error for Error {}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;

/// The policy every native method resolves with.
pub struct ThrowAuthgate;

fn reason(kind: DenialKind) -> &'static str {
    match kind {
        DenialKind::Command => "command",
        DenialKind::Key => "key",
        DenialKind::Channel => "channel",
    }
}

/// Builds and throws the Java exception for `err`.
fn throw(env: &mut Env<'_>, err: Error) -> jni::errors::Result<()> {
    let exc: JObject = match err {
        Error::Jni(jni::errors::Error::JavaException) if env.exception_check() => return Ok(()),
        Error::Jni(e) => {
            if env.exception_check() {
                return Ok(());
            }
            return throw_code(env, "JNI", &format!("JNI error: {e}"));
        }
        Error::Acl(AclError::Denied {
            kind,
            command,
            object,
        }) => {
            let text = AclError::Denied {
                kind,
                command: command.clone(),
                object: object.clone(),
            }
            .to_string();
            let msg = env.new_string(text)?;
            let why = env.new_string(reason(kind))?;
            let cmd = env.new_string(&command)?;
            let obj: JObject = if kind == DenialKind::Command {
                JObject::null()
            } else {
                env.byte_array_from_slice(&object)?.into()
            };
            env.new_object(
                jni_str!("io/authgate/PermissionDeniedException"),
                jni_sig!("(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;[B)V"),
                &[
                    JValue::from(&msg),
                    JValue::from(&why),
                    JValue::from(&cmd),
                    JValue::from(&obj),
                ],
            )?
        }
        Error::Acl(e) => {
            let code = env.new_string(e.code())?;
            let msg = env.new_string(e.to_string())?;
            env.new_object(
                jni_str!("io/authgate/AclException"),
                jni_sig!("(Ljava/lang/String;Ljava/lang/String;)V"),
                &[JValue::from(&code), JValue::from(&msg)],
            )?
        }
        Error::Server(code, msg) => return throw_code(env, code, &msg),
        Error::Closed(what) => {
            return throw_class(
                env,
                jni_str!("java/lang/IllegalStateException"),
                &format!("{what} is closed"),
            )
        }
        Error::Argument(m) => {
            return throw_class(env, jni_str!("java/lang/IllegalArgumentException"), &m)
        }
    };
    let exc = JThrowable::cast_local(env, exc)?;
    let _ = env.throw(exc);
    Ok(())
}

fn throw_class(
    env: &mut Env<'_>,
    class: &jni::strings::JNIStr,
    msg: &str,
) -> jni::errors::Result<()> {
    let _ = env.throw_new(class, jni::strings::JNIString::from(msg));
    Ok(())
}

/// Throws `io.authgate.AuthgateException(code, msg)`.
pub fn throw_code(env: &mut Env<'_>, code: &str, msg: &str) -> jni::errors::Result<()> {
    let code = env.new_string(code)?;
    let msg = env.new_string(msg)?;
    let exc = env.new_object(
        jni_str!("io/authgate/AuthgateException"),
        jni_sig!("(Ljava/lang/String;Ljava/lang/String;)V"),
        &[JValue::from(&code), JValue::from(&msg)],
    )?;
    let exc = JThrowable::cast_local(env, exc)?;
    let _ = env.throw(exc);
    Ok(())
}

/// The text of a panic payload (`&str` and `String` payloads; others get a fixed text).
fn panic_text(payload: Box<dyn Any + Send + 'static>) -> String {
    match payload.downcast::<&'static str>() {
        Ok(s) => (*s).to_string(),
        Err(payload) => match payload.downcast::<String>() {
            Ok(s) => *s,
            Err(payload) => {
                // Dropping a payload may itself panic: never let that escape.
                if let Err(p) = catch_unwind(AssertUnwindSafe(|| drop(payload))) {
                    std::mem::forget(p);
                }
                "non-string panic payload".to_string()
            }
        },
    }
}

impl<T: Default> ErrorPolicy<T, Error> for ThrowAuthgate {
    type Captures<'unowned_env_local: 'native_method, 'native_method> = ();

    fn on_error<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _cap: &mut (),
        err: Error,
    ) -> jni::errors::Result<T> {
        throw(env, err)?;
        Ok(T::default())
    }

    fn on_panic<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _cap: &mut (),
        payload: Box<dyn Any + Send + 'static>,
    ) -> jni::errors::Result<T> {
        let text = panic_text(payload);
        if env.exception_check() {
            // A Java exception raised before the panic would hide ours: replace it.
            env.exception_clear();
        }
        throw_code(env, "PANIC", &format!("Rust panic: {text}"))?;
        Ok(T::default())
    }
}
