//! Cross-tab coordination, driven natively: several coordinators (tabs) of one fake origin with
//! a shared lock and a channel whose messages the test delivers.

mod support;

use std::cell::RefCell;
use std::rc::Rc;

use futures::task::LocalSpawnExt;
use support::origin::{settle, tabs};
use support::{access_of, grant, Core};
use tokenflight::crosstab::{Message, MAX_MESSAGE_BYTES};
use tokenflight::grant::RefreshOutcome;
use tokenflight::refresh::coordinator::{Config, Renewal};
use tokenflight::session::{Event, Phase, RefreshTokenIn};
use tokenflight::{EndReason, Error};

type Results = Rc<RefCell<Vec<Result<Renewal, Error>>>>;

fn refresh_calls(tabs: &[Core]) -> usize {
    tabs.iter().map(|t| t.host().refresh_calls()).sum()
}

/// The tab whose refresh call is waiting for an answer (exactly one may be).
fn calling(tabs: &[Core]) -> &Core {
    let pending: Vec<&Core> =
        tabs.iter().filter(|t| t.host().refresh_calls() > t.host().answered()).collect();
    assert_eq!(pending.len(), 1, "exactly one tab is in a refresh call");
    pending[0]
}

fn spawn_renewals(
    pool: &futures::executor::LocalPool,
    tab: &Core,
    n: usize,
    seen: Option<u64>,
    results: &Results,
) {
    for _ in 0..n {
        let tab = Rc::clone(tab);
        let results = Rc::clone(results);
        pool.spawner()
            .spawn_local(async move {
                let r = tab.renew_after(seen).await;
                results.borrow_mut().push(r);
            })
            .unwrap();
    }
}

/// Spawns `tab.restore()`, its result pushed to `results`.
fn spawn_restore(pool: &futures::executor::LocalPool, tab: &Core, results: &Results) {
    let (tab, results) = (Rc::clone(tab), Rc::clone(results));
    pool.spawner()
        .spawn_local(async move {
            let r = tab.restore().await;
            results.borrow_mut().push(r);
        })
        .unwrap();
}

fn ends(tab: &Core) -> Vec<EndReason> {
    tab.host()
        .events
        .borrow()
        .iter()
        .filter_map(|e| match e {
            Event::SessionEnd(r) => Some(*r),
            _ => None,
        })
        .collect()
}

/// Every tab signed in with the same token, as after a login shared with all of them.
fn signed_in(
    n: usize,
    mode: RefreshTokenIn,
) -> (Vec<Core>, Rc<support::origin::Origin>, futures::executor::LocalPool) {
    let (tabs, origin, mut pool) = tabs(n, Config::new(mode));
    tabs[0].start(grant("first", Some(300.0)));
    settle(&mut pool, &origin);
    (tabs, origin, pool)
}

#[test]
fn ten_tabs_storming_after_expiry_make_one_refresh() {
    let (tabs, origin, mut pool) = signed_in(10, RefreshTokenIn::Cookie);
    assert!(tabs.iter().all(|t| access_of(t).as_deref() == Some("first")));
    let results: Results = Rc::default();
    for tab in &tabs {
        let seen = tab.session().token_generation().unwrap();
        spawn_renewals(&pool, tab, 50, Some(seen), &results);
    }
    pool.run_until_stalled();
    assert_eq!(refresh_calls(&tabs), 1, "the other tabs wait for the lock");
    calling(&tabs).host().answer(RefreshOutcome::Granted(grant("second", Some(300.0))));
    settle(&mut pool, &origin);

    assert_eq!(refresh_calls(&tabs), 1);
    assert_eq!(results.borrow().len(), 500);
    assert!(results.borrow().iter().all(|r| matches!(r, Ok(Renewal::Renewed(_)))));
    assert!(tabs.iter().all(|t| access_of(t).as_deref() == Some("second")));
    assert!(tabs.iter().all(|t| t.stats().queued == 0), "every queue back to empty");
}

#[test]
fn ten_tabs_restoring_at_once_make_one_refresh() {
    let (tabs, origin, mut pool) = tabs(10, Config::new(RefreshTokenIn::Cookie));
    let restored: Results = Rc::default();
    for tab in &tabs {
        spawn_restore(&pool, tab, &restored);
    }
    settle(&mut pool, &origin);
    assert_eq!(refresh_calls(&tabs), 1);
    calling(&tabs).host().answer(RefreshOutcome::Granted(grant("restored", Some(300.0))));
    settle(&mut pool, &origin);

    assert_eq!(refresh_calls(&tabs), 1);
    assert_eq!(restored.borrow().len(), 10);
    assert!(restored.borrow().iter().all(|r| matches!(r, Ok(Renewal::Renewed(_)))));
    assert!(tabs.iter().all(|t| access_of(t).as_deref() == Some("restored")));
}

