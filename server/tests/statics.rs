//! Static files: the three roots, forced MIME types, and no caching.

mod common;

use std::path::PathBuf;

use axum::http::StatusCode;
use common::Server;
use tokenflight_server::Config;

/// A throwaway root with the three static folders, so the test does not depend on a built
/// package.
fn fixture_root(name: &str) -> PathBuf {
    let root =
        std::env::temp_dir().join(format!("tokenflight-statics-{name}-{}", std::process::id()));
    for (path, content) in [
        ("www/index.html", "<!doctype html><title>demo</title>"),
        ("www/demo.js", "export {};"),
        ("pkg/index.js", "export const x = 1;"),
        ("pkg/index.mjs", "export const y = 2;"),
        ("pkg/tokenflight_wasm_bg.wasm", "\0asm"),
        ("tests/fixtures/fake_server.js", "// fixture"),
    ] {
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, content).unwrap();
    }
    root
}

#[tokio::test]
async fn files_come_from_www_pkg_and_fixtures_with_the_right_types() {
    let root = fixture_root("types");
    let server = Server::with(Config { root: root.clone(), ..common::quiet() });
    let cases = [
        ("/", "text/html", "<!doctype html><title>demo</title>"),
        ("/index.html", "text/html", "<!doctype html><title>demo</title>"),
        ("/demo.js", "text/javascript", "export {};"),
        ("/pkg/index.js", "text/javascript", "export const x = 1;"),
        ("/pkg/index.mjs", "text/javascript", "export const y = 2;"),
        ("/pkg/tokenflight_wasm_bg.wasm", "application/wasm", "\0asm"),
        ("/tests/fixtures/fake_server.js", "text/javascript", "// fixture"),
    ];
    for (path, mime, body) in cases {
        let reply = server.get(path, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        let content_type = reply.header("content-type").unwrap();
        assert!(content_type.starts_with(mime), "{path}: {content_type}");
        assert_eq!(reply.header("cache-control").as_deref(), Some("no-store"), "{path}");
        assert_eq!(
            reply.header("content-security-policy").as_deref(),
            Some("script-src 'self' 'wasm-unsafe-eval'"),
            "{path}"
        );
        assert_eq!(&reply.body[..], body.as_bytes(), "{path}");
    }
    let missing = server.get("/nope.js", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let escape = server.get("/pkg/../../etc/passwd", None).await;
    assert_eq!(escape.status, StatusCode::NOT_FOUND);
    let _ = std::fs::remove_dir_all(root);
}

#[tokio::test]
async fn api_routes_are_not_shadowed_by_static_files() {
    let root = fixture_root("shadow");
    let server = Server::with(Config { root: root.clone(), ..common::quiet() });
    assert_eq!(server.get("/api/me", None).await.code(), "NOT_AUTHENTICATED");
    assert_eq!(server.get("/__test/counters", None).await.status, StatusCode::OK);
    let _ = std::fs::remove_dir_all(root);
}
