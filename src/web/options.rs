//! Reads and validates the options of `createTokenManager`. Every problem fails at once with a
//! message naming the option, and unknown options are refused (a typo must not silently fall
//! back to a default).

use crate::prelude::*;
use core::cell::{Cell, RefCell};

use wasm_bindgen::{JsCast, JsValue};

use super::convert::{get, location_href, string_or_empty};
use super::platform::Platform;
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
    /// One of two strings, the first the default; kept as `true` for the second.
    Choice(&'static str, &'static str),
    /// A non-empty string.
    Name,
    /// A number in `[min, max]`.
    Number(f64, f64),
    Function,
    Bool,
    /// A plain object (not an array), its entries read by `each_entry`.
    Object,
    /// An array.
    List,
}

/// Every option: name, kind, and what a person is told when its value is wrong. The index in
/// this table is how `parse` finds a value.
const TABLE: [(&str, Kind, &str); 20] = [
    ("refreshUrl", Kind::Url, "must be a valid URL string"),
    ("loginUrl", Kind::Url, "must be a valid URL string"),
    ("logoutUrl", Kind::Url, "must be a valid URL string"),
    ("refreshTokenIn", Kind::Choice("cookie", "body"), "must be \"cookie\" or \"body\""),
    ("refreshBody", Kind::Choice("json", "form"), "must be \"json\" or \"form\""),
    ("accessTokenField", Kind::Name, "must be a non-empty string"),
    ("refreshTokenField", Kind::Name, "must be a non-empty string"),
    ("allowedOrigins", Kind::List, ORIGINS),
    ("refreshMarginSeconds", Kind::Number(0.0, 86_400.0), "must be a number from 0 to 86400"),
    ("refreshTimeoutMs", Kind::Number(1.0, 600_000.0), "must be a number from 1 to 600000"),
    ("refreshHeaders", Kind::Object, HEADERS),
    ("crossTab", Kind::Bool, "must be true or false"),
    ("fetch", Kind::Function, "must be a function"),
    ("errorCodes", Kind::Object, CODES),
    ("shouldRefresh", Kind::Function, "must be a function"),
    ("loopBreaker", Kind::Object, BREAKER),
    ("warnings", Kind::Bool, "must be true or false"),
    ("refreshParams", Kind::Object, "must be an object of string values"),
    ("revocationUrl", Kind::Url, "must be a valid URL string"),
    ("tokenUrl", Kind::Url, "must be a valid URL string"),
];

const ORIGINS: &str =
    "must be an array of origins such as \"https://api.example.com\" (scheme, host and port only)";
const HEADERS: &str = "must map valid header names to string values";
const CODES: &str = "must map error codes to \"refresh\", \"endSession\" or \"passThrough\"";
const BREAKER: &str =
    "must be { maxRefreshes: a number from 1 to 1000, windowSeconds: a number from 1 to 3600 }";

/// Whether `value` is an object that is not an array (`{ key: value }`).
fn is_map(value: &JsValue) -> bool {
    value.is_object() && !js_sys::Array::is_array(value)
}

/// Checks `value` against `kind`; `Some` is the value to keep (a URL resolved), `None` a
/// value of the wrong kind. `undefined` and `null` are not given here: they mean "absent".
fn check(value: JsValue, kind: Kind, base: Option<&str>) -> Option<JsValue> {
    let ok = match kind {
        Kind::Url => return resolve_url(&value.as_string()?, base).map(JsValue::from),
        // Kept as whether it is the second of the two (`parse` then reads a bool).
        Kind::Choice(a, b) => {
            let text = value.as_string()?;
            return (text == a || text == b).then(|| JsValue::from_bool(text == b));
        }
        Kind::Name => value.as_string().is_some_and(|v| !v.is_empty()),
        Kind::Number(min, max) => value.as_f64().is_some_and(|n| n >= min && n <= max),
        Kind::Function => value.is_function(),
        Kind::Bool => value.as_bool().is_some(),
        Kind::Object => is_map(&value),
        Kind::List => js_sys::Array::is_array(&value),
    };
    ok.then_some(value)
}

/// Why the options were refused: the option (for `refreshParams`, the field as
/// `refreshParams.name`) and what is wrong with it.
pub struct OptionsError {
    option: String,
    problem: &'static str,
}

impl OptionsError {
    fn new(option: &str, problem: &'static str) -> Self {
        OptionsError { option: option.into(), problem }
    }

