//! Request bodies for the token endpoint: the refresh grant (JSON or OAuth form), the
//! authorization-code grant (RFC 6749 §4.1.3) and the revocation request (RFC 7009), each with
//! the app's extra parameters (`refreshParams`).

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

/// Extra fields sent with every token request (`refreshParams`), e.g. a public client's
/// `client_id` (RFC 6749 §3.2.1), encoded once when the options are read.
#[derive(Debug, Default)]
pub struct Params {
    /// `k=v&k=v`, form-encoded; empty when there are none.
    form: String,
    /// `"k":"v","k":"v"`: JSON object members; empty when there are none.
    json: String,
    /// `client_id=v` form-encoded, for the revocation request; empty without a `client_id`.
    client_id: String,
}

impl Params {
    /// No fields (the logout call sends none).
    pub const NONE: &Params =
        &Params { form: String::new(), json: String::new(), client_id: String::new() };

    /// Adds a field.
    pub fn push(&mut self, key: &str, value: &str) {
        if !self.form.is_empty() {
            self.form.push('&');
            self.json.push(',');
        }
        push_form_pair(&mut self.form, key, value);
        push_json_string(&mut self.json, key);
        self.json.push(':');
        push_json_string(&mut self.json, value);
        if key == "client_id" {
            push_form_pair(&mut self.client_id, key, value);
        }
    }
}

fn push_form_pair(out: &mut String, key: &str, value: &str) {
    push_form_encoded(out, key);
    out.push('=');
    push_form_encoded(out, value);
}

/// Appends `&params` (or `,params` in JSON) when there are any.
fn push_params(out: &mut String, separator: char, params: &str) {
    if !params.is_empty() {
        out.push(separator);
        out.push_str(params);
    }
}

/// The form content type, which RFC 6749 and RFC 7009 require.
pub const FORM: &str = "application/x-www-form-urlencoded";

/// The refresh request body and its content type; `None` when there is nothing to send (cookie
/// mode without `refreshParams`). `json_field` names the JSON member of the token (default
/// `refresh`). Built in one buffer sized for the worst case (every byte escaped), so no
/// reallocation leaves a copy of the token behind; a `Secret`, zeroed on drop.
pub fn refresh_body(
    format: BodyFormat,
    json_field: &str,
    token: Option<&Secret>,
    params: &Params,
) -> Option<(&'static str, Secret)> {
    let token = token.map(Secret::expose);
    let extra = match format {
        BodyFormat::Json => &params.json,
        BodyFormat::Form => &params.form,
    };
    if token.is_none() && extra.is_empty() {
        return None;
    }
    let escaped = 6 * (json_field.len() + token.map_or(0, str::len));
    let mut s = String::with_capacity(escaped + extra.len() + 48);
    Some(match format {
        BodyFormat::Json => {
            s.push('{');
            if let Some(t) = token {
                push_json_string(&mut s, json_field);
                s.push(':');
                push_json_string(&mut s, t);
                if !extra.is_empty() {
                    s.push(',');
                }
            }
            s.push_str(extra);
            s.push('}');
            ("application/json", Secret::new(s))
        }
        BodyFormat::Form => {
            s.push_str("grant_type=refresh_token");
            if let Some(t) = token {
                s.push('&');
                push_form_pair(&mut s, "refresh_token", t);
            }
            push_params(&mut s, '&', extra);
            (FORM, Secret::new(s))
        }
    })
}

/// The authorization-code grant (RFC 6749 §4.1.3, with PKCE's `code_verifier`, RFC 7636 §4.5).
pub fn code_body(code: &str, code_verifier: &str, redirect_uri: &str, params: &Params) -> Secret {
    let escaped = 3 * (code.len() + code_verifier.len() + redirect_uri.len());
    let mut s = String::with_capacity(escaped + params.form.len() + 80);
    s.push_str("grant_type=authorization_code&");
    push_form_pair(&mut s, "code", code);
    s.push('&');
    push_form_pair(&mut s, "redirect_uri", redirect_uri);
    s.push('&');
    push_form_pair(&mut s, "code_verifier", code_verifier);
    push_params(&mut s, '&', &params.form);
    Secret::new(s)
}

