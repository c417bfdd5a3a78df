//! The body that carries a refresh token (body mode), for the refresh and logout calls.

use crate::prelude::*;
use crate::text::{push_form_encoded, push_json_string};
use crate::token::Secret;

/// How the refresh token travels in body mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyFormat {
    /// `{"refresh": "<token>"}` (Django REST Framework SimpleJWT).
    Json,
    /// `grant_type=refresh_token&refresh_token=<token>` (OAuth 2.0, RFC 6749 §6).
    Form,
}

/// The body and its content type. `json_field` names the JSON member (default `refresh`).
/// The body is a `Secret`: built in one exact-size buffer and zeroed on drop.
pub fn refresh_token_body(
    format: BodyFormat,
    json_field: &str,
    token: &Secret,
) -> (&'static str, Secret) {
    let t = token.expose();
    match format {
        BodyFormat::Json => {
            let mut s = String::with_capacity(json_field.len() + 6 * t.len() + 8);
            s.push('{');
            push_json_string(&mut s, json_field);
            s.push(':');
            push_json_string(&mut s, t);
            s.push('}');
            ("application/json", Secret::new(s))
        }
        BodyFormat::Form => {
            let mut s = String::with_capacity(40 + 3 * t.len());
            s.push_str("grant_type=refresh_token&refresh_token=");
            push_form_encoded(&mut s, t);
            ("application/x-www-form-urlencoded", Secret::new(s))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_form_bodies() {
        let token = Secret::new("r.1+/=".into());
        let (kind, body) = refresh_token_body(BodyFormat::Json, "refresh", &token);
        assert_eq!((kind, body.expose()), ("application/json", r#"{"refresh":"r.1+/="}"#));
        let (kind, body) = refresh_token_body(BodyFormat::Form, "ignored", &token);
        assert_eq!(kind, "application/x-www-form-urlencoded");
        assert_eq!(body.expose(), "grant_type=refresh_token&refresh_token=r.1%2B%2F%3D");
    }
}
