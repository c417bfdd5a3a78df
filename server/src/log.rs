//! One stderr line per request: `METHOD PATH STATUS [CODE] ELAPSEDms`.
//!
//! Only the path is logged (never the query, headers or body), so no token or password can
//! reach the log. A request that never gets an answer (the `hang` and `drop_after_rotation`
//! faults) is logged once, when its connection goes away, with status `-` and `NO_RESPONSE`.

use std::io::Write;
use std::time::Instant;

use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use crate::reply::RejectCode;

pub async fn log_request(req: Request, next: Next) -> Response {
    let mut pending = Pending {
        method: req.method().clone(),
        path: req.uri().path().to_owned(),
        start: Instant::now(),
        done: false,
    };
    let res = next.run(req).await;
    pending.done = true;
    let code = res.extensions().get::<RejectCode>().map(|c| c.0);
    pending.write(res.status().as_str(), code);
    res
}

/// Logs the request if its future is dropped before a response exists.
struct Pending {
    method: Method,
    path: String,
    start: Instant,
    done: bool,
}

impl Pending {
    fn write(&self, status: &str, code: Option<&str>) {
        let ms = self.start.elapsed().as_millis();
        let code = code.map(|c| format!(" {c}")).unwrap_or_default();
        // A closed stderr must not take the server down: ignore write errors.
        let _ = writeln!(
            std::io::stderr().lock(),
            "{} {} {status}{code} {ms}ms",
            self.method,
            self.path
        );
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.done {
            self.write("-", Some("NO_RESPONSE"));
        }
    }
}
