//! Which origin a request goes to, read from the URL text the browser already serialized, so
//! `auth.fetch` does not build a `URL` object per call to ask.

/// Whether `url` is in `origin` (`scheme://host[:port]`, normalized), for `url` an origin or a URL
/// as the URL parser serializes it (`Request.url`): a serialized http(s) URL
/// is its origin, then its path's `/` (credentials would come first, and never match an origin).
pub fn in_origin(url: &str, origin: &str) -> bool {
    let bytes = url.as_bytes();
    bytes.starts_with(origin.as_bytes()) && matches!(bytes.get(origin.len()), None | Some(b'/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_serialized_url_is_in_its_origin_only() {
        let origin = "https://app.example";
        for url in ["https://app.example/", "https://app.example/api?q=1", "https://app.example/#x"]
        {
            assert!(in_origin(url, origin), "{url}");
        }
        for url in [
            "https://app.example.evil/",
            "https://app.example:8443/",
            "https://user@app.example/",
            "http://app.example/",
            "https://app.exampl/",
            "blob:https://app.example/0f3c",
            "",
        ] {
            assert!(!in_origin(url, origin), "{url}");
        }
        assert!(in_origin("http://127.0.0.1:8080/x", "http://127.0.0.1:8080"));
        assert!(!in_origin("http://127.0.0.1:80801/x", "http://127.0.0.1:8080"));
        assert!(in_origin("http://[::1]:3000/", "http://[::1]:3000"));
    }
}
