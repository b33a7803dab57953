//! Settings objects from JS: unknown keys are named (serde-wasm-bindgen would silently ignore a
//! misspelt one), then the object is deserialised.
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsError, JsValue};

use crate::error::JsResult;

/// Deserialises `value` (undefined or null: all defaults) after checking its keys.
pub fn from_js_object<T: DeserializeOwned + Default>(
    value: JsValue,
    fields: &[&str],
) -> JsResult<T> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    let obj = value
        .dyn_ref::<js_sys::Object>()
        .ok_or_else(|| JsError::new("settings must be an object"))?;
    for key in js_sys::Object::keys(obj).iter() {
        let key = key.as_string().unwrap_or_default();
        if !fields.contains(&key.as_str()) {
            return Err(JsError::new(&format!(
                "bad settings: unknown field `{key}`, expected one of: {}",
                fields.join(", ")
            )));
        }
    }
    serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("bad settings: {e}")))
}
