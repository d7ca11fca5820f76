//! The GAN page in headless Chromium: seeds reproduce grids, watch mode animates and pauses, the timeline shows
//! learning, truncation 0 collapses the grid, CPU and WebGPU agree.

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use genscope_e2e::{
    artefact_dir, context_of, gpu_counter, picture_distance, screenshot_difference, Browser, Site,
    WebGpu,
};
use serde_json::json;

/// Opens `hash` and waits for the grid to be drawn (and labelled) on the wanted backend.
async fn open(browser: &Browser, site: &Site, hash: &str, backend: &str) -> Result<Vec<f64>> {
    browser.goto("about:blank").await?;
    browser.goto(&site.url(hash)).await?;
    browser
        .wait_for_text("#grid-time", |t| {
            t.starts_with("grid of 64") && t.contains(backend)
        })
        .await?;
    browser.canvas_pixels("#gan-grid").await
}

#[tokio::test]
async fn seeds_reproduce_grids_and_truncation_zero_collapses_them() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    let a = open(
        &browser,
        &site,
        "#/gan?model=dcgan-mnist&seed=11",
        "wasm CPU",
    )
    .await?;
    browser.screenshot("gan-page").await?;
    let again = open(
        &browser,
        &site,
        "#/gan?model=dcgan-mnist&seed=11",
        "wasm CPU",
    )
    .await?;
    ensure!(
        picture_distance(&a, &again) == 0.0,
        "the same seed drew another grid"
    );
    let b = open(
        &browser,
        &site,
        "#/gan?model=dcgan-mnist&seed=12",
        "wasm CPU",
    )
    .await?;
    ensure!(
        picture_distance(&a, &b) > 0.02,
        "another seed drew nearly the same grid ({})",
        picture_distance(&a, &b)
    );

    // Truncation 0: every cell is the generator's image of z = 0.
    let collapsed = open(
        &browser,
        &site,
        "#/gan?model=dcgan-mnist&seed=11&trunc=0",
        "wasm CPU",
    )
    .await?;
    let cell = |i: usize| -> Vec<f64> {
        let (row, col) = (i / 8, i % 8);
        (0..28)
            .flat_map(|y| {
                let start = ((row * 28 + y) * 224 + col * 28) * 4;
                collapsed[start..start + 28 * 4].to_vec()
            })
            .collect()
    };
    let first = cell(0);
    for i in 1..64 {
        ensure!(cell(i) == first, "cell {i} differs at truncation 0");
    }
    // Labels and discriminator scores are there on hover.
    let title = browser
        .eval("return document.querySelector('.cell[data-cell=\"5\"]').title;")
        .await?;
    ensure!(
        title.as_str().is_some_and(|t| t.contains(", D ")),
        "{title:?}"
    );
    browser.close().await
}

