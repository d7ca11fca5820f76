//! The app shell in a real headless Chromium: routes, backend line, error panels, time to first paint.

use std::fs;

use anyhow::{ensure, Result};
use genscope_e2e::{artefact_dir, median, Browser, Site, WebGpu};
use serde_json::json;

const BACKEND: &str = "#backend";

fn detected(text: &str) -> bool {
    !text.contains("detecting")
}

#[tokio::test]
async fn every_route_renders_with_its_tab_active() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    for (hash, heading, tab) in [
        ("#/", "See how generative models work", None),
        ("#/vae", "Latent space of a VAE", Some("VAE")),
        ("#/gan", "Samples from a GAN", Some("GAN")),
        (
            "#/lm",
            "Token by token through a language model",
            Some("LM"),
        ),
        (
            "#/lab",
            "The 2-D lab: models learn a density from points",
            Some("2-D lab"),
        ),
        ("#/about", "About genscope", Some("About")),
        ("#/no-such-page", "Not found", None),
    ] {
        browser.goto(&site.url(hash)).await?;
        let h1 = browser.wait_for_text("main h1", |t| t == heading).await?;
        assert_eq!(h1, heading, "{hash}");
        let active = browser.text(".site-header .tab.active").await?;
        assert_eq!(active.as_deref(), tab, "active tab on {hash}");
        assert!(
            !browser.is_visible(".error-panel").await?,
            "{hash} shows an error panel"
        );
    }
    // Navigating by clicking the header works too (no reload: the hash router handles it).
    browser.goto(&site.url("#/")).await?;
    browser
        .client()
        .find(fantoccini::Locator::LinkText("GAN"))
        .await?
        .click()
        .await?;
    browser
        .wait_for_text("main h1", |t| t == "Samples from a GAN")
        .await?;
    let url = browser.client().current_url().await?;
    assert!(url.as_str().ends_with("#/gan"), "{url}");
    // The Content-Security-Policy (own scripts and wasm only) blocked nothing the site needs.
    let violations = browser.eval("return window.genscopeCspViolations;").await?;
    assert_eq!(violations, serde_json::json!([]), "CSP violations");
    let csp = browser
        .eval("return document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content;")
        .await?;
    assert!(
        csp.as_str()
            .is_some_and(|c| c.contains("script-src 'self' 'wasm-unsafe-eval'")),
        "{csp}"
    );
    browser.close().await
}

#[tokio::test]
async fn backend_line_names_swiftshader_when_webgpu_is_enabled() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::On).await?;
    browser.goto(&site.url("#/")).await?;
    let backend = browser.wait_for_text(BACKEND, detected).await?;
    assert!(backend.starts_with("WebGPU"), "{backend}");
    assert!(backend.to_lowercase().contains("swiftshader"), "{backend}");
    // The build line shows the build that wrote the asset manifest.
    let manifest: serde_json::Value = serde_json::from_str(&fs::read_to_string(
        genscope_e2e::dist_dir().join("assets/manifest.json"),
    )?)?;
    let build = browser.text("#build").await?.unwrap_or_default();
    assert_eq!(Some(build.as_str()), manifest["build"].as_str());
    let shot = browser.screenshot("shell-webgpu").await?;
    println!("screenshot: {}", shot.display());
    browser.close().await
}

#[tokio::test]
async fn backend_line_says_wasm_cpu_without_webgpu() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    browser.goto(&site.url("#/about")).await?;
    let backend = browser.wait_for_text(BACKEND, detected).await?;
    assert_eq!(backend, "wasm CPU");
    assert!(
        !browser.is_visible("#backend-choice").await?,
        "nothing to choose without WebGPU"
    );
    let title = browser
        .eval("return document.querySelector('#backend').title")
        .await?;
    assert!(title.as_str().unwrap_or("").contains("CPU"), "{title}");
    browser.close().await
}

