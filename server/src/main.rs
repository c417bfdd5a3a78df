//! `tokenflight-server`: command line and startup. Everything else lives in the library.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use tokenflight_server::{app, Config};

const USAGE: &str = "usage: tokenflight-server [--port N] [--access-ttl SECONDS] \
[--refresh-ttl SECONDS] [--single-session] [--csrf] [--max-tokens N] [--root DIR] [--quiet]";

struct Args {
    port: u16,
    config: Config,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args { port: 8080, config: Config::default() };
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg, None),
        };
        let mut value = |name: &str| {
            inline.clone().or_else(|| args.next()).ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--port" => parsed.port = number(&value("--port")?, "--port")?,
            "--access-ttl" => {
                parsed.config.access_ttl = number(&value("--access-ttl")?, "--access-ttl")?
            }
            "--refresh-ttl" => {
                parsed.config.refresh_ttl = number(&value("--refresh-ttl")?, "--refresh-ttl")?
            }
            "--root" => parsed.config.root = PathBuf::from(value("--root")?),
            "--single-session" if inline.is_none() => parsed.config.single_session = true,
            "--quiet" if inline.is_none() => parsed.config.quiet = true,
            "--csrf" if inline.is_none() => parsed.config.csrf = true,
            "--max-tokens" => {
                parsed.config.max_tokens = number(&value("--max-tokens")?, "--max-tokens")?
            }
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok(parsed)
}

fn number<T: std::str::FromStr>(text: &str, flag: &str) -> Result<T, String> {
    text.parse().map_err(|_| format!("{flag}: not a valid number: {text}"))
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut argv = std::env::args().skip(1).peekable();
    if argv.peek().is_some_and(|a| a == "--help" || a == "-h") {
        let _ = writeln!(std::io::stdout(), "{USAGE}");
        return ExitCode::SUCCESS;
    }
    let args = match parse_args(argv) {
        Ok(args) => args,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "tokenflight-server: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let router = match app(&args.config) {
        Ok(router) => router,
        Err(e) => return fail(&e.to_string()),
    };
    // Loopback only: the control routes are unauthenticated by design.
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(e) => return fail(&format!("cannot listen on {addr}: {e}")),
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(args.port);
    // Tests parse this exact line to learn the port, so it is flushed at once.
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "tokenflight-server listening on http://127.0.0.1:{port}/");
    let _ = stdout.flush();
    drop(stdout);
    match axum::serve(listener, router).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e.to_string()),
    }
}

fn fail(message: &str) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "tokenflight-server: {message}");
    ExitCode::FAILURE
}