    /// An option name tokenflight does not know (a typo must not silently fall back). Echoed
    /// only when it looks like a misspelt option name: an app that spreads a token object or a
    /// map keyed by tokens into the options must not print a token.
    fn unknown(key: String) -> Self {
        let name_like = key.len() <= 24
            && key.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'$');
        OptionsError {
            option: if name_like { key } else { "(a name that is not an option name)".into() },
            problem: "is not an option of tokenflight; check its spelling",
        }
    }

    /// The message a person reads, worded as every `InvalidOptions` error.
    pub fn message(&self) -> String {
        crate::error::option_message(&self.option, self.problem)
    }
}

/// The error of row `index` of `TABLE`.
fn row_error(index: usize) -> OptionsError {
    let (name, _, problem) = TABLE[index];
    OptionsError::new(name, problem)
}

/// What is done with each entry of an object-shaped option.
trait Visit {
    /// Takes one entry (`value` as `Reflect.get` read it), or says what is wrong with it.
    fn visit(&mut self, key: String, value: JsValue) -> Result<(), OptionsError>;
}

/// Walks the own enumerable entries of an object-shaped value (already checked as
/// `Kind::Object`); anything else (an absent option) has none. One loop for every such option.
fn each_entry(object: &JsValue, visit: &mut dyn Visit) -> Result<(), OptionsError> {
    if object.is_object() {
        for key in js_sys::Object::keys(object.unchecked_ref::<js_sys::Object>()).iter() {
            let key = key.as_string().unwrap_or_default();
            let value = get(object, &key);
            visit.visit(key, value)?;
        }
    }
    Ok(())
}

/// Options read against a table (the options object against `TABLE`, `loopBreaker` against
/// `BREAKER_TABLE`): each value checked against its row and kept at its index.
struct Values<'a> {
    table: &'static [(&'static str, Kind, &'static str)],
    values: &'a mut [JsValue],
    base: Option<&'a str>,
}

impl Visit for Values<'_> {
    fn visit(&mut self, key: String, value: JsValue) -> Result<(), OptionsError> {
        let Some(index) = self.table.iter().position(|(name, _, _)| *name == key) else {
            return Err(OptionsError::unknown(key));
        };
        if !(value.is_undefined() || value.is_null()) {
            let (_, kind, problem) = self.table[index];
            self.values[index] =
                check(value, kind, self.base).ok_or(OptionsError { option: key, problem })?;
        }
        Ok(())
    }
}

/// `loopBreaker: { maxRefreshes, windowSeconds }` (its errors name `loopBreaker`).
const BREAKER_TABLE: [(&str, Kind, &str); 2] = [
    ("maxRefreshes", Kind::Number(1.0, 1000.0), BREAKER),
    ("windowSeconds", Kind::Number(1.0, 3600.0), BREAKER),
];

/// `errorCodes: { TOKEN_EXPIRED: "refresh", TOKEN_REVOKED: "endSession", ... }`.
struct Codes(Vec<(String, CodeAction)>);

impl Visit for Codes {
    fn visit(&mut self, code: String, value: JsValue) -> Result<(), OptionsError> {
        let action =
            value.as_string().and_then(|a| CodeAction::parse(&a)).ok_or_else(|| row_error(13))?;
        self.0.push((code, action));
        Ok(())
    }
}

/// `refreshParams: { client_id: "spa", scope: "openid offline_access" }`: string values only,
/// and none of the fields the grants themselves carry (nor the JSON refresh-token member).
struct ParamsVisit<'a> {
    params: Params,
    refresh_field: &'a str,
}

impl Visit for ParamsVisit<'_> {
    fn visit(&mut self, key: String, value: JsValue) -> Result<(), OptionsError> {
        let problem = match value.as_string() {
            // The fields tokenflight sets itself in token requests.
            _ if key == self.refresh_field
                || matches!(
                    key.as_str(),
                    "grant_type" | "refresh_token" | "code" | "code_verifier" | "redirect_uri"
                ) =>
            {
                "is set by tokenflight itself"
            }
            Some(v) => {
                self.params.push(&key, &v);
                return Ok(());
            }
            None => "must be a string",
        };
        let mut option = String::from("refreshParams.");
        option.push_str(&key);
        Err(OptionsError { option, problem })
    }
}

