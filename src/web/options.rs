//! Reads and validates the options of `createTokenManager`. Every problem fails at once with a
//! message naming the option, and unknown options are refused (a typo must not silently fall
//! back to a default).

use crate::prelude::*;
use core::cell::{Cell, RefCell};

use wasm_bindgen::{JsCast, JsValue};

use super::convert::{get, location_href};
use super::platform::Platform;
use crate::error::Error;
use crate::grant::FieldNames;
use crate::refresh::body::{BodyFormat, Params};
use crate::refresh::coordinator::Config;
use crate::refresh::policy::CodeAction;
use crate::session::RefreshTokenIn;

/// Validated options.
pub struct Options {
    pub refresh_url: String,
    pub login_url: Option<String>,
    pub logout_url: Option<String>,
    pub refresh_token_in: RefreshTokenIn,
    pub body_format: BodyFormat,
    pub fields: FieldNames,
    /// Exact origins (scheme://host:port) that receive the token.
    pub allowed_origins: Vec<String>,
    /// `refreshTimeoutMs`: bounds every auth endpoint call (refresh, login, logout).
    pub endpoint_timeout_ms: u32,
    /// Lifecycle settings: refresh-token location, renewal margin, loop breaker.
    pub config: Config,
    /// `shouldRefresh(response)`: decides for 401/403 answers no error code decided.
    pub should_refresh: Option<js_sys::Function>,
    /// Static headers for the refresh call (copied into each request).
    pub refresh_headers: Option<web_sys::Headers>,
    /// Server error codes (JSON `code` or `error` of 401/403 answers) mapped to an action.
    pub error_codes: Vec<(String, CodeAction)>,
    /// A fetch implementation to use instead of the global one (tests, instrumentation).
    pub fetch: Option<js_sys::Function>,
    /// `fetch`, `Request`, `Headers.prototype.set` as they were at creation (see platform.rs).
    pub platform: Platform,
    /// Extra fields of every token request (`refreshParams`), e.g. a public client's `client_id`.
    pub refresh_params: Params,
    /// RFC 7009 revocation endpoint, told about the refresh token on `logout()` (body mode).
    pub revocation_url: Option<String>,
    /// Token endpoint for `exchangeCode()`; `None`: `refresh_url`.
    pub token_url: Option<String>,
    /// `crossTab`: coordinate with the other tabs of the origin (default true).
    pub cross_tab: bool,
    /// `warnings` (default true): the personal-data warning may still be given. Cleared once it
    /// was, so it is given once per manager (`privacy.rs`).
    pub warnings: Cell<bool>,
    /// The `error_description` of the token endpoint's newest error answer (sanitized), shown
    /// in `RefreshMisconfigured`'s message at the JavaScript edge.
    pub server_text: RefCell<String>,
}

/// How an option's value is checked. The checks of the whole table share one error path
/// (a path per option would cost Wasm size at every `?`).
#[derive(Clone, Copy)]
enum Kind {
    /// A string URL, resolved against the page.
    Url,
    /// One of two strings, the first the default.
    Choice(&'static str, &'static str),
    /// A non-empty string.
    Name,
    /// A number in `[min, max]`.
    Number(f64, f64),
    Function,
    Bool,
    /// Checked by its own code in `parse_known` (objects and arrays).
    Custom,
}

/// Every option: name, kind, and what a person is told when its value is wrong. The index in
/// this table is how `parse_known` finds a value.
const TABLE: [(&str, Kind, &str); 20] = [
    ("refreshUrl", Kind::Url, "must be a valid URL string"),
    ("loginUrl", Kind::Url, "must be a valid URL string"),
    ("logoutUrl", Kind::Url, "must be a valid URL string"),
    ("refreshTokenIn", Kind::Choice("cookie", "body"), "must be \"cookie\" or \"body\""),
    ("refreshBody", Kind::Choice("json", "form"), "must be \"json\" or \"form\""),
    ("accessTokenField", Kind::Name, "must be a non-empty string"),
    ("refreshTokenField", Kind::Name, "must be a non-empty string"),
    ("allowedOrigins", Kind::Custom, ""),
    ("refreshMarginSeconds", Kind::Number(0.0, 86_400.0), "must be a number from 0 to 86400"),
    ("refreshTimeoutMs", Kind::Number(1.0, 600_000.0), "must be a number from 1 to 600000"),
    ("refreshHeaders", Kind::Custom, ""),
    ("crossTab", Kind::Bool, "must be true or false"),
    ("fetch", Kind::Function, "must be a function"),
    ("errorCodes", Kind::Custom, ""),
    ("shouldRefresh", Kind::Function, "must be a function"),
    ("loopBreaker", Kind::Custom, ""),
    ("warnings", Kind::Bool, "must be true or false"),
    ("refreshParams", Kind::Custom, ""),
    ("revocationUrl", Kind::Url, "must be a valid URL string"),
    ("tokenUrl", Kind::Url, "must be a valid URL string"),
];

