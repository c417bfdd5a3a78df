//! Reads and validates the options of `createTokenManager`. Every problem fails at once with a
//! message naming the option, and unknown options are refused (a typo must not silently fall
//! back to a default).

use crate::prelude::*;

use wasm_bindgen::{JsCast, JsValue};

use super::convert::{get, location_href};
use super::platform::Platform;
use crate::error::Error;
use crate::refresh::body::BodyFormat;
use crate::refresh::coordinator::Config;
use crate::refresh::grant::FieldNames;
use crate::refresh::policy::CodeAction;
use crate::session::Mode;

/// Validated options.
pub struct Options {
    pub refresh_url: String,
    pub login_url: Option<String>,
    pub logout_url: Option<String>,
    pub mode: Mode,
    pub body_format: BodyFormat,
    pub fields: FieldNames,
    /// Exact origins (scheme://host:port) that receive the token.
    pub allowed_origins: Vec<String>,
    pub refresh_timeout_ms: u32,
    /// Lifecycle settings: mode, renewal margin, loop breaker.
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
    /// `crossTab`: coordinate with the other tabs of the origin (default true).
    pub cross_tab: bool,
}

const KNOWN: [&str; 16] = [
    "refreshUrl",
    "loginUrl",
    "logoutUrl",
    "refreshTokenIn",
    "refreshBody",
    "accessTokenField",
    "refreshTokenField",
    "allowedOrigins",
    "refreshMarginSeconds",
    "refreshTimeoutMs",
    "refreshHeaders",
    "crossTab",
    "fetch",
    "errorCodes",
    "shouldRefresh",
    "loopBreaker",
];

/// Why the options were refused.
pub enum OptionsError {
    /// A known option has a bad value.
    Invalid(Error),
    /// An option name tokenflight does not know (a typo must not silently fall back).
    Unknown(String),
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
        for key in js_sys::Object::keys(raw.unchecked_ref::<js_sys::Object>()).iter() {
            let key = key.as_string().unwrap_or_default();
            if !KNOWN.contains(&key.as_str()) {
                return Err(OptionsError::Unknown(key));
            }
        }
        Ok(Options::parse_known(raw)?)
    }

    fn parse_known(raw: &JsValue) -> Result<Options, Error> {
        let base = location_href();
        let base = base.as_deref();
        // Filled in place, in the order options are validated: on the first problem only this
        // one value is dropped, where separate locals would each need their own cleanup path
        // (which costs Wasm size at every `?`).
        let mut o = Options {
            refresh_url: String::new(),
            login_url: None,
            logout_url: None,
            mode: Mode::Cookie,
            body_format: BodyFormat::Json,
            fields: FieldNames::default(),
            allowed_origins: Vec::new(),
            refresh_timeout_ms: 0,
            config: Config::new(Mode::Cookie),
            should_refresh: None,
            refresh_headers: None,
            error_codes: Vec::new(),
            fetch: None,
            platform: Platform::capture(),
            cross_tab: true,
        };
        o.refresh_url = match optional_string(raw, "refreshUrl")? {
            Some(u) => {
                resolve_url(&u, base).ok_or_else(|| invalid("refreshUrl", "is not a valid URL"))?
            }
            None => {
                return Err(invalid(
                    "refreshUrl",
                    "is required (the URL of the token refresh endpoint)",
                ))
            }
        };
        o.login_url = url_option(raw, "loginUrl", base)?;
        o.logout_url = url_option(raw, "logoutUrl", base)?;
        o.mode = match optional_string(raw, "refreshTokenIn")?.as_deref() {
            None | Some("cookie") => Mode::Cookie,
            Some("body") => Mode::Body,
            Some(_) => return Err(invalid("refreshTokenIn", "must be \"cookie\" or \"body\"")),
        };
        o.body_format = match optional_string(raw, "refreshBody")?.as_deref() {
            None | Some("json") => BodyFormat::Json,
            Some("form") => BodyFormat::Form,
            Some(_) => return Err(invalid("refreshBody", "must be \"json\" or \"form\"")),
        };
        o.fields.access = non_empty(raw, "accessTokenField")?;
        o.fields.refresh = non_empty(raw, "refreshTokenField")?;
        o.allowed_origins = allowed_origins(raw, base)?;
        let margin_s = number(raw, "refreshMarginSeconds", 30.0, 0.0, 86_400.0)?;
        let breaker = get(raw, "loopBreaker");
        o.config = Config {
            margin_s,
            max_refreshes: number(&breaker, "maxRefreshes", 10.0, 1.0, 1000.0)? as u32,
            window_s: number(&breaker, "windowSeconds", 30.0, 1.0, 3600.0)?,
            ..Config::new(o.mode)
        };
        o.should_refresh = function(raw, "shouldRefresh")?;
        o.refresh_timeout_ms = number(raw, "refreshTimeoutMs", 10_000.0, 1.0, 600_000.0)? as u32;
        o.refresh_headers = headers(raw)?;
        let cross_tab = get(raw, "crossTab");
        if !cross_tab.is_undefined() {
            o.cross_tab =
                cross_tab.as_bool().ok_or_else(|| invalid("crossTab", "must be true or false"))?;
        }
        o.error_codes = error_codes(raw)?;
        o.fetch = function(raw, "fetch")?;
        Ok(o)
    }

    /// The JSON member that carries the refresh token in request bodies.
    pub fn refresh_field(&self) -> &str {
        self.fields.refresh.as_deref().unwrap_or("refresh")
    }

    /// Whether `origin` (as `URL.origin` prints it) may receive the token.
    pub fn allows(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|o| o == origin)
    }
}