#[tokio::test]
async fn watch_mode_animates_pause_stops_it_and_the_timeline_shows_learning() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    let start = open(
        &browser,
        &site,
        "#/gan?model=dcgan-mnist&seed=3",
        "wasm CPU",
    )
    .await?;
    browser.click("#watch").await?;
    let mut moved = start.clone();
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        moved = browser.canvas_pixels("#gan-grid").await?;
        if picture_distance(&moved, &start) > 0.01 {
            break;
        }
    }
    ensure!(
        picture_distance(&moved, &start) > 0.01,
        "watch mode did not change the grid"
    );
    let fps_text = browser
        .wait_for_text("#grid-time", |t| t.starts_with("watching:"))
        .await?;
    let fps: f64 = fps_text
        .trim_start_matches("watching: ")
        .split(' ')
        .next()
        .unwrap_or("")
        .parse()?;
    browser.click("#watch").await?;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let paused = browser.canvas_pixels("#gan-grid").await?;
    tokio::time::sleep(Duration::from_millis(800)).await;
    ensure!(
        browser.canvas_pixels("#gan-grid").await? == paused,
        "the grid changed while paused"
    );

    // The first and the last snapshot draw visibly different samples.
    let last = browser
        .eval("return Number(document.querySelector('#timeline').max);")
        .await?
        .as_u64()
        .context("no timeline")?;
    ensure!(last >= 6, "only {} snapshots", last + 1);
    // The timeline opens on the last snapshot.
    // Each snapshot's samples are judged by the final D and the classifier ("step 8000 · the final D scores …").
    browser
        .wait_for_text("#timeline-step", |t| {
            t.starts_with("step ") && !t.starts_with("step 0 ") && t.contains(" · ")
        })
        .await?;
    let final_step = browser.text("#timeline-step").await?.unwrap_or_default();
    let (d_newest, classes_newest) = timeline_scores(&browser).await?;
    let newest = browser.canvas_pixels("#timeline-canvas").await?;
    browser
        .eval("const t = document.querySelector('#timeline'); t.value = 0; t.dispatchEvent(new InputEvent('input', {bubbles: true})); return 0;")
        .await?;
    browser
        .wait_for_text("#timeline-step", |t| t.starts_with("step 0 · "))
        .await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let oldest = browser.canvas_pixels("#timeline-canvas").await?;
    let (d_oldest, classes_oldest) = timeline_scores(&browser).await?;
    // The trained D sees through the untrained G's noise; the final G fools it far more often and draws more classes.
    ensure!(
        d_oldest < d_newest && classes_oldest <= classes_newest && classes_newest >= 5,
        "step 0: D {d_oldest:.3}, {classes_oldest} classes; {final_step}: D {d_newest:.3}, {classes_newest} classes"
    );
    ensure!(
        picture_distance(&newest, &oldest) > 0.05,
        "step 0 and {final_step} look alike ({})",
        picture_distance(&newest, &oldest)
    );
    std::fs::write(
        artefact_dir().join("gan_watch.json"),
        serde_json::to_string_pretty(&json!({ "gan_watch_fps_wasm_cpu": fps }))?,
    )?;
    browser.close().await
}

/// Each grid cell's class (its label) and top-class probability, once all 64 are judged.
async fn cell_judgements(browser: &Browser) -> Result<Vec<(String, f64)>> {
    let v = browser
        .wait_value(
            "const c = [...document.querySelectorAll('.grid-wrap .cell')]; \
             return c.length == 64 && c.every(e => e.dataset.confidence) \
               ? c.map(e => [e.querySelector('.cell-label').textContent, Number(e.dataset.confidence)]) : null;",
            120,
        )
        .await?;
    Ok(serde_json::from_value(v)?)
}

/// The shown snapshot's mean D score and class count, from the timeline's status line.
async fn timeline_scores(browser: &Browser) -> Result<(f64, u64)> {
    let v = browser
        .eval("const s = document.querySelector('#timeline-step'); return [Number(s.dataset.dFake), Number(s.dataset.classes)];")
        .await?;
    Ok(serde_json::from_value(v)?)
}

