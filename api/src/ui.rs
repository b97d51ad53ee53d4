//! The web UI: the single-page app built from `web/` into `web/dist`, served by every API node
//! at `/` next to the API.
//!
//! [`WithUi`] wraps the API endpoint. A `GET` or `HEAD` outside `/api` whose path names a file
//! of the UI directory (`/` is `index.html`) is served from disk; everything else goes to the
//! API, so `/api/...`, `/healthz` and `/readyz` are untouched and unknown paths still get the
//! API's problem+json 404. The app routes with the URL fragment (`/#/tasks/<id>`), so it needs
//! no fallback from unknown paths to `index.html`. When the UI is not built, `/` answers 404
//! with a page that says how to build it.
//!
//! Files are read per request (the build can be replaced under a running node). Vite's
//! content-hashed `/assets/*` are cacheable for a year; everything else is revalidated.
//!
//! The directory is `CLAUDOMATOR_WEB_DIR`, or else the first `web/dist` holding an
//! `index.html` in the working directory or above the executable (a binary in
//! `target/{debug,release}` finds the checkout's build). It is an API-node concern only, so it
//! is read here rather than in `shared::config`.

use std::path::{Path, PathBuf};

use poem::http::{Method, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};

/// The variable naming the built UI directory.
pub const WEB_DIR_VAR: &str = "CLAUDOMATOR_WEB_DIR";

/// Where the UI's files are: `configured` (the value of `CLAUDOMATOR_WEB_DIR`), or the first
/// candidate holding an `index.html`, or (nothing built anywhere) `web/dist` in the working
/// directory.
pub fn web_dir(configured: Option<PathBuf>) -> PathBuf {
    if let Some(dir) = configured.filter(|d| !d.as_os_str().is_empty()) {
        return dir;
    }
    let cwd = PathBuf::from("web/dist");
    let mut candidates = vec![cwd.clone()];
    if let Ok(exe) = std::env::current_exe() {
        candidates.extend(exe.ancestors().skip(1).take(5).map(|a| a.join("web/dist")));
    }
    candidates
        .into_iter()
        .find(|d| d.join("index.html").is_file())
        .unwrap_or(cwd)
}

/// The API endpoint with the UI's files in front of it.
pub struct WithUi<E> {
    api: E,
    dir: PathBuf,
}

impl<E> WithUi<E> {
    /// Serves the files of `dir` (see the module docs) in front of `api`.
    pub fn new(api: E, dir: PathBuf) -> Self {
        WithUi { api, dir }
    }

    /// [`WithUi::new`] with the directory from `CLAUDOMATOR_WEB_DIR` or found by [`web_dir`].
    pub fn from_env(api: E) -> Self {
        let dir = web_dir(std::env::var_os(WEB_DIR_VAR).map(PathBuf::from));
        tracing::info!(web.dir = %dir.display(), web.built = dir.join("index.html").is_file(), "web UI");
        Self::new(api, dir)
    }

    /// The file a request names, if it is a UI path: `GET`/`HEAD`, outside `/api`, plain path
    /// segments only (none empty or starting with a dot, no percent-escapes or backslashes).
    fn ui_file(&self, req: &Request) -> Option<PathBuf> {
        if !matches!(*req.method(), Method::GET | Method::HEAD) {
            return None;
        }
        let path = req.uri().path();
        if path == "/api" || path.starts_with("/api/") {
            return None;
        }
        let rel = path.trim_start_matches('/');
        if rel.is_empty() {
            return Some(self.dir.join("index.html"));
        }
        let plain = rel
            .split('/')
            .all(|s| !s.is_empty() && !s.starts_with('.') && !s.contains(['%', '\\']));
        plain.then(|| self.dir.join(rel))
    }
}

/// The UI loads nothing but its own files and talks only to its own origin; it may not be
/// framed (clickjacking) and sends no referrer to other origins.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn hardened(b: poem::ResponseBuilder) -> poem::ResponseBuilder {
    b.header(header::CONTENT_SECURITY_POLICY, CSP)
        .header(header::X_FRAME_OPTIONS, "DENY")
        .header(header::REFERRER_POLICY, "same-origin")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
}

fn not_built(dir: &Path) -> Response {
    let body = format!(
        "<!doctype html><meta charset=utf-8><title>claudomator: web UI not built</title>\
         <h1>The web UI is not built</h1>\
         <p>No <code>index.html</code> in <code>{}</code>. Build it with \
         <code>npm ci &amp;&amp; npm run build</code> in <code>web/</code> (<code>scripts/up.sh</code> does), \
         or point <code>{WEB_DIR_VAR}</code> at a built <code>web/dist</code>.</p>\
         <p>The API is at <a href=\"/api/docs\">/api/docs</a>.</p>",
        html_escape(&dir.display().to_string())
    );
    hardened(Response::builder())
        .status(StatusCode::NOT_FOUND)
        .content_type("text/html; charset=utf-8")
        .body(body)
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn serve(req: &Request, file: &Path, body: Vec<u8>) -> Response {
    let cache = if req.uri().path().starts_with("/assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    hardened(Response::builder())
        .content_type(content_type(file))
        .header(header::CACHE_CONTROL, cache)
        .body(body)
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

impl<E: Endpoint> Endpoint for WithUi<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        if let Some(file) = self.ui_file(&req) {
            if tokio::fs::metadata(&file).await.is_ok_and(|m| m.is_file())
                && let Ok(body) = tokio::fs::read(&file).await
            {
                return Ok(serve(&req, &file, body));
            }
            if req.uri().path() == "/" {
                return Ok(not_built(&self.dir));
            }
        }
        self.api.call(req).await.map(IntoResponse::into_response)
    }
}

#[cfg(test)]
mod tests {
    use poem::http::Uri;

    use super::*;

    fn file(method: Method, path: &'static str) -> Option<PathBuf> {
        let ui = WithUi::new((), PathBuf::from("/srv/web"));
        ui.ui_file(&Request::builder().method(method).uri(Uri::from_static(path)).finish())
    }

    #[test]
    fn only_plain_paths_outside_the_api_name_files() {
        assert_eq!(file(Method::GET, "/"), Some("/srv/web/index.html".into()));
        assert_eq!(file(Method::HEAD, "/assets/a.js"), Some("/srv/web/assets/a.js".into()));
        assert_eq!(file(Method::GET, "/sw.js?v=1"), Some("/srv/web/sw.js".into()));
        for path in [
            "/api",
            "/api/tasks",
            "/../etc/passwd",
            "/a/../b",
            "/%2e%2e/x",
            "/.env",
            "/a//b",
            "/a\\b",
        ] {
            assert_eq!(file(Method::GET, path), None, "{path}");
        }
        assert_eq!(file(Method::POST, "/"), None);
    }

    #[test]
    fn a_configured_directory_wins() {
        assert_eq!(web_dir(Some("/opt/ui".into())), PathBuf::from("/opt/ui"));
    }
}
