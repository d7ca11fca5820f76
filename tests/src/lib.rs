//! The end-to-end test harness: serve a built `dist/` on a free loopback port and drive it in headless Chromium
//! over WebDriver (chromedriver + fantoccini).
//!
//! `cargo xtask test` builds `dist/`, installs Chromium and chromedriver, and runs these tests with
//! `GENSCOPE_DIST`, `CHROMEDRIVER` and `GENSCOPE_CHROMIUM` set. Every browser gets a fresh profile folder that is
//! removed, with any Chromium process still using it, when the [`Browser`] is dropped — even after a failed test.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, ensure, Context, Result};
use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};
use tempfile::TempDir;
use xtask::serve::StaticServer;

/// How long a test waits for something to appear before it fails: a hang guard, not a timing. CI's machine runs
/// two test threads, each with a Chromium whose SwiftShader WebGPU takes CPU too: once a GAN reloading on the CPU
/// after a backend switch took over 30 s there, and an LM page's first load over 60 s beside the GAN's WebGPU
/// canvas tests (grids of 64 on SwiftShader) or the long-use test.
pub const WAIT: Duration = Duration::from_secs(120);

/// Where test artefacts (screenshots, measured figures) go: `target/e2e/`.
pub fn artefact_dir() -> PathBuf {
    let dir = xtask::tools::workspace_root().join("target/e2e");
    std::fs::create_dir_all(&dir).expect("create target/e2e");
    dir
}

/// The built site: `GENSCOPE_DIST`, else `dist/` at the repository root.
pub fn dist_dir() -> PathBuf {
    let dir = std::env::var_os("GENSCOPE_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| xtask::tools::workspace_root().join("dist"));
    assert!(
        dir.join("index.html").exists(),
        "{} has no built site: run these tests through `cargo xtask test` (or `cargo xtask dist` first)",
        dir.display()
    );
    dir
}

/// A served copy of the site.
pub struct Site {
    server: Option<StaticServer>,
    relay: Option<Relay>,
    url: String,
    dir: PathBuf,
    _copy: Option<TempDir>,
}

impl Site {
    /// Serves `dist/` as built.
    pub fn serve() -> Result<Site> {
        let server = StaticServer::start(&dist_dir(), "127.0.0.1:0")?;
        Ok(Site {
            url: server.url(""),
            server: Some(server),
            relay: None,
            dir: dist_dir(),
            _copy: None,
        })
    }

    /// Serves `dist/` behind a relay that [`Site::stop_server`] cuts like a server going away: the port refuses
    /// connections and every open one is closed.
    pub fn serve_stoppable() -> Result<Site> {
        let server = StaticServer::start(&dist_dir(), "127.0.0.1:0")?;
        let upstream = server.url("");
        let port: u16 = upstream
            .trim_end_matches('/')
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .context("the server's port")?;
        let relay = Relay::start(port)?;
        Ok(Site {
            url: format!("http://127.0.0.1:{}/", relay.port),
            server: Some(server),
            relay: Some(relay),
            dir: dist_dir(),
            _copy: None,
        })
    }

    /// Serves a copy of `dist/` after `damage` changed it (to test broken or missing files).
    pub fn serve_modified(damage: impl FnOnce(&Path) -> Result<()>) -> Result<Site> {
        let copy = tempfile::Builder::new()
            .prefix("genscope-dist-")
            .tempdir()?;
        copy_dir(&dist_dir(), copy.path())?;
        damage(copy.path())?;
        let server = StaticServer::start(copy.path(), "127.0.0.1:0")?;
        Ok(Site {
            url: server.url(""),
            server: Some(server),
            relay: None,
            dir: copy.path().to_path_buf(),
            _copy: Some(copy),
        })
    }

    /// The URL of `path` on this site, e.g. `url("#/vae")`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.url, path.trim_start_matches('/'))
    }

    /// The directory served (a modified copy may be changed further while it is served).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stops the server (to test the site offline); the URL stays the same. Only a site from
    /// [`Site::serve_stoppable`] also closes the browser's kept-alive connections.
    pub fn stop_server(&mut self) {
        if let Some(relay) = self.relay.take() {
            relay.stop();
        }
        self.server = None;
    }
}