#[tokio::test]
async fn a_lost_webgpu_device_falls_back_to_cpu_and_keeps_the_page() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::OnWithCanvases).await?;
    browser
        .goto(&site.url("#/vae?model=vae-mnist-z2&z=1.5,-0.5&backend=webgpu"))
        .await?;
    browser
        .wait_for_text(BACKEND, |t| t.starts_with("WebGPU"))
        .await?;
    browser
        .wait_for_text("#decode-time", |t| {
            t.starts_with("decode ") && t.contains("WebGPU")
        })
        .await?;
    browser
        .eval("window.genscopeLoseDevice(); return null")
        .await?;
    browser.wait_for_text(BACKEND, |t| t == "wasm CPU").await?;
    let notice = browser.text("#device-lost").await?.unwrap_or_default();
    assert!(notice.contains("WebGPU device was lost"), "{notice:?}");
    let title = browser
        .eval("return document.querySelector('#backend').title")
        .await?;
    assert!(
        title.as_str().unwrap_or("").contains("device was lost"),
        "{title}"
    );
    assert!(
        !browser.is_visible("#backend-choice").await?,
        "no choosing a lost device"
    );
    assert_eq!(
        browser.text("main h1").await?.as_deref(),
        Some("Latent space of a VAE")
    );
    // The page kept its latent point and now decodes it on the CPU.
    browser
        .wait_for_text("#decode-time", |t| {
            t.starts_with("decode ") && t.contains("wasm CPU")
        })
        .await?;
    assert_eq!(
        browser.text("#z-readout").await?.as_deref(),
        Some("z = (1.50, -0.50)")
    );
    let url = browser.client().current_url().await?;
    assert!(url.as_str().contains("#/vae"), "{url}");
    assert!(!browser.is_visible("#fatal").await?);
    browser.close().await
}

#[tokio::test]
async fn corrupt_manifest_shows_the_error_panel_and_the_site_goes_on() -> Result<()> {
    // What a misconfigured host really sends: an HTML error page where JSON was expected.
    let site = Site::serve_modified(|dist| {
        fs::write(
            dist.join("assets/manifest.json"),
            "<!doctype html><h1>Not Found</h1>",
        )?;
        Ok(())
    })?;
    let browser = Browser::launch(WebGpu::Off).await?;
    browser.goto(&site.url("#/vae")).await?;
    browser.wait_visible(".error-panel").await?;
    let message = browser
        .text(".error-panel .error-message")
        .await?
        .unwrap_or_default();
    assert!(message.contains("assets/manifest.json"), "{message}");
    assert!(message.contains("not a valid asset manifest"), "{message}");
    // The rest of the shell keeps working.
    assert_eq!(
        browser.text("main h1").await?.as_deref(),
        Some("Latent space of a VAE")
    );
    browser.wait_for_text(BACKEND, detected).await?;
    browser.close().await
}

#[tokio::test]
async fn missing_manifest_shows_http_status() -> Result<()> {
    let site =
        Site::serve_modified(|dist| Ok(fs::remove_file(dist.join("assets/manifest.json"))?))?;
    let browser = Browser::launch(WebGpu::Off).await?;
    browser.goto(&site.url("#/about")).await?;
    browser.wait_visible(".error-panel").await?;
    let message = browser
        .text(".error-panel .error-message")
        .await?
        .unwrap_or_default();
    assert!(
        message.contains("assets/manifest.json") && message.contains("404"),
        "{message}"
    );
    assert_eq!(
        browser.text("#asset-summary").await?.as_deref(),
        Some("unavailable (see the error above)")
    );
    browser.close().await
}

#[tokio::test]
async fn corrupt_wasm_shows_the_fatal_panel_not_a_blank_page() -> Result<()> {
    let site = Site::serve_modified(|dist| {
        let wasm = dist.join("pkg/genscope_app_bg.wasm");
        let bytes = fs::read(&wasm)?;
        fs::write(&wasm, &bytes[..bytes.len() / 3])?;
        Ok(())
    })?;
    let browser = Browser::launch(WebGpu::Off).await?;
    browser.goto(&site.url("#/")).await?;
    browser.wait_visible("#fatal").await?;
    let message = browser.text("#fatal-message").await?.unwrap_or_default();
    assert!(message.contains("could not start"), "{message}");
    browser.close().await
}

#[tokio::test]
async fn a_rust_panic_shows_the_fatal_panel() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    browser.goto(&site.url("#/__panic")).await?;
    browser.wait_visible("#fatal").await?;
    let message = browser.text("#fatal-message").await?.unwrap_or_default();
    assert!(message.contains("test panic requested"), "{message}");
    browser.close().await
}

