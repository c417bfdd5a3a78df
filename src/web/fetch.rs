//! `auth.fetch`: one request through the token pipeline — wait for a running or due renewal,
//! send with the current token, judge the answer, refresh once if needed, replay once.

use wasm_bindgen::JsValue;
use web_sys::Response;

use super::abort::until_aborted;
use super::convert::{call_method, header, string_or_empty};
use super::executor::Settled;
use super::host::WebHost;
use super::js_error::{endpoint_error, js_error, non_replayable};
use super::net::{error_body, send};
use super::options::Options;
use super::request::Outgoing;
use crate::error::{EndReason, Error};
use crate::prelude::*;
use crate::refresh::coordinator::{Coordinator, Renewal};
use crate::refresh::policy::{code_action, judge, Answer, CodeAction, Sent, Verdict};
use crate::token::Secret;

type Core = Coordinator<WebHost>;

/// `auth.fetch(input, init)`.
pub async fn fetch(core: &Rc<Core>, input: &JsValue, init: &JsValue) -> Result<JsValue, JsValue> {
    let options = &core.host().options;
    let outgoing = Outgoing::new(input, init, options)?;
    if !outgoing.managed {
        return send(options, outgoing.untouched()).await.map(Into::into);
    }
    until_aborted(&outgoing.signal(), managed(core, options, &outgoing)).await
}

async fn managed(
    core: &Rc<Core>,
    options: &Options,
    outgoing: &Outgoing,
) -> Result<JsValue, JsValue> {
    // Never send the old token while a renewal runs (share its failure), nor one that is due:
    // after sleep a request may come before the timer or page event, and it renews first.
    if let Some(Err(e)) = core.wait_running().await {
        return Err(endpoint_error(options, &e));
    }
    if let Some(Err(e @ (Error::SessionExpired(_) | Error::LoggedOut))) = core.renew_if_due().await
    {
        return Err(js_error(&e));
    }
    let (bearer, generation) = current_bearer(core);
    let first = send(options, &outgoing.attempt(&options.platform, bearer.as_ref())?).await?;
    drop(bearer);
    let status = first.status();
    let www_authenticate = header(&first, "www-authenticate");
    let code_action = server_decision(options, &first).await;
    let answer = Answer { status, www_authenticate: www_authenticate.as_deref(), code_action };
    // A 401 from wherever a redirect led is not ours to judge: refreshing on it would let any
    // redirect target end or churn the session. (Synthetic responses have no URL and are not
    // redirected.)
    // (`Response.url` is serialized, like `Request.url`: `allows` reads its origin as its prefix.)
    let allowed_origin = !first.redirected() || options.allows(&string_or_empty(&first, "url"));
    let sent = Sent { allowed_origin, generation, replayed: false };
    let current = core.session().token_generation();
    match judge(answer, sent, current) {
        Verdict::PassThrough => return Ok(first.into()),
        Verdict::Replay => {}
        Verdict::EndSession => {
            core.end(EndReason::Revoked);
            return Err(js_error(&Error::SessionExpired(EndReason::Revoked)));
        }
        Verdict::RefreshThenReplay => match core.renew_after(generation).await {
            Ok(Renewal::Renewed(_)) => {}
            Ok(Renewal::Unavailable) => return Ok(first.into()),
            Err(e) => return Err(endpoint_error(options, &e)),
        },
    }
    if !outgoing.replayable {
        return Err(non_replayable(&first));
    }
    let (bearer, generation) = current_bearer(core);
    if bearer.is_none() {
        return Err(js_error(&Error::LoggedOut));
    }
    core.count_replay();
    // The replay's answer goes to the caller whatever it is (a request is replayed at most
    // once), but for a 401 after its session ended while it was in flight (a logout): that
    // meets the end's error, like every request that carried one of the session's tokens.
    let second = send(options, &outgoing.attempt(&options.platform, bearer.as_ref())?).await?;
    if second.status() == 401 {
        if let Some(e) = core.session().refused_after_end(generation) {
            return Err(js_error(&e));
        }
    }
    Ok(second.into())
}

/// The bearer header for the token held now, and its generation (`None`: no token).
fn current_bearer(core: &Core) -> (Option<Secret>, Option<u64>) {
    match core.session().access() {
        Some((token, generation)) => (Some(token.bearer_header()), Some(generation)),
        None => (None, None),
    }
}

/// What the server's 401/403 answer says, per the app's `errorCodes` map, else its
/// `shouldRefresh(response)` hook (given a clone; may return a promise). `None`: the default
/// rules decide (also when the hook throws or rejects).
async fn server_decision(options: &Options, response: &Response) -> Option<CodeAction> {
    if response.status() != 401 && response.status() != 403 {
        return None;
    }
    if !options.error_codes.is_empty() {
        let mapped = code_action(&options.error_codes, error_body(response).await.as_deref());
        if mapped.is_some() {
            return mapped;
        }
    }
    let hook = options.should_refresh.as_ref()?;
    let copy = call_method(response, "clone", &JsValue::UNDEFINED).ok()?;
    let answer = hook.call1(&JsValue::UNDEFINED, &copy).ok()?;
    let answer = Settled::new(&js_sys::Promise::resolve(&answer)).await.ok()?;
    Some(if answer.is_truthy() { CodeAction::Refresh } else { CodeAction::PassThrough })
}