/// A TCP relay to a local port that can be cut. A stopped tiny_http server leaves the browser's kept-alive
/// connections open and their requests unanswered; cutting the relay refuses new connections and shuts the open
/// ones, as a server going away does.
struct Relay {
    port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    open: std::sync::Arc<std::sync::Mutex<Vec<std::net::TcpStream>>>,
    acceptor: Option<std::thread::JoinHandle<()>>,
}

impl Relay {
    fn start(upstream: u16) -> Result<Relay> {
        use std::net::{TcpListener, TcpStream};
        use std::sync::atomic::Ordering;
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let open = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (stop_flag, tracked) = (stop.clone(), open.clone());
        let acceptor = std::thread::spawn(move || {
            for client in listener.incoming() {
                if stop_flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    continue;
                };
                let pipe = |mut from: TcpStream, mut to: TcpStream| {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Write);
                    });
                };
                if let (Ok(c1), Ok(c2), Ok(s1), Ok(s2)) = (
                    client.try_clone(),
                    client.try_clone(),
                    server.try_clone(),
                    server.try_clone(),
                ) {
                    tracked.lock().expect("not poisoned").extend([c2, s2]);
                    pipe(c1, server);
                    pipe(s1, client);
                }
            }
        });
        Ok(Relay {
            port,
            stop,
            open,
            acceptor: Some(acceptor),
        })
    }

    fn stop(mut self) {
        use std::sync::atomic::Ordering;
        self.stop.store(true, Ordering::SeqCst);
        // Wake the acceptor so it sees the flag and drops the listener.
        let _ = std::net::TcpStream::connect(("127.0.0.1", self.port));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        for stream in self.open.lock().expect("not poisoned").drain(..) {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
    }
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Whether the browser exposes WebGPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebGpu {
    /// `--enable-unsafe-webgpu`: Chromium offers its SwiftShader adapter on machines without a GPU; the compositor
    /// stays on GL, so a WebGPU canvas cannot be shown (its device is lost on the first picture). For pages that
    /// compute on WebGPU without drawing there: the LM, the calibration, the shell.
    On,
    /// WebGPU with the compositor on SwiftShader's Vulkan too (`xtask::test::CHROMIUM_SOFTWARE_WEBGPU_ARGS`), so
    /// WebGPU canvases work: for the VAE's and the GAN's pictures on WebGPU. Not the default: an LM step was seen
    /// lost, and an LM page's first load stalled, under it while another browser kept SwiftShader busy (never
    /// alone); open on issue #18.
    OnWithCanvases,
    /// Chromium's defaults: no adapter on these machines, so the site runs on wasm CPU.
    Off,
}

/// A headless Chromium under its own chromedriver.
pub struct Browser {
    client: Option<Client>,
    driver: Child,
    profile: TempDir,
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Browser {
    /// Starts chromedriver and a fresh headless Chromium.
    pub async fn launch(webgpu: WebGpu) -> Result<Browser> {
        let chromedriver =
            std::env::var_os("CHROMEDRIVER").unwrap_or_else(|| "chromedriver".into());
        let port = free_port()?;
        // Everything the browser writes goes under one folder that Drop removes: the profile and, through
        // TMPDIR, Chromium's scoped scratch folders.
        let profile = tempfile::Builder::new()
            .prefix("genscope-chromium-")
            .tempdir()?;
        let scratch = profile.path().join("tmp");
        std::fs::create_dir_all(&scratch)?;
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .env("TMPDIR", &scratch)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {chromedriver:?} (cargo xtask test installs it)"))?;
        let mut browser = Browser {
            client: None,
            driver,
            profile,
        };

        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                bail!("chromedriver did not listen on port {port}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        let mut args: Vec<String> = ["--headless=new", "--no-sandbox", "--window-size=1280,800"]
            .iter()
            .chain(xtask::test::CHROMIUM_QUIET_ARGS)
            .map(|s| s.to_string())
            .collect();
        args.push(format!(
            "--user-data-dir={}",
            browser.profile.path().join("user-data").display()
        ));
        // Extra switches from the caller, e.g. `cargo xtask gpu-check`'s for a hardware GPU: they replace the
        // software adapter's.
        let extra = std::env::var("GENSCOPE_CHROMIUM_ARGS").ok();
        if webgpu == WebGpu::On {
            args.push("--enable-unsafe-webgpu".into());
        }
        if webgpu == WebGpu::OnWithCanvases {
            match extra {
                Some(_) => args.push("--enable-unsafe-webgpu".into()),
                None => args.extend(
                    xtask::test::CHROMIUM_SOFTWARE_WEBGPU_ARGS
                        .iter()
                        .map(|s| s.to_string()),
                ),
            }
        }
        if let Some(extra) = extra {
            args.extend(extra.split_whitespace().map(str::to_string));
        }
        let mut options = json!({ "args": args });
        if let Some(binary) = std::env::var_os("GENSCOPE_CHROMIUM") {
            options["binary"] = json!(binary.to_string_lossy());
        }
        let capabilities = json!({ "goog:chromeOptions": options })
            .as_object()
            .cloned()
            .expect("an object");
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .context("opening a Chromium session")?;
        browser.client = Some(client);
        Ok(browser)
    }

    /// The WebDriver client, for actions this harness has no helper for.
    pub fn client(&self) -> &Client {
        self.client
            .as_ref()
            .expect("a launched browser has a client")
    }

    /// Navigates to `url` and waits for the load event.
    pub async fn goto(&self, url: &str) -> Result<()> {
        Ok(self.client().goto(url).await?)
    }

    /// Runs `script` (a function body; use `return`) in the page and returns its value.
    pub async fn eval(&self, script: &str) -> Result<Value> {
        Ok(self.client().execute(script, vec![]).await?)
    }

    /// The text content of the first element matching `selector`, or `None` if there is none.
    pub async fn text(&self, selector: &str) -> Result<Option<String>> {
        let value = self
            .client()
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
                vec![json!(selector)],
            )
            .await?;
        Ok(value.as_str().map(str::to_owned))
    }

    /// Polls `script` until it returns something other than null, or fails after `seconds` naming the error panel
    /// shown, if any.
    pub async fn wait_value(&self, script: &str, seconds: u64) -> Result<Value> {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            let v = self.eval(script).await?;
            if !v.is_null() {
                return Ok(v);
            }
            if Instant::now() > deadline {
                return Err(anyhow!(
                    "timed out on {script} (errors: {:?})",
                    self.text("main .error-panel").await?
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Picks `choice` (`auto`, `cpu` or `webgpu`) in the status line's backend menu, as a visitor would.
    pub async fn choose_backend(&self, choice: &str) -> Result<()> {
        self.client()
            .find(fantoccini::Locator::Css(&format!(
                "#backend-choice option[value='{choice}']"
            )))
            .await?
            .click()
            .await?;
        Ok(())
    }

    /// Whether an element matching `selector` exists and is rendered (not hidden).
    pub async fn is_visible(&self, selector: &str) -> Result<bool> {
        let value = self
            .client()
            .execute(
                "const e = document.querySelector(arguments[0]); return !!e && !e.hidden && e.getClientRects().length > 0;",
                vec![json!(selector)],
            )
            .await?;
        Ok(value.as_bool().unwrap_or(false))
    }

    /// Waits until `selector`'s text satisfies `accept`, and returns that text.
    pub async fn wait_for_text(
        &self,
        selector: &str,
        accept: impl Fn(&str) -> bool,
    ) -> Result<String> {
        let deadline = Instant::now() + WAIT;
        let mut last = None;
        loop {
            if let Some(text) = self.text(selector).await? {
                if accept(&text) {
                    return Ok(text);
                }
                last = Some(text);
            }
            if Instant::now() > deadline {
                let url = self.client().current_url().await.map(|u| u.to_string());
                let errors = self
                    .eval("return [...document.querySelectorAll('.error-panel:not([hidden])')].map(e => e.innerText).join(' | ');")
                    .await
                    .ok();
                return Err(anyhow!(
                    "timed out waiting for {selector}; its last text was {last:?} (page {url:?}, errors shown: {errors:?})"
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until `selector`'s attribute `name` satisfies `accept`, and returns its value.
    pub async fn wait_for_attribute(
        &self,
        selector: &str,
        name: &str,
        accept: impl Fn(&str) -> bool,
    ) -> Result<String> {
        let deadline = Instant::now() + WAIT;
        let script = format!(
            "const e = document.querySelector({}); return e ? e.getAttribute({}) : null;",
            serde_json::to_string(selector)?,
            serde_json::to_string(name)?
        );
        let mut last = None;
        loop {
            if let Some(value) = self.eval(&script).await?.as_str() {
                if accept(value) {
                    return Ok(value.to_string());
                }
                last = Some(value.to_string());
            }
            if Instant::now() > deadline {
                return Err(anyhow!(
                    "timed out waiting for {selector}'s {name}; it was last {last:?}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until an element matching `selector` is visible.
    pub async fn wait_visible(&self, selector: &str) -> Result<()> {
        let deadline = Instant::now() + WAIT;
        while !self.is_visible(selector).await? {
            if Instant::now() > deadline {
                bail!("timed out waiting for {selector} to be visible");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(())
    }

    /// The RGBA bytes of the canvas matching `selector`, as numbers: copied onto a fresh 2-D canvas first, so it
    /// reads a WebGPU canvas (the GPU pages' pictures) as well as a 2-D one.
    pub async fn canvas_pixels(&self, selector: &str) -> Result<Vec<f64>> {
        let value = self
            .client()
            .execute(
                "const c = document.querySelector(arguments[0]); \
                 const copy = document.createElement('canvas'); copy.width = c.width; copy.height = c.height; \
                 const g = copy.getContext('2d'); g.drawImage(c, 0, 0); \
                 return Array.from(g.getImageData(0, 0, c.width, c.height).data);",
                vec![json!(selector)],
            )
            .await?;
        value
            .as_array()
            .context("canvas data is not an array")?
            .iter()
            .map(|v| v.as_f64().context("not a number"))
            .collect()
    }

    /// The visible UI text on the page (header, page, status line) written in the other language than `lang`:
    /// for `zh`, runs of three or more English words; for `en`, any Chinese characters. Text that is not UI is
    /// left out: what a model wrote or reads (`pre.text-view`, tokens), model and file names in pickers, numbers
    /// (`.mono`), error messages quoted from a file, and anything marked `data-i18n-skip`.
    pub async fn foreign_ui_text(&self, lang: &str) -> Result<Vec<String>> {
        let found = self
            .client()
            .execute(
                r#"const zh = arguments[0] === 'zh';
                const skip = el => el.closest('[data-i18n-skip], pre, .token, select, option, .mono, code,                     #lang-switch, .error-message, textarea, input');
                const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
                const found = [];
                while (walker.nextNode()) {
                    const node = walker.currentNode, el = node.parentElement;
                    if (!el || skip(el) || !el.getClientRects().length) continue;
                    const text = node.textContent;
                    if (zh) {
                        let run = [];
                        for (const w of text.split(/[\s，。：；、（）()·—–,.:;!?"“”]+/)) {
                            if (/^[A-Za-z']{2,}$/.test(w)) { run.push(w); }
                            else if (w) { if (run.length >= 3) found.push(run.join(' ')); run = []; }
                        }
                        if (run.length >= 3) found.push(run.join(' '));
                    } else if (/[㐀-鿿]/.test(text)) {
                        found.push(text.trim());
                    }
                }
                return found;"#,
                vec![json!(lang)],
            )
            .await?;
        Ok(found
            .as_array()
            .context("a list")?
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect())
    }

    /// A screenshot of the element matching `selector` as the screen shows it (CSS scaling included), as RGBA
    /// bytes with its width; also saved as `target/e2e/<name>.png`.
    pub async fn element_screenshot(&self, selector: &str, name: &str) -> Result<(Vec<u8>, u32)> {
        // Chromium crops an element's screenshot to the viewport: bring it all in first.
        self.eval(&format!(
            "document.querySelector({selector:?}).scrollIntoView({{block: 'center'}}); return 0;"
        ))
        .await?;
        let element = self
            .client()
            .find(fantoccini::Locator::Css(selector))
            .await?;
        // A screenshot waits for a compositor frame, which waits for the GPU process: while SwiftShader finishes
        // a queued WebGPU grid (seconds on two busy cores) chromedriver gives up after 10 s with "Timed out
        // receiving message from renderer". That is the machine's load, not the page: ask again, a few times.
        let mut attempt = 1;
        let png = loop {
            match element.screenshot().await {
                Ok(png) => break png,
                Err(e)
                    if attempt < 4
                        && e.to_string()
                            .contains("Timed out receiving message from renderer") =>
                {
                    attempt += 1;
                }
                Err(e) => return Err(e.into()),
            }
        };
        std::fs::write(artefact_dir().join(format!("{name}.png")), &png)?;
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
        // RGB (no alpha) or palette screenshots become RGBA too.
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::ALPHA);
        let mut reader = decoder.read_info()?;
        let mut rgba = vec![
            0;
            reader
                .output_buffer_size()
                .context("screenshot too large")?
        ];
        let info = reader.next_frame(&mut rgba)?;
        rgba.truncate(info.buffer_size());
        ensure!(
            info.color_type == png::ColorType::Rgba && info.bit_depth == png::BitDepth::Eight,
            "{selector}: screenshot is {:?} at {:?}, not 8-bit RGBA",
            info.color_type,
            info.bit_depth
        );
        Ok((rgba, info.width))
    }

    /// [`Browser::element_screenshot`] once the element looks the same in two shots in a row (up to six shots,
    /// 300 ms apart): on CI's loaded machine a shot once caught a grid before its frame was presented, 255 grey
    /// levels from the settled picture. The last shot is returned either way, so a picture that never settles
    /// still fails the comparison that follows.
    pub async fn settled_element_screenshot(
        &self,
        selector: &str,
        name: &str,
    ) -> Result<(Vec<u8>, u32)> {
        let mut shot = self.element_screenshot(selector, name).await?;
        for _ in 0..5 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let next = self.element_screenshot(selector, name).await?;
            if next == shot {
                break;
            }
            shot = next;
        }
        Ok(shot)
    }

    /// Clicks the element matching `selector` as the visitor would (WebDriver's click).
    pub async fn click(&self, selector: &str) -> Result<()> {
        self.client()
            .find(fantoccini::Locator::Css(selector))
            .await?
            .click()
            .await?;
        Ok(())
    }

    /// Saves a PNG screenshot of the viewport to `target/e2e/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let png = self.client().screenshot().await?;
        let path = artefact_dir().join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Ends the session politely; dropping the browser also cleans up, by force.
    pub async fn close(mut self) -> Result<()> {
        if let Some(client) = self.client.take() {
            client.close().await?;
        }
        Ok(())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // A test that failed before close() leaves its Chromium running: find it by its profile folder.
        kill_processes_using(self.profile.path());
    }
}

/// Kills every process whose command line mentions `marker` (Linux: reads /proc).
fn kill_processes_using(marker: &Path) {
    let marker = marker.to_string_lossy().into_owned();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmdline).contains(&marker) {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        }
    }
}

/// Mean absolute difference of two RGBA pictures, in [0, 1].
pub fn picture_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f64>() / (255.0 * a.len() as f64)
}

/// The page's GPU traffic counter `key` (`gpuSubmits`, `gpuBytesRead`, ...) from `window.genscopeMemory()`.
pub async fn gpu_counter(browser: &Browser, key: &str) -> Result<f64> {
    let probe = browser.eval("return window.genscopeMemory();").await?;
    probe[key]
        .as_f64()
        .with_context(|| format!("no {key} in {probe}"))
}

/// The largest difference, in grey levels, between two screenshots of the same element (RGBA rows); they must
/// be the same size.
pub fn screenshot_difference(a: &(Vec<u8>, u32), b: &(Vec<u8>, u32)) -> Result<u8> {
    ensure!(
        a.1 == b.1 && a.0.len() == b.0.len(),
        "the screenshots differ in size: {}×{} against {}×{}",
        a.1,
        a.0.len() / 4 / a.1.max(1) as usize,
        b.1,
        b.0.len() / 4 / b.1.max(1) as usize
    );
    Ok(a.0
        .iter()
        .zip(&b.0)
        .map(|(x, y)| x.abs_diff(*y))
        .max()
        .unwrap_or(0))
}

/// The context kind a canvas is drawn with (`webgpu` or `2d`), from its `data-context`.
pub async fn context_of(browser: &Browser, canvas: &str) -> Result<String> {
    let kind = browser
        .eval(&format!(
            "return document.querySelector('{canvas}').dataset.context;"
        ))
        .await?;
    Ok(kind.as_str().unwrap_or_default().to_string())
}

/// The largest difference between two pictures' RGBA bytes, in grey levels (0–255).
pub fn largest_difference(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// The median of `values` (which must not be empty).
pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}