#[test]
fn a_new_tab_restores_from_a_sibling_without_a_refresh() {
    let (tabs, origin, mut pool) = tabs(2, Config::new(RefreshTokenIn::Cookie));
    tabs[0].start(grant("held", Some(300.0)));
    // The login message is lost to tab 1 (it was not open yet).
    origin.deliver_all();
    tabs[1].end(EndReason::Logout);
    origin.forget_in_flight();
    let restored: Results = Rc::default();
    spawn_restore(&pool, &tabs[1], &restored);
    settle(&mut pool, &origin);
    assert_eq!(refresh_calls(&tabs), 0, "the sibling answered with its token");
    assert!(matches!(restored.borrow()[0], Ok(Renewal::Renewed(_))));
    assert_eq!(access_of(&tabs[1]).as_deref(), Some("held"));
}

#[test]
fn logout_reaches_every_tab_once_and_releases_their_queues() {
    let (tabs, origin, mut pool) = signed_in(5, RefreshTokenIn::Cookie);
    let results: Results = Rc::default();
    spawn_renewals(&pool, &tabs[3], 20, Some(1), &results);
    pool.run_until_stalled();
    assert_eq!(refresh_calls(&tabs), 1);

    tabs[0].end(EndReason::Logout);
    settle(&mut pool, &origin);

    assert_eq!(ends(&tabs[0]), [EndReason::Logout]);
    for tab in &tabs[1..] {
        assert_eq!(ends(tab), [EndReason::OtherTab]);
        assert_eq!(tab.session().phase(), Phase::Ended);
        assert_eq!(access_of(tab), None);
    }
    assert_eq!(results.borrow().len(), 20);
    assert!(results.borrow().iter().all(|r| *r == Err(Error::LoggedOut)));
    // Tab 3's refresh answers late: the ended session is not resurrected anywhere.
    calling(&tabs).host().answer(RefreshOutcome::Granted(grant("late", Some(300.0))));
    settle(&mut pool, &origin);
    assert!(tabs.iter().all(|t| access_of(t).is_none()));
    // No echo: each tab that received the logout sent nothing about it.
    assert!(tabs[1..].iter().all(|t| t
        .host()
        .sent
        .borrow()
        .iter()
        .all(|m| !m.contains("\"end\""))));
}

#[test]
fn a_login_elsewhere_ends_this_session_before_adopting_the_new_one() {
    let (tabs, origin, mut pool) = signed_in(2, RefreshTokenIn::Cookie);
    tabs[1].start(grant("other-user", Some(300.0)));
    settle(&mut pool, &origin);
    assert_eq!(ends(&tabs[0]), [EndReason::OtherTab]);
    assert_eq!(access_of(&tabs[0]).as_deref(), Some("other-user"));
    let events = tabs[0].host().events.borrow().clone();
    let end_at = events.iter().position(|e| matches!(e, Event::SessionEnd(_))).unwrap();
    let adopted_at = events
        .iter()
        .rposition(|e| matches!(e, Event::TokenChange { authenticated: true, .. }))
        .unwrap();
    assert!(end_at < adopted_at, "the old user's session ends before the new token arrives");
}

#[test]
fn a_renewal_that_raced_a_logout_is_not_adopted_by_the_tab_that_logged_out() {
    let (tabs, origin, mut pool) = signed_in(2, RefreshTokenIn::Cookie);
    let results: Results = Rc::default();
    spawn_renewals(&pool, &tabs[0], 1, Some(1), &results);
    pool.run_until_stalled();
    calling(&tabs).host().answer(RefreshOutcome::Granted(grant("renewed", Some(300.0))));
    pool.run_until_stalled();
    // Tab 1 logs out before tab 0's token message reaches it.
    tabs[1].end(EndReason::Logout);
    settle(&mut pool, &origin);
    assert_eq!(access_of(&tabs[1]), None, "the renewal of the ended session is ignored");
    assert_eq!(access_of(&tabs[0]), None, "and the logout reached tab 0");
    assert_eq!(ends(&tabs[0]), [EndReason::OtherTab]);
}

#[test]
fn a_server_side_end_in_one_tab_ends_the_session_everywhere_with_its_reason() {
    let (tabs, origin, mut pool) = signed_in(3, RefreshTokenIn::Cookie);
    let results: Results = Rc::default();
    spawn_renewals(&pool, &tabs[2], 1, Some(1), &results);
    pool.run_until_stalled();
    calling(&tabs).host().answer(RefreshOutcome::Rejected(EndReason::Revoked));
    settle(&mut pool, &origin);
    assert!(tabs.iter().all(|t| ends(t) == [EndReason::Revoked]));
    assert_eq!(refresh_calls(&tabs), 1);
}