/// Reported, not asserted: time from navigation start until the shell is in the DOM, median of 5 cold loads.
#[tokio::test]
async fn time_to_first_paint_of_the_shell() -> Result<()> {
    let site = Site::serve()?;
    let mut figures = serde_json::Map::new();
    for (webgpu, key) in [(WebGpu::Off, "wasm_cpu"), (WebGpu::On, "webgpu")] {
        let browser = Browser::launch(webgpu).await?;
        let mut shell_ms = Vec::new();
        let mut fcp_ms = Vec::new();
        for run in 0..5 {
            browser.goto(&site.url(&format!("?run={run}#/"))).await?;
            browser.wait_for_text("main h1", |t| !t.is_empty()).await?;
            let shell = browser
                .eval("return Number(document.body.dataset.shellRenderedMs)")
                .await?;
            let fcp = browser
                .eval("const p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? p.startTime : null")
                .await?;
            let shell = shell.as_f64().unwrap_or(f64::NAN);
            assert!(
                shell.is_finite() && shell > 0.0,
                "the shell did not record its render time: {shell}"
            );
            shell_ms.push(shell);
            fcp_ms.extend(fcp.as_f64());
        }
        let shell_median = median(&mut shell_ms);
        let fcp_median = if fcp_ms.is_empty() {
            f64::NAN
        } else {
            median(&mut fcp_ms)
        };
        println!("time to shell rendered ({key}): median {shell_median:.0} ms of 5; first contentful paint median {fcp_median:.0} ms");
        figures.insert(
            key.into(),
            serde_json::json!({ "shell_rendered_ms_median": shell_median, "first_contentful_paint_ms_median": fcp_median }),
        );
        browser.close().await?;
    }
    fs::write(
        artefact_dir().join("first-paint.json"),
        serde_json::to_string_pretty(&figures)?,
    )?;
    Ok(())
}

#[tokio::test]
async fn the_site_speaks_chinese_from_the_link_and_the_choice_is_kept() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    browser.goto(&site.url("#/?lang=zh")).await?;
    browser
        .wait_for_text("main h1", |t| t == "看懂生成模型如何工作")
        .await?;
    let html_lang = browser
        .eval("return document.documentElement.lang;")
        .await?;
    ensure!(html_lang == json!("zh-Hans"), "{html_lang}");
    // The survey's seven families, each with what it learns and how it is judged; the training objective is
    // MathML made at build time, with no TeX left on screen.
    let rows = browser
        .eval("return document.querySelectorAll('#family-map tbody tr').length;")
        .await?;
    ensure!(rows == json!(7), "{rows} families");
    let math = browser
        .eval("const m = document.querySelector('#objective math'); return m ? [m.textContent, document.querySelector('#objective').innerText] : null;")
        .await?;
    let math_text = math[0].as_str().unwrap_or_default();
    ensure!(math_text.contains('θ') && math_text.contains('∑'), "{math}");
    ensure!(
        !math[1].as_str().unwrap_or("\\").contains('\\'),
        "raw TeX on screen: {math}"
    );
    browser.screenshot("home-zh").await?;
    // No English UI on the shell's pages in Chinese, and no Chinese in English.
    for hash in ["#/?lang=zh", "#/about?lang=zh", "#/no-such-page?lang=zh"] {
        browser.goto(&site.url(hash)).await?;
        browser
            .wait_for_text("main h1", |t| !t.is_empty() && !t.is_ascii())
            .await?;
        let english = browser.foreign_ui_text("zh").await?;
        ensure!(english.is_empty(), "{hash}: English UI text: {english:?}");
    }
    // The switch turns the site to English, writes it into the link and remembers it across a plain reload.
    browser.goto(&site.url("#/?lang=zh")).await?;
    browser
        .wait_for_text("main h1", |t| t == "看懂生成模型如何工作")
        .await?;
    let switch = browser.text("#lang-switch").await?;
    ensure!(switch.as_deref() == Some("English"), "{switch:?}");
    browser
        .client()
        .find(fantoccini::Locator::Css("#lang-switch"))
        .await?
        .click()
        .await?;
    browser
        .wait_for_text("main h1", |t| t == "See how generative models work")
        .await?;
    let url = browser.client().current_url().await?;
    ensure!(url.as_str().contains("lang=en"), "{url}");
    browser.goto(&site.url("#/about")).await?;
    browser
        .wait_for_text("main h1", |t| t == "About genscope")
        .await?;
    let chinese = browser.foreign_ui_text("en").await?;
    ensure!(
        chinese.is_empty(),
        "Chinese UI text in English: {chinese:?}"
    );
    browser.close().await
}