/// Checks `value` against `kind`; `Some` is the value to keep (a URL resolved), `None` a
/// value of the wrong kind. `undefined` and `null` are not given here: they mean "absent".
fn check(value: JsValue, kind: Kind, base: Option<&str>) -> Option<JsValue> {
    let ok = match kind {
        Kind::Url => return resolve_url(&value.as_string()?, base).map(JsValue::from),
        Kind::Choice(a, b) => value.as_string().is_some_and(|v| v == a || v == b),
        Kind::Name => value.as_string().is_some_and(|v| !v.is_empty()),
        Kind::Number(min, max) => value.as_f64().is_some_and(|n| n >= min && n <= max),
        Kind::Function => value.is_function(),
        Kind::Bool => value.as_bool().is_some(),
        Kind::Custom => true,
    };
    ok.then_some(value)
}

/// Why the options were refused.
pub enum OptionsError {
    /// A known option has a bad value.
    Invalid(Error),
    /// An option name tokenflight does not know (a typo must not silently fall back).
    Unknown(String),
    /// A field of `refreshParams` that cannot be sent: its name, and why.
    Param(String, &'static str),
}

impl From<Error> for OptionsError {
    fn from(error: Error) -> Self {
        OptionsError::Invalid(error)
    }
}

fn invalid(option: &'static str, problem: &'static str) -> Error {
    Error::InvalidOptions { option, problem }
}

impl Options {
    /// Parses the options object.
    pub fn parse(raw: &JsValue) -> Result<Options, OptionsError> {
        if !raw.is_object() {
            return Err(OptionsError::Invalid(invalid(
                "options",
                "must be an object such as { refreshUrl: \"/api/token/refresh/\" }",
            )));
        }
        let base = location_href();
        let mut values: [JsValue; TABLE.len()] = Default::default();
        for key in js_sys::Object::keys(raw.unchecked_ref::<js_sys::Object>()).iter() {
            let key = key.as_string().unwrap_or_default();
            let Some(index) = TABLE.iter().position(|(name, _, _)| *name == key) else {
                return Err(OptionsError::Unknown(key));
            };
            let value = get(raw, &key);
            if value.is_undefined() || value.is_null() {
                continue;
            }
            let (name, kind, problem) = TABLE[index];
            values[index] = check(value, kind, base.as_deref()).ok_or(invalid(name, problem))?;
        }
        let mut options = Options::parse_known(&values, base.as_deref())?;
        options.refresh_params = refresh_params(&values[17], options.refresh_field())?;
        Ok(options)
    }

    /// Builds the options from the checked values (indexed as `TABLE`; `undefined`: absent).
    fn parse_known(values: &[JsValue; TABLE.len()], base: Option<&str>) -> Result<Options, Error> {
        let text = |i: usize| values[i].as_string();
        let number = |i: usize, default: f64| values[i].as_f64().unwrap_or(default);
        let function = |i: usize| values[i].clone().dyn_into::<js_sys::Function>().ok();
        let refresh_token_in = match text(3).as_deref() {
            Some("body") => RefreshTokenIn::Body,
            _ => RefreshTokenIn::Cookie,
        };
        let breaker = &values[15];
        let breaker_number =
            |key: &'static str, default: f64, min: f64, max: f64| match get(breaker, key) {
                v if v.is_undefined() => Ok(default),
                v => check(v, Kind::Number(min, max), None).and_then(|v| v.as_f64()).ok_or(
                    invalid(key, "must be a number in its allowed range (see the documentation)"),
                ),
            };
        // Filled in place: on the first problem only this one value is dropped, where separate
        // locals would each need their own cleanup path.
        let mut o = Options {
            refresh_url: text(0).ok_or(invalid(
                "refreshUrl",
                "is required (the URL of the token refresh endpoint)",
            ))?,
            login_url: text(1),
            logout_url: text(2),
            refresh_token_in,
            body_format: if text(4).as_deref() == Some("form") {
                BodyFormat::Form
            } else {
                BodyFormat::Json
            },
            fields: FieldNames { access: text(5), refresh: text(6) },
            allowed_origins: Vec::new(),
            endpoint_timeout_ms: number(9, 10_000.0) as u32,
            config: Config::new(refresh_token_in),
            should_refresh: function(14),
            refresh_headers: None,
            error_codes: Vec::new(),
            fetch: function(12),
            refresh_params: Params::default(),
            revocation_url: text(18),
            token_url: text(19),
            cross_tab: values[11].as_bool().unwrap_or(true),
            warnings: Cell::new(values[16].as_bool().unwrap_or(true)),
            platform: Platform::capture(),
            server_text: RefCell::default(),
        };
        o.config = Config {
            margin_s: number(8, 30.0),
            max_refreshes: breaker_number("maxRefreshes", 10.0, 1.0, 1000.0)? as u32,
            window_s: breaker_number("windowSeconds", 30.0, 1.0, 3600.0)?,
            ..o.config
        };
        o.allowed_origins = allowed_origins(&values[7], base)?;
        o.refresh_headers = headers(&values[10])?;
        o.error_codes = error_codes(&values[13])?;
        Ok(o)
    }

    /// The JSON member that carries the refresh token in request bodies.
    pub fn refresh_field(&self) -> &str {
        self.fields.refresh.as_deref().unwrap_or("refresh")
    }

