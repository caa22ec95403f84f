//! [`ApiError`]: a failed REST call as Redis Software reports it: an HTTP status and a JSON
//! body `{"error_code": "...", "message": "..."}`.

use serde_json::json;

/// A REST error: the status and the body's `error_code` and `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status code.
    pub status: u16,
    /// `error_code`: Redis Software's documented code where it has one.
    pub error_code: &'static str,
    /// `message`: what was wrong, for a person.
    pub message: String,
}

impl ApiError {
    /// An error with this status, code and message.
    pub fn new(status: u16, error_code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, error_code, message: message.into() }
    }

    /// 400 `invalid_param`: a field has an illegal value.
    pub fn invalid_param(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "invalid_param", message)
    }

    /// 400 `missing_field`: a needed field is missing.
    pub fn missing_field(field: &str) -> ApiError {
        ApiError::new(400, "missing_field", format!("Missing field '{field}'"))
    }

    /// 400 `invalid_schema`: the body is not the object the endpoint takes.
    pub fn invalid_schema(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "invalid_schema", message)
    }

    /// 404 for an object that does not exist (`what` names it: "user", "role" ...).
    pub fn not_found(what: &str, uid: impl std::fmt::Display) -> ApiError {
        ApiError::new(404, "not_found", format!("{what} {uid} does not exist"))
    }

    /// 409 `name_already_exists`.
    pub fn name_exists(name: &str) -> ApiError {
        ApiError::new(409, "name_already_exists", format!("An object with the name '{name}' already exists"))
    }

    /// 401: no valid credentials.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(401, "unauthorized", message)
    }

    /// 403: the caller's role may not do this.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(403, "forbidden", message)
    }

    /// 500: the change could not be saved.
    pub fn storage(message: impl Into<String>) -> ApiError {
        ApiError::new(500, "storage_error", message)
    }

    /// The JSON body.
    pub fn body(&self) -> Vec<u8> {
        serde_json::to_vec(&json!({ "error_code": self.error_code, "message": self.message }))
            .unwrap_or_default()
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.error_code, self.message)
    }
}

impl std::error::Error for ApiError {}

/// Decodes a JSON request body into `T`; a body that is not JSON, or not the object `T`
/// describes (an unknown field, a wrong type), is a 400 naming what serde found.
pub fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid_schema("The request body must be a JSON object"));
    }
    serde_json::from_slice(body).map_err(|e| ApiError::invalid_schema(format!("Invalid request body: {e}")))
}
