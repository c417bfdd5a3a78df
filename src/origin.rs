//! Which origin a request goes to, read from URL text where that is exact, so `auth.fetch` does
//! not run the browser's URL parser (or build a `Request`) on every call. Each function answers
//! `None`/`false` for anything it cannot decide exactly; the caller then asks the browser.

/// The origin (`scheme://host[:port]`) of an http(s) URL as the URL parser serializes it
/// (`Request.url`, `document.baseURI`): the text before its path, whose `/` a serialized http(s)
/// URL always has. `None` for other schemes and for URLs with credentials.
pub fn http_origin(serialized: &str) -> Option<&str> {
    let bytes = serialized.as_bytes();
    let start = if bytes.starts_with(b"https://") {
        8
    } else if bytes.starts_with(b"http://") {
        7
    } else {
        return None;
    };
    let mut end = start;
    while let Some(&c) = bytes.get(end) {
        match c {
            b'/' | b'?' | b'#' => break,
            b'@' => return None,
            _ => end += 1,
        }
    }
    if end == start {
        return None;
    }
    serialized.get(..end)
}

/// Whether `input` resolves, against any http(s) base URL, to the base's own origin: a
/// path-absolute URL (`/api/orders`). It starts with one `/` not followed by `/` or `\` (either
/// would start a host), and has no tab or newline, which the URL parser removes anywhere first
/// (`/\t/evil.example` is `//evil.example`).
pub fn keeps_base_origin(input: &str) -> bool {
    let bytes = input.as_bytes();
    bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/' | b'\\'))
        && !bytes.iter().any(|&c| matches!(c, b'\t' | b'\n' | b'\r'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_is_the_text_before_the_path() {
        assert_eq!(http_origin("https://app.example/api?q=1"), Some("https://app.example"));
        assert_eq!(http_origin("http://127.0.0.1:8080/"), Some("http://127.0.0.1:8080"));
        assert_eq!(http_origin("http://[::1]:3000/x"), Some("http://[::1]:3000"));
        assert_eq!(http_origin("https://app.example"), Some("https://app.example"));
        assert_eq!(http_origin("https://app.example#top"), Some("https://app.example"));
    }

    #[test]
    fn other_schemes_and_credentials_are_not_decided() {
        for url in [
            "https://user:pass@app.example/",
            "https://@app.example/",
            "blob:https://app.example/0f3c",
            "data:text/plain,hi",
            "file:///etc/passwd",
            "ws://app.example/",
            "https:///x",
            "http://",
            "",
        ] {
            assert_eq!(http_origin(url), None, "{url}");
        }
    }

    #[test]
    fn only_path_absolute_urls_keep_the_base_origin() {
        for input in
            ["/", "/api/orders", "/a//b", "/%2F%2Fevil.example", "/x?next=//evil", "/x#//e"]
        {
            assert!(keeps_base_origin(input), "{input}");
        }
        for input in [
            "//evil.example/",
            "/\\evil.example/",
            "/\t/evil.example/",
            "/\n/evil.example/",
            "/\r/evil.example/",
            "/api\t",
            " /api",
            "\\\\evil.example",
            "api/orders",
            "https://app.example/api",
            "",
        ] {
            assert!(!keeps_base_origin(input), "{input:?}");
        }
    }
}
