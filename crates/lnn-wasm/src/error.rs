//! The one place where lnn-core errors become JS exceptions.
use wasm_bindgen::JsError;

/// Results of exported functions: a `JsError` becomes a thrown JS `Error`.
pub type JsResult<T> = Result<T, JsError>;

/// Converts any displayable error (lnn-core's, serde's) into a JS `Error` with its message.
pub fn js_error(e: impl core::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}
