//! The browser half of `cargo xtask bench` (ignored in the ordinary test run: it is a measurement, not a check).
//! Opens `dist/bench/` (which `cargo xtask bench` builds) in headless Chromium, waits for the page's run to end,
//! and writes what it measured to `target/e2e/browser_bench.json`.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use genscope_e2e::{artefact_dir, Browser, Site, WebGpu};

#[tokio::test]
#[ignore = "a benchmark: run by `cargo xtask bench`, which builds dist/bench first"]
async fn browser_bench() -> Result<()> {
    let site = Site::serve()?;
    // WebGPU on: the page times both backends (SwiftShader where the machine has no GPU).
    let browser = Browser::launch(WebGpu::On).await?;
    browser.goto(&site.url("bench/index.html")).await?;
    let deadline = Instant::now() + Duration::from_secs(900);
    loop {
        // The page runs synchronously for seconds at a time; a script call simply waits for it.
        let done = browser
            .eval("return document.body.dataset.done || null;")
            .await?;
        match done.as_str() {
            Some("ok") => break,
            Some(_) => bail!(
                "the bench page failed: {}",
                browser.text("#status").await?.unwrap_or_default()
            ),
            None if Instant::now() > deadline => bail!("the bench page did not finish"),
            None => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
    let results = browser.text("#results").await?.context("no #results")?;
    let parsed: serde_json::Value = serde_json::from_str(&results)?;
    std::fs::write(
        artefact_dir().join("browser_bench.json"),
        serde_json::to_string_pretty(&parsed)?,
    )?;
    println!("{results}");
    browser.close().await
}