fn optional_string(raw: &JsValue, key: &'static str) -> Result<Option<String>, Error> {
    match get(raw, key) {
        v if v.is_undefined() || v.is_null() => Ok(None),
        v => v.as_string().map(Some).ok_or_else(|| invalid(key, "must be a string")),
    }
}

fn non_empty(raw: &JsValue, key: &'static str) -> Result<Option<String>, Error> {
    match optional_string(raw, key)? {
        Some(s) if s.is_empty() => Err(invalid(key, "must not be empty")),
        other => Ok(other),
    }
}

fn url_option(
    raw: &JsValue,
    key: &'static str,
    base: Option<&str>,
) -> Result<Option<String>, Error> {
    match optional_string(raw, key)? {
        Some(u) => {
            resolve_url(&u, base).map(Some).ok_or_else(|| invalid(key, "is not a valid URL"))
        }
        None => Ok(None),
    }
}

fn number(
    raw: &JsValue,
    key: &'static str,
    default: f64,
    min: f64,
    max: f64,
) -> Result<f64, Error> {
    match get(raw, key) {
        v if v.is_undefined() => Ok(default),
        v => match v.as_f64() {
            Some(n) if n >= min && n <= max => Ok(n),
            _ => Err(invalid(key, "must be a number in its allowed range (see the documentation)")),
        },
    }
}

/// `errorCodes: { TOKEN_EXPIRED: "refresh", TOKEN_REVOKED: "endSession", ... }`.
fn error_codes(raw: &JsValue) -> Result<Vec<(String, CodeAction)>, Error> {
    let value = get(raw, "errorCodes");
    if value.is_undefined() {
        return Ok(Vec::new());
    }
    code_map(&value).ok_or_else(|| {
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

/// The static refresh headers as a `Headers` object: the browser validates names and values.
fn headers(raw: &JsValue) -> Result<Option<web_sys::Headers>, Error> {
    let value = get(raw, "refreshHeaders");
    if value.is_undefined() {
        return Ok(None);
    }
    value
        .dyn_ref::<js_sys::Object>()
        .and_then(|o| web_sys::Headers::new_with_record_from_str_to_str(o).ok())
        .map(Some)
        .ok_or_else(|| invalid("refreshHeaders", "must map valid header names to string values"))
}

fn allowed_origins(raw: &JsValue, base: Option<&str>) -> Result<Vec<String>, Error> {
    let value = get(raw, "allowedOrigins");
    if value.is_undefined() {
        // Default: the page's own origin only.
        return Ok(base
            .and_then(|b| web_sys::Url::new(b).ok())
            .map(|u| vec![u.origin()])
            .unwrap_or_default());
    }
    origin_list(&value).ok_or_else(|| {
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

fn function(raw: &JsValue, key: &'static str) -> Result<Option<js_sys::Function>, Error> {
    match get(raw, key) {
        v if v.is_undefined() => Ok(None),
        v => v.dyn_into().map(Some).map_err(|_| invalid(key, "must be a function")),
    }
}