    /// Whether `url` (an origin as `URL.origin` prints it, or a serialized URL such as
    /// `Request.url`) may receive the token.
    pub fn allows(&self, url: &str) -> bool {
        self.allowed_origins.iter().any(|o| crate::origin::in_origin(url, o))
    }
}

/// `errorCodes: { TOKEN_EXPIRED: "refresh", TOKEN_REVOKED: "endSession", ... }`.
fn error_codes(value: &JsValue) -> Result<Vec<(String, CodeAction)>, Error> {
    if value.is_undefined() {
        return Ok(Vec::new());
    }
    code_map(value).ok_or_else(|| {
        invalid(
            "errorCodes",
            "must map error codes to \"refresh\", \"endSession\" or \"passThrough\"",
        )
    })
}

/// The map, or `None` when it is not an object or an action is unknown. (One error site for
/// the whole option: each `?` with its own error would cost its own cleanup path.)
fn code_map(value: &JsValue) -> Option<Vec<(String, CodeAction)>> {
    let object = value.dyn_ref::<js_sys::Object>()?;
    let mut map = Vec::new();
    for key in js_sys::Object::keys(object).iter() {
        let code = key.as_string().unwrap_or_default();
        let action = CodeAction::parse(&get(value, &code).as_string()?)?;
        map.push((code, action));
    }
    Some(map)
}

/// `refreshParams: { client_id: "spa", scope: "openid offline_access" }`: string values only,
/// and none of the fields the grants themselves carry (nor the JSON refresh-token member).
fn refresh_params(value: &JsValue, refresh_field: &str) -> Result<Params, OptionsError> {
    let mut params = Params::default();
    if value.is_undefined() {
        return Ok(params);
    }
    let object = value
        .dyn_ref::<js_sys::Object>()
        .filter(|_| !js_sys::Array::is_array(value))
        .ok_or_else(|| invalid("refreshParams", "must be an object of string values"))?;
    for key in js_sys::Object::keys(object).iter() {
        let key = key.as_string().unwrap_or_default();
        let problem = match get(value, &key).as_string() {
            // The fields tokenflight sets itself in token requests.
            _ if key == refresh_field
                || matches!(
                    key.as_str(),
                    "grant_type" | "refresh_token" | "code" | "code_verifier" | "redirect_uri"
                ) =>
            {
                "is set by tokenflight itself"
            }
            Some(v) => {
                params.push(&key, &v);
                continue;
            }
            None => "must be a string",
        };
        return Err(OptionsError::Param(key, problem));
    }
    Ok(params)
}

/// The static refresh headers as a `Headers` object: the browser validates names and values.
fn headers(value: &JsValue) -> Result<Option<web_sys::Headers>, Error> {
    if value.is_undefined() {
        return Ok(None);
    }
    value
        .dyn_ref::<js_sys::Object>()
        .and_then(|o| web_sys::Headers::new_with_record_from_str_to_str(o).ok())
        .map(Some)
        .ok_or_else(|| invalid("refreshHeaders", "must map valid header names to string values"))
}

fn allowed_origins(value: &JsValue, base: Option<&str>) -> Result<Vec<String>, Error> {
    if value.is_undefined() {
        // Default: the page's own origin only.
        return Ok(base
            .and_then(|b| web_sys::Url::new(b).ok())
            .map(|u| vec![u.origin()])
            .unwrap_or_default());
    }
    origin_list(value).ok_or_else(|| {
        invalid(
            "allowedOrigins",
            "must be an array of origins such as \"https://api.example.com\" (scheme, host and port only)",
        )
    })
}

/// The normalized origins, or `None` when `value` is not an array of origins (one error site,
/// as in `code_map`).
fn origin_list(value: &JsValue) -> Option<Vec<String>> {
    if !js_sys::Array::is_array(value) {
        return None;
    }
    let mut origins = Vec::new();
    for item in js_sys::Array::from(value).iter() {
        origins.push(normalize_origin(&item.as_string()?)?);
    }
    Some(origins)
}

/// `https://API.example.com:443/` → `https://api.example.com`. Refuses paths, queries,
/// credentials and non-HTTP schemes: an origin must be exactly an origin.
fn normalize_origin(text: &str) -> Option<String> {
    let url = web_sys::Url::new(text).ok()?;
    let origin = url.origin();
    // Exactly an origin: nothing after it but the root path (no userinfo, path, query, hash).
    let bare = url.href().len() == origin.len() + 1
        && !matches!(text.as_bytes().last(), Some(b'?' | b'#'));
    // Only ftp, http(s) and ws(s) URLs have a `scheme://host` origin (others print "null"), so
    // "http" as its start means http:// or https://.
    let http = origin.starts_with("http");
    (bare && http).then_some(origin)
}

/// Resolves `url` against the page's URL (absolute URLs need no base).
pub fn resolve_url(url: &str, base: Option<&str>) -> Option<String> {
    let parsed = match base {
        Some(b) => web_sys::Url::new_with_base(url, b).ok()?,
        None => web_sys::Url::new(url).ok()?,
    };
    Some(parsed.href())
}