/// The revocation request for a refresh token (RFC 7009 §2.1), with the `client_id` of
/// `refreshParams` (a public client identifies itself so; the rest belongs to the grant).
pub fn revocation_body(token: &Secret, params: &Params) -> Secret {
    let t = token.expose();
    let mut s = String::with_capacity(3 * t.len() + params.client_id.len() + 48);
    push_form_pair(&mut s, "token", t);
    s.push_str("&token_type_hint=refresh_token");
    push_params(&mut s, '&', &params.client_id);
    Secret::new(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        let mut params = Params::default();
        for (k, v) in pairs {
            params.push(k, v);
        }
        params
    }

    #[test]
    fn json_and_form_bodies() {
        let token = Secret::new("r.1+/=".into());
        let (kind, body) =
            refresh_body(BodyFormat::Json, "refresh", Some(&token), &Params::default()).unwrap();
        assert_eq!((kind, body.expose()), ("application/json", r#"{"refresh":"r.1+/="}"#));
        let (kind, body) =
            refresh_body(BodyFormat::Form, "ignored", Some(&token), &Params::default()).unwrap();
        assert_eq!(kind, "application/x-www-form-urlencoded");
        assert_eq!(body.expose(), "grant_type=refresh_token&refresh_token=r.1%2B%2F%3D");
    }

    #[test]
    fn refresh_params_travel_in_the_format_in_use() {
        let token = Secret::new("rt".into());
        let extra = params(&[("client_id", "spa"), ("scope", "openid offline_access")]);
        let (_, form) = refresh_body(BodyFormat::Form, "refresh", Some(&token), &extra).unwrap();
        assert_eq!(
            form.expose(),
            "grant_type=refresh_token&refresh_token=rt&client_id=spa&scope=openid+offline_access"
        );
        let (_, json) = refresh_body(BodyFormat::Json, "refresh", Some(&token), &extra).unwrap();
        assert_eq!(
            json.expose(),
            r#"{"refresh":"rt","client_id":"spa","scope":"openid offline_access"}"#
        );
        // Cookie mode: the token is in the cookie; the parameters still go in the body.
        let spa = params(&[("client_id", "spa")]);
        let (_, cookie) = refresh_body(BodyFormat::Json, "refresh", None, &spa).unwrap();
        assert_eq!(cookie.expose(), r#"{"client_id":"spa"}"#);
        let (_, cookie) = refresh_body(BodyFormat::Form, "refresh", None, &spa).unwrap();
        assert_eq!(cookie.expose(), "grant_type=refresh_token&client_id=spa");
        assert!(refresh_body(BodyFormat::Form, "refresh", None, &Params::default()).is_none());
        // Quotes, backslashes and control characters are escaped as \u00XX; JSON reads them back.
        let odd = params(&[("k\"", "a\\b\n")]);
        let (_, json) = refresh_body(BodyFormat::Json, "refresh", None, &odd).unwrap();
        assert_eq!(json.expose(), r#"{"k\u0022":"a\u005cb\u000a"}"#);
        let parsed = crate::json::parse(json.expose()).unwrap();
        assert_eq!(parsed.get("k\"").and_then(crate::json::Json::as_str), Some("a\\b\n"));
    }

    #[test]
    fn code_and_revocation_bodies() {
        let extra = params(&[("client_id", "spa"), ("scope", "openid")]);
        let code = code_body("c/1", "v~2", "http://127.0.0.1:1/cb?x=1", &extra);
        assert_eq!(
            code.expose(),
            "grant_type=authorization_code&code=c%2F1&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcb%3Fx%3D1&code_verifier=v%7E2&client_id=spa&scope=openid"
        );
        let revoke = revocation_body(&Secret::new("r+t".into()), &extra);
        assert_eq!(revoke.expose(), "token=r%2Bt&token_type_hint=refresh_token&client_id=spa");
    }
}
