//! The error contract of the JNI layer: every native body returns [`Result`], and the one
//! [`ErrorPolicy`] ([`ThrowAuthgate`]) turns an error, or a caught panic, into a pending Java
//! exception through the one mapper, [`exception`].
//!
//! Panics never unwind into the JVM: jni-rs catches them in `with_env`, the policy turns the
//! payload into core's [`authgate::Error::from_panic`] (code `PANIC`) and maps it like any other
//! error.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use authgate::ErrorKind;
use jni::errors::ErrorPolicy;
use jni::objects::{JObject, JThrowable};
use jni::strings::JNIStr;
use jni::{jni_sig, jni_str, Env, JValue};

/// What a native body can fail with.
#[derive(Debug)]
pub enum Error {
    /// An authgate error (from core, or an argument the binding could not convert).
    Core(authgate::Error),
    /// A JNI call failed; when it left a Java exception pending, that exception is thrown as is.
    Jni(jni::errors::Error),
}

impl From<authgate::Error> for Error {
    fn from(e: authgate::Error) -> Self {
        Error::Core(e)
    }
}

impl From<authgate::acl::AclError> for Error {
    fn from(e: authgate::acl::AclError) -> Self {
        Error::Core(e.into())
    }
}

impl From<jni::errors::Error> for Error {
    fn from(e: jni::errors::Error) -> Self {
        Error::Jni(e)
    }
}

/// An `INVALID_ARGUMENT` error: a value from Java that does not fit the core's type.
pub fn invalid(text: impl Into<String>) -> Error {
    Error::Core(authgate::Error::invalid_argument(text.into()))
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;

/// The policy every native method resolves with.
pub struct ThrowAuthgate;

/// Builds a `(String code, String message)` exception of `class`.
fn plain<'l>(
    env: &mut Env<'l>,
    class: &JNIStr,
    code: &JObject<'_>,
    msg: &JObject<'_>,
) -> jni::errors::Result<JObject<'l>> {
    env.new_object(
        class,
        jni_sig!("(Ljava/lang/String;Ljava/lang/String;)V"),
        &[JValue::from(code), JValue::from(msg)],
    )
}

/// THE mapping from [`ErrorKind`] to a Java exception; every error of every native method
/// goes through here. The class tells kinds apart where callers need it, `code()` is always
/// core's stable code string and the message core's text.
fn exception<'l>(env: &mut Env<'l>, err: &authgate::Error) -> jni::errors::Result<JThrowable<'l>> {
    let code: JObject = env.new_string(err.code())?.into();
    let msg: JObject = env.new_string(err.message())?.into();
    let exc = match err.kind() {
        ErrorKind::NoPerm => {
            // A NOPERM without denial fields (none comes from core today) keeps nulls.
            let (reason, command, object): (JObject, JObject, JObject) = match err.denial() {
                Some(d) => (
                    env.new_string(d.kind.as_str())?.into(),
                    env.new_string(&d.command)?.into(),
                    env.byte_array_from_slice(&d.object)?.into(),
                ),
                None => (JObject::null(), JObject::null(), JObject::null()),
            };
            env.new_object(
                jni_str!("io/authgate/PermissionDeniedException"),
                jni_sig!(
                    "(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;[B)V"
                ),
                &[
                    JValue::from(&code),
                    JValue::from(&msg),
                    JValue::from(&reason),
                    JValue::from(&command),
                    JValue::from(&object),
                ],
            )?
        }
        ErrorKind::Err | ErrorKind::NotFound => {
            plain(env, jni_str!("io/authgate/AclException"), &code, &msg)?
        }
        ErrorKind::WrongPass | ErrorKind::NoAuth | ErrorKind::Auth => {
            plain(env, jni_str!("io/authgate/AuthException"), &code, &msg)?
        }
        ErrorKind::Config => plain(env, jni_str!("io/authgate/ConfigException"), &code, &msg)?,
        ErrorKind::Certificate => plain(
            env,
            jni_str!("io/authgate/CertificateException"),
            &code,
            &msg,
        )?,
        ErrorKind::Credential => match err.milvus_code() {
            Some(milvus) => env.new_object(
                jni_str!("io/authgate/CredentialException"),
                jni_sig!("(Ljava/lang/String;Ljava/lang/String;J)V"),
                &[
                    JValue::from(&code),
                    JValue::from(&msg),
                    JValue::Long(milvus),
                ],
            )?,
            None => plain(
                env,
                jni_str!("io/authgate/CredentialException"),
                &code,
                &msg,
            )?,
        },
        // IO, INVALID_ARGUMENT, PANIC, and kinds core adds later: the base class, whose code()
        // still tells them apart.
        _ => plain(env, jni_str!("io/authgate/AuthgateException"), &code, &msg)?,
    };
    // The fields every kind may carry (errno, a detail for logs), as in every other language.
    if err.os_error().is_some() || err.detail().is_some() {
        let detail: JObject = match err.detail() {
            Some(d) => env.new_string(d)?.into(),
            None => JObject::null(),
        };
        env.call_method(
            &exc,
            jni_str!("diagnose"),
            jni_sig!("(ZILjava/lang/String;)V"),
            &[JValue::Bool(err.os_error().is_some()), JValue::Int(err.os_error().unwrap_or(0)), JValue::from(&detail)],
        )?;
    }
    JThrowable::cast_local(env, exc)
}

/// Throws the Java exception for `err` (or leaves a pending JNI exception in place).
fn throw(env: &mut Env<'_>, err: Error) -> jni::errors::Result<()> {
    let err = match err {
        Error::Core(e) => e,
        // The JVM already has the exception to report (out of memory, a bad array index).
        Error::Jni(_) if env.exception_check() => return Ok(()),
        // Without a pending exception a JNI failure is a value Java handed over that JNI
        // refused (a null where an object is required).
        Error::Jni(e) => authgate::Error::invalid_argument(format!("JNI: {e}")),
    };
    let exc = exception(env, &err)?;
    match env.throw(exc) {
        // `throw` reports success as "a Java exception is now pending".
        Ok(()) | Err(jni::errors::Error::JavaException) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Drops a panic payload; dropping one may itself panic, which must not escape either.
fn drop_payload(payload: Box<dyn Any + Send + 'static>) {
    if let Err(p) = catch_unwind(AssertUnwindSafe(|| drop(payload))) {
        std::mem::forget(p);
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
        let err = authgate::Error::from_panic(payload.as_ref());
        drop_payload(payload);
        if env.exception_check() {
            // A Java exception raised before the panic would hide ours: replace it.
            env.exception_clear();
        }
        throw(env, Error::Core(err))?;
        Ok(T::default())
    }
}