#[tokio::test]
async fn the_same_seed_draws_alike_on_webgpu_and_cpu_and_grid_time_is_measured() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::OnWithCanvases).await?;
    // A WebGPU canvas is compared on screen (see the VAE's canvas-direct test for why not through drawImage).
    open(
        &browser,
        &site,
        "#/gan?model=dcgan-mnist&seed=5&backend=webgpu",
        "WebGPU",
    )
    .await?;
    let gpu_time = browser.text("#grid-time").await?.unwrap_or_default();
    let kind = context_of(&browser, "#gan-grid").await?;
    ensure!(kind == "webgpu", "on WebGPU the grid is drawn with {kind}");
    // The timeline judges its snapshot's samples (a read-back): let it finish before counting, and before the
    // screenshot (which waits for a frame from a GPU that SwiftShader keeps busy for seconds).
    browser
        .wait_for_text("#timeline-step", |t| {
            t.starts_with("step ") && t.contains(" · ")
        })
        .await?;
    let kind = context_of(&browser, "#timeline-canvas").await?;
    ensure!(
        kind == "webgpu",
        "on WebGPU the timeline is drawn with {kind}"
    );
    let shot_gpu = browser
        .settled_element_screenshot("#gan-grid", "gan-grid-webgpu")
        .await?;

    // Watch mode draws straight onto the canvas: frames are submitted, nothing is read back.
    let (submits, read) = (
        gpu_counter(&browser, "gpuSubmits").await?,
        gpu_counter(&browser, "gpuBytesRead").await?,
    );
    browser.click("#watch").await?;
    // Counted while watching: stopping redraws (and judges) the seed's grid.
    let script = format!(
        "return window.genscopeMemory().then(m => m.gpuSubmits >= {} ? m : null);",
        submits + 1.0
    );
    let probe = browser.wait_value(&script, 120).await?;
    let count = |key: &str| probe[key].as_f64().unwrap_or(f64::NAN);
    let watched = (count("gpuSubmits") - submits, count("gpuBytesRead") - read);
    browser.click("#watch").await?;
    ensure!(
        watched.0 >= 1.0 && watched.1 == 0.0,
        "watch mode on WebGPU: {} submissions, {} bytes read back",
        watched.0,
        watched.1
    );

    browser.choose_backend("cpu").await?;
    browser
        .wait_for_text("#grid-time", |t| {
            t.starts_with("grid of 64") && t.contains("wasm CPU")
        })
        .await?;
    let kind = context_of(&browser, "#gan-grid").await?;
    ensure!(kind == "2d", "on the CPU the grid is drawn with {kind}");
    let shot_cpu = browser
        .settled_element_screenshot("#gan-grid", "gan-grid-cpu")
        .await?;
    let cpu_time = browser.text("#grid-time").await?.unwrap_or_default();
    // The canvas-direct path against the read-back one, on screen (f32 on both sides, different summation order).
    let on_screen = screenshot_difference(&shot_gpu, &shot_cpu)?;
    ensure!(
        on_screen <= 2,
        "WebGPU and CPU grids differ on screen by up to {on_screen} grey levels"
    );
    let ms = |t: &str| -> f64 {
        t.trim_start_matches("grid of 64 in ")
            .split(' ')
            .next()
            .unwrap_or("")
            .parse()
            .unwrap_or(f64::NAN)
    };
    std::fs::write(
        artefact_dir().join("gan_grid.json"),
        serde_json::to_string_pretty(&json!({
            "gan_grid64_ms_webgpu_first": ms(&gpu_time), "gan_grid64_ms_wasm_cpu_first": ms(&cpu_time),
            "gan_watch_webgpu": {"submits": watched.0, "bytes_read": watched.1},
            "gan_grid_canvas_direct_vs_read_back_grey_levels": on_screen,
        }))?,
    )?;
    browser.close().await
}

#[tokio::test]
async fn a_lost_webgpu_device_keeps_the_seed_truncation_and_pins() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::OnWithCanvases).await?;
    let hash = "#/gan?model=dcgan-mnist&seed=23&trunc=0.7&pin=9&backend=webgpu";
    open(&browser, &site, hash, "WebGPU").await?;
    browser.wait_visible("#neighbours").await?;
    // A WebGPU canvas cannot be read back once shown: the grid is compared by what the classifier reads in it.
    let gpu = cell_judgements(&browser).await?;
    browser
        .eval("window.genscopeLoseDevice(); return null")
        .await?;
    browser.wait_visible("#device-lost").await?;
    browser
        .wait_for_text("#grid-time", |t| {
            t.starts_with("grid of 64") && t.contains("wasm CPU")
        })
        .await?;
    // The same grid (same seed and truncation), drawn by the CPU: each cell the same class with the same
    // confidence; and the pinned sample is still pinned.
    let cpu = cell_judgements(&browser).await?;
    ensure!(
        gpu.len() == 64 && cpu.len() == 64,
        "{} and {} cells judged",
        gpu.len(),
        cpu.len()
    );
    for (cell, (g, c)) in gpu.iter().zip(&cpu).enumerate() {
        ensure!(
            g.0 == c.0 && (g.1 - c.1).abs() < 0.01,
            "cell {cell}: {g:?} on WebGPU, {c:?} on the CPU"
        );
    }
    browser.wait_visible("#neighbours").await?;
    let seed = browser
        .eval("return document.querySelector('#gan-seed').value")
        .await?;
    assert_eq!(seed.as_str(), Some("23"));
    let url = browser.client().current_url().await?;
    assert!(
        url.as_str().contains("seed=23") && url.as_str().contains("pin=9"),
        "{url}"
    );
    browser.close().await
}