#[test]
fn body_mode_shares_logout_and_user_change_but_no_token() {
    let (tabs, origin, mut pool) = tabs(2, Config::new(RefreshTokenIn::Body));
    tabs[0].start(support::grant_rotating("a0", "r0"));
    settle(&mut pool, &origin);
    assert_eq!(access_of(&tabs[1]), None, "tokens stay in the tab that got them");
    assert!(tabs[0].host().sent.borrow().iter().all(|m| !m.contains("a0") && !m.contains("r0")));
    tabs[1].start(support::grant_rotating("b0", "s0"));
    settle(&mut pool, &origin);
    assert_eq!(ends(&tabs[0]), [EndReason::OtherTab], "another login ends this one");
    tabs[0].start(support::grant_rotating("a1", "r1"));
    settle(&mut pool, &origin);
    tabs[1].end(EndReason::Logout);
    settle(&mut pool, &origin);
    assert_eq!(access_of(&tabs[0]), None);
    assert_eq!(ends(&tabs[0]).last(), Some(&EndReason::OtherTab));
}

#[test]
fn malformed_messages_change_nothing() {
    let (tabs, origin, mut pool) = signed_in(1, RefreshTokenIn::Cookie);
    let tab = &tabs[0];
    let long = "x".repeat(MAX_MESSAGE_BYTES);
    let bad = [
        r#"{"v":1,"k":"end","s":1,"r":"logout"}"#.to_owned(),
        r#"[1,"end",1,"logout","__proto__"]"#.to_owned(),
        r#"[2,"end",1,"logout"]"#.to_owned(),
        r#"["1","end",1,"logout"]"#.to_owned(),
        r#"[1,"end",-1,"logout"]"#.to_owned(),
        r#"[1,"end",1.5,"logout"]"#.to_owned(),
        r#"[1,"end",1,"bye"]"#.to_owned(),
        r#"[1,"end",1,"otherTab"]"#.to_owned(),
        r#"[1,"token",1,"has space",null,null]"#.to_owned(),
        r#"[1,"token",1,"",null,null]"#.to_owned(),
        r#"[1,"token",1,7,null,null]"#.to_owned(),
        r#"[1,"token",1,"tok",null]"#.to_owned(),
        r#"[1,"token",1,"tok","1000",null]"#.to_owned(),
        r#"[1,"token",1,"tok",null,{}]"#.to_owned(),
        format!(r#"[1,"token",1,"{long}",null,null]"#),
        "[1]".to_owned(),
        "null".to_owned(),
        "[".to_owned(),
        String::new(),
    ];

    for text in &bad {
        tab.receive(text);
    }
    settle(&mut pool, &origin);
    assert_eq!(access_of(tab).as_deref(), Some("first"));
    assert_eq!(tab.session().phase(), Phase::Active);
    assert!(tab.host().sent.borrow().len() == 1, "only its own login was ever sent");
}

#[test]
fn messages_round_trip_and_refuse_what_they_do_not_define() {
    let shared = |a: &str| tokenflight::crosstab::SharedTokens {
        access: tokenflight::token::Secret::new(a.into()),
        expires_in_ms: Some(1500),
        id_token: Some(tokenflight::token::Secret::new("id.tok.en".into())),
    };
    let text = Message::Token { session: 7, tokens: shared("a.b.c") }.encode();
    match Message::decode(text.expose()) {
        Some(Message::Token { session: 7, tokens }) => {
            assert_eq!(tokens.access.expose(), "a.b.c");
            assert_eq!(tokens.expires_in_ms, Some(1500));
            assert_eq!(tokens.id_token.unwrap().expose(), "id.tok.en");
        }
        other => panic!("round trip failed: {other:?}"),
    }
    let login = Message::Login { session: 9, tokens: None }.encode();
    assert!(matches!(
        Message::decode(login.expose()),
        Some(Message::Login { session: 9, tokens: None })
    ));
    let end = Message::End { session: 3, reason: EndReason::Revoked }.encode();
    assert!(matches!(
        Message::decode(end.expose()),
        Some(Message::End { session: 3, reason: EndReason::Revoked })
    ));
    assert!(matches!(Message::decode(Message::Ask.encode().expose()), Some(Message::Ask)));
    // The `otherTab` reason is never sent: a receiver derives it.
    assert!(Message::decode(r#"[1,"end",3,"otherTab"]"#).is_none());
    assert_eq!(end.expose(), r#"[1,"end",3,"revoked"]"#);
}