impl Options {
    /// Parses the options object.
    pub fn parse(raw: &JsValue) -> Result<Rc<Options>, OptionsError> {
        let base = location_href();
        let base = base.as_deref();
        if !is_map(raw) {
            return Err(OptionsError::new(
                "options",
                "must be an object such as { refreshUrl: \"/api/token/refresh/\" }",
            ));
        }
        let mut values: [JsValue; TABLE.len()] = Default::default();
        each_entry(raw, &mut Values { table: &TABLE, values: &mut values, base })?;
        let text = |i: usize| values[i].as_string();
        let number = |i: usize, default: f64| values[i].as_f64().unwrap_or(default);
        let function = |i: usize| values[i].clone().dyn_into::<js_sys::Function>().ok();
        let refresh_url = text(0).ok_or_else(|| {
            OptionsError::new("refreshUrl", "is required (the URL of the token refresh endpoint)")
        })?;
        let mut breaker: [JsValue; 2] = Default::default();
        each_entry(&values[15], &mut Values { table: &BREAKER_TABLE, values: &mut breaker, base })
            .map_err(|_| row_error(15))?;
        let breaker = |i: usize, default: f64| breaker[i].as_f64().unwrap_or(default);
        let mut codes = Codes(Vec::new());
        each_entry(&values[13], &mut codes)?;
        let allowed_origins = allowed_origins(&values[7], base).ok_or_else(|| row_error(7))?;
        let refresh_headers = match &values[10] {
            v if v.is_undefined() => None,
            v => Some(
                web_sys::Headers::new_with_record_from_str_to_str(v.unchecked_ref())
                    .map_err(|_| row_error(10))?,
            ),
        };
        let fields = FieldNames { access: text(5), refresh: text(6) };
        let mut params = ParamsVisit {
            params: Params::default(),
            refresh_field: fields.refresh.as_deref().unwrap_or("refresh"),
        };
        each_entry(&values[17], &mut params)?;
        let refresh_params = params.params;
        let refresh_token_in =
            if values[3].is_truthy() { RefreshTokenIn::Body } else { RefreshTokenIn::Cookie };
        Ok(Rc::new(Options {
            refresh_url,
            login_url: text(1),
            logout_url: text(2),
            refresh_token_in,
            body_format: if values[4].is_truthy() { BodyFormat::Form } else { BodyFormat::Json },
            fields,
            allowed_origins,
            endpoint_timeout_ms: number(9, 10_000.0) as u32,
            config: Config {
                margin_s: number(8, 30.0),
                max_refreshes: breaker(0, 10.0) as u32,
                window_s: breaker(1, 30.0),
                ..Config::new(refresh_token_in)
            },
            should_refresh: function(14),
            refresh_headers,
            error_codes: codes.0,
            fetch: function(12),
            refresh_params,
            revocation_url: text(18),
            token_url: text(19),
            cross_tab: values[11].as_bool().unwrap_or(true),
            warnings: Cell::new(values[16].as_bool().unwrap_or(true)),
            platform: Platform::capture(),
            server_text: RefCell::default(),
        }))
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

/// The normalized origins (default: the page's own origin only), or `None` when an item is
/// not an origin.
fn allowed_origins(value: &JsValue, base: Option<&str>) -> Option<Vec<String>> {
    if value.is_undefined() {
        return Some(
            base.and_then(|b| web_sys::Url::new(b).ok())
                .map(|u| vec![string_or_empty(&u, "origin")])
                .unwrap_or_default(),
        );
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
    let origin = string_or_empty(&url, "origin");
    // Exactly an origin: nothing after it but the root path (no userinfo, path, query, hash).
    let bare = string_or_empty(&url, "href").len() == origin.len() + 1
        && !matches!(text.as_bytes().last(), Some(b'?' | b'#'));
    // Only ftp, http(s) and ws(s) URLs have a `scheme://host` origin (others print "null"), so
    // "http" as its start means http:// or https://.
    let http = origin.starts_with("http");
    (bare && http).then_some(origin)
}

/// Resolves `url` against the page's URL (absolute URLs need no base).
pub fn resolve_url(url: &str, base: Option<&str>) -> Option<String> {
    // Without a base (no `location`), the URL is its own base: only an absolute one parses.
    let parsed = web_sys::Url::new_with_base(url, base.unwrap_or(url)).ok()?;
    Some(string_or_empty(&parsed, "href"))
}