#[tokio::test]
async fn the_default_grid_is_read_as_digits_by_the_shipped_classifier() -> Result<()> {
    // The GAN page labels every sample with the data set's classifier (computed in the page); a generator a person
    // can read gives confident labels. The card's own figure is on 10,000 samples; this is the page's default grid.
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    open(&browser, &site, "#/gan", "wasm CPU").await?;
    // The labels follow the pixels: wait until every cell has one.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let values: Vec<f64> = loop {
        let confidences = browser
            .eval(
                "return [...document.querySelectorAll('.cells .cell')] \
                 .map(e => e.dataset.confidence ? Number(e.dataset.confidence) : null);",
            )
            .await?;
        let values: Vec<f64> = confidences
            .as_array()
            .context("a list")?
            .iter()
            .filter_map(|v| v.as_f64())
            .collect();
        if values.len() == 64 {
            break values;
        }
        ensure!(
            std::time::Instant::now() < deadline,
            "{} labelled cells",
            values.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let mean = values.iter().sum::<f64>() / 64.0;
    std::fs::write(
        artefact_dir().join("gan-default-grid-confidence.json"),
        json!({ "mean_confidence": mean, "min": values.iter().cloned().fold(1.0, f64::min) })
            .to_string(),
    )?;
    ensure!(
        mean >= 0.8,
        "mean classifier confidence on the default grid {mean:.3} < 0.8"
    );
    browser.close().await
}

#[tokio::test]
async fn the_page_speaks_chinese_with_no_english_ui_left() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    browser.goto(&site.url("#/gan?lang=zh")).await?;
    browser
        .wait_for_text("main h1", |t| t == "GAN 生成的样本")
        .await?;
    // The grid is drawn ("生成 64 个样本用时 … 毫秒 · wasm CPU") and every cell labelled.
    browser
        .wait_for_text("#grid-time", |t| {
            t.starts_with("生成 64 个样本") && t.contains("wasm CPU")
        })
        .await?;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let labelled = browser
            .eval("return document.querySelectorAll('.cells .cell[data-confidence]:not([data-confidence=\"\"])').length;")
            .await?;
        if labelled == json!(64) {
            break;
        }
        ensure!(
            std::time::Instant::now() < deadline,
            "{labelled} labelled cells"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The timeline has drawn its snapshot ("第 8000 步").
    browser
        .wait_for_text("#timeline-step", |t| t.starts_with("第 "))
        .await?;
    let title = browser
        .eval("return document.querySelector('.cell[data-cell=\"5\"]').title;")
        .await?;
    ensure!(
        title.as_str().is_some_and(|t| t.contains("），D ")),
        "{title:?}"
    );
    let english = browser.foreign_ui_text("zh").await?;
    ensure!(english.is_empty(), "English UI text: {english:?}");
    // Two pinned samples show the explorer's captions too.
    browser
        .eval("for (const c of [9, 12]) document.querySelector(`.cell[data-cell=\"${c}\"]`).click(); return null;")
        .await?;
    browser.wait_visible("#neighbours").await?;
    browser.wait_visible("#gan-strip").await?;
    let english = browser.foreign_ui_text("zh").await?;
    ensure!(
        english.is_empty(),
        "English UI text with a pin: {english:?}"
    );
    browser.screenshot("gan-page-zh").await?;
    browser.close().await
}
