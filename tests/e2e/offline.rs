//! Offline: after a first visit the site opens with the server stopped, and a new build replaces the old cache.

use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Result};
use genscope_e2e::{Browser, Site, WebGpu, WAIT};
use serde_json::{json, Value};

/// Runs an async script body (it may `await`; its `return` value comes back).
async fn eval_async(browser: &Browser, body: &str) -> Result<Value> {
    let script = format!(
        "const done = arguments[arguments.length - 1]; \
         (async () => {{ {body} }})().then(done, (e) => done('error: ' + e));"
    );
    Ok(browser.client().execute_async(&script, vec![]).await?)
}

/// Waits until `body` (an async script) returns `true`, up to the suite's hang guard: on CI's loaded machine the
/// service worker's install (the whole shell, through the relay) once took longer than 60 s.
async fn wait_until(browser: &Browser, what: &str, body: &str) -> Result<()> {
    let deadline = Instant::now() + WAIT;
    loop {
        if eval_async(browser, body).await? == json!(true) {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("timed out waiting until {what}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// True once a service worker controls the page and its cache holds `path`.
fn cached(path: &str) -> String {
    format!(
        "if (!navigator.serviceWorker.controller) return false; \
         for (const name of await caches.keys()) {{ \
           if (await (await caches.open(name)).match('{path}')) return true; \
         }} \
         return false;"
    )
}

#[tokio::test]
async fn after_a_first_visit_the_site_works_with_the_server_stopped() -> Result<()> {
    let mut site = Site::serve_stoppable()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    browser
        .goto(&site.url("#/vae?model=vae-mnist-z2&z=1,-1"))
        .await?;
    browser
        .wait_for_text("#decode-time", |t| t.starts_with("decode "))
        .await?;
    // The model fetched before the worker took over is cached once the page tells the worker about it.
    wait_until(
        &browser,
        "the VAE is cached",
        &cached("assets/models/vae-mnist-z2.safetensors"),
    )
    .await?;
    // A page opened later in the visit goes through the worker.
    browser
        .eval("location.hash = '#/lm?model=lm-shakespeare&prompt=ROMEO%3A'; return null")
        .await?;
    browser.wait_visible("#chart").await?;
    wait_until(
        &browser,
        "the LM is cached",
        &cached("assets/models/lm-shakespeare.safetensors"),
    )
    .await?;

    site.stop_server();
    let unreachable = eval_async(
        &browser,
        "try { await fetch('assets/not-cached-anywhere.txt'); return 'reached'; } catch (e) { return 'offline'; }",
    )
    .await?;
    ensure!(
        unreachable == json!("offline"),
        "the server still answers: {unreachable}"
    );

    // A reload with no server: the shell, the VAE (same point) and the LM come from the cache.
    browser
        .goto(&site.url("#/vae?model=vae-mnist-z2&z=1,-1"))
        .await?;
    browser
        .wait_for_text("#decode-time", |t| t.starts_with("decode "))
        .await?;
    assert_eq!(
        browser.text("#z-readout").await?.as_deref(),
        Some("z = (1.00, -1.00)")
    );
    browser
        .goto(&site.url("#/lm?model=lm-shakespeare&prompt=ROMEO%3A"))
        .await?;
    browser.wait_visible("#chart").await?;
    // A model never shown before cannot be had offline: the page says which file and why, and the rest works.
    browser.goto(&site.url("#/gan?model=dcgan-mnist")).await?;
    let message = browser
        .wait_for_text("main .error-panel .error-message", |t| !t.is_empty())
        .await?;
    ensure!(
        message.contains("dcgan-mnist") && message.contains("request failed"),
        "{message}"
    );
    assert!(!browser.is_visible("#fatal").await?);
    browser.goto(&site.url("#/about")).await?;
    browser
        .wait_for_text("#asset-summary", |t| t.contains("files"))
        .await?;
    browser.close().await
}

#[tokio::test]
async fn a_new_build_replaces_the_old_cache() -> Result<()> {
    let site = Site::serve_modified(|_| Ok(()))?;
    let worker = std::fs::read_to_string(site.dir().join("sw.js"))?;
    let version = worker
        .lines()
        .find_map(|l| l.strip_prefix("const VERSION = '"))
        .and_then(|v| v.strip_suffix("';"))
        .map(str::to_string);
    let Some(version) = version else {
        bail!("dist/sw.js names no VERSION");
    };
    ensure!(!version.contains("__GENSCOPE"), "sw.js was not filled in");
    let browser = Browser::launch(WebGpu::Off).await?;
    browser.goto(&site.url("#/about")).await?;
    let only = |name: String| {
        format!(
            "const keys = await caches.keys(); return keys.length === 1 && keys[0] === '{name}' \
             && !!navigator.serviceWorker.controller;"
        )
    };
    wait_until(
        &browser,
        "the first build is cached",
        &only(format!("genscope-{version}")),
    )
    .await?;

    // A new build: another version of the worker (as any changed file gives).
    let next = format!("{version}next");
    std::fs::write(
        site.dir().join("sw.js"),
        worker.replace(
            &format!("const VERSION = '{version}'"),
            &format!("const VERSION = '{next}'"),
        ),
    )?;
    browser.goto(&site.url("#/")).await?;
    browser.client().refresh().await?;
    wait_until(
        &browser,
        "only the new build is cached",
        &only(format!("genscope-{next}")),
    )
    .await?;
    browser.close().await
}
