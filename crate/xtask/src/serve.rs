//! A small static file server for `dist/`: correct MIME types (application/wasm), no caching, loopback only.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use anyhow::{anyhow, Result};
use percent_encoding::percent_decode_str;
use tiny_http::{Header, Method, Request, Response, Server};

/// Threads answering requests; the browser fetches the wasm, JS, CSS and assets in parallel.
const WORKERS: usize = 4;

/// A running server. Dropping it stops the server.
pub struct StaticServer {
    server: Arc<Server>,
    port: u16,
    workers: Vec<JoinHandle<()>>,
}

impl StaticServer {
    /// Serves the files under `root` on `addr` (e.g. `127.0.0.1:8080`, or `127.0.0.1:0` for a free port).
    pub fn start(root: &Path, addr: &str) -> Result<Self> {
        let server =
            Arc::new(Server::http(addr).map_err(|e| anyhow!("cannot listen on {addr}: {e}"))?);
        let port = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| anyhow!("{addr} is not an IP address"))?
            .port();
        let root = root.to_path_buf();
        let workers = (0..WORKERS)
            .map(|_| {
                let server = Arc::clone(&server);
                let root = root.clone();
                std::thread::spawn(move || {
                    for request in server.incoming_requests() {
                        respond(&root, request);
                    }
                })
            })
            .collect();
        Ok(Self {
            server,
            port,
            workers,
        })
    }

    /// The URL of `path` (relative to the site root) on this server.
    pub fn url(&self, path: &str) -> String {
        format!(
            "http://127.0.0.1:{}/{}",
            self.port,
            path.trim_start_matches('/')
        )
    }

    /// Blocks until the server stops (for `cargo xtask serve`).
    pub fn wait(mut self) {
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        for _ in 0..self.workers.len() {
            self.server.unblock();
        }
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

/// Maps a request path to a file under `root`, refusing anything that would leave it.
fn resolve(root: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let path = percent_decode_str(path).decode_utf8().ok()?;
    let mut file = root.to_path_buf();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        if part == ".." || part == "." || part.contains('\\') {
            return None;
        }
        file.push(part);
    }
    if file.is_dir() {
        file.push("index.html");
    }
    Some(file)
}

fn content_type(path: &Path) -> String {
    match path.extension().and_then(|e| e.to_str()) {
        Some("wasm") => "application/wasm".into(),
        Some("js") | Some("mjs") => "text/javascript; charset=utf-8".into(),
        Some("html") => "text/html; charset=utf-8".into(),
        Some("json") => "application/json".into(),
        _ => mime_guess::from_path(path)
            .first_or_octet_stream()
            .to_string(),
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

fn respond(root: &Path, request: Request) {
    let result = if !matches!(request.method(), Method::Get | Method::Head) {
        request.respond(Response::from_string("method not allowed").with_status_code(405))
    } else {
        match resolve(root, request.url())
            .and_then(|file| fs::read(&file).ok().map(|body| (file, body)))
        {
            Some((file, body)) => {
                let response = Response::from_data(body)
                    .with_header(header("Content-Type", &content_type(&file)))
                    .with_header(header("Cache-Control", "no-cache"))
                    .with_header(header("X-Content-Type-Options", "nosniff"));
                request.respond(response)
            }
            None => {
                let page = "<!doctype html><title>404 Not Found</title><h1>404 Not Found</h1>";
                let response = Response::from_string(page)
                    .with_status_code(404)
                    .with_header(header("Content-Type", "text/html; charset=utf-8"));
                request.respond(response)
            }
        }
    };
    // A client that went away mid-response is not the server's problem.
    drop(result);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_stays_inside_root() {
        let root = Path::new("/srv/site");
        assert_eq!(
            resolve(root, "/pkg/app.wasm?v=1"),
            Some(root.join("pkg/app.wasm"))
        );
        assert_eq!(resolve(root, "/a%20b.txt"), Some(root.join("a b.txt")));
        assert_eq!(resolve(root, "/../etc/passwd"), None);
        assert_eq!(resolve(root, "/assets/%2e%2e/%2e%2e/etc/passwd"), None);
        assert_eq!(resolve(root, "/a\\..\\b"), None);
    }

    #[test]
    fn wasm_is_served_as_application_wasm() {
        assert_eq!(content_type(Path::new("x/app_bg.wasm")), "application/wasm");
        assert!(content_type(Path::new("main.js")).starts_with("text/javascript"));
        assert_eq!(content_type(Path::new("style.css")), "text/css");
    }

    #[test]
    fn serves_files_and_404s_over_http() {
        let dir = std::env::temp_dir().join(format!("genscope-serve-test-{}", std::process::id()));
        fs::create_dir_all(dir.join("pkg")).unwrap();
        fs::write(dir.join("index.html"), "<p>hi</p>").unwrap();
        fs::write(dir.join("pkg/a.wasm"), b"\0asm").unwrap();
        let server = StaticServer::start(&dir, "127.0.0.1:0").unwrap();
        let get = |path: &str| {
            use std::io::{Read, Write};
            let mut stream = std::net::TcpStream::connect(
                server
                    .url("")
                    .trim_start_matches("http://")
                    .trim_end_matches('/'),
            )
            .unwrap();
            write!(stream, "GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").unwrap();
            let mut text = String::new();
            stream.read_to_string(&mut text).unwrap();
            text
        };
        let index = get("/");
        assert!(
            index.starts_with("HTTP/1.1 200") || index.starts_with("HTTP/1.0 200"),
            "{index}"
        );
        assert!(index.contains("<p>hi</p>"));
        let wasm = get("/pkg/a.wasm");
        assert!(
            wasm.to_lowercase()
                .contains("content-type: application/wasm"),
            "{wasm}"
        );
        assert!(get("/missing.json").contains(" 404 "));
        drop(server);
        fs::remove_dir_all(&dir).unwrap();
    }
}
