//! The VAE page in headless Chromium, driven like a visitor: drag the cursor, move sliders, pick and draw
//! images, reload copied links, switch backends.

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::Locator;
use genscope_e2e::{
    artefact_dir, context_of, gpu_counter, picture_distance, screenshot_difference, Browser, Site,
    WebGpu,
};
use serde_json::json;

/// Opens `hash` and waits until the first decode has been drawn.
async fn open(browser: &Browser, site: &Site, hash: &str) -> Result<()> {
    browser.goto(&site.url(hash)).await?;
    browser
        .wait_for_text("#decode-time", |t| t.starts_with("decode "))
        .await?;
    Ok(())
}

/// Waits until the canvas differs from `before` by more than `threshold`, and returns it.
async fn wait_changed(
    browser: &Browser,
    selector: &str,
    before: &[f64],
    threshold: f64,
) -> Result<Vec<f64>> {
    for _ in 0..200 {
        let now = browser.canvas_pixels(selector).await?;
        if picture_distance(&now, before) > threshold {
            return Ok(now);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("{selector} did not change")
}

/// Presses the left button at the centre of `selector` (scrolled into view), moves by each offset, releases.
async fn drag(browser: &Browser, selector: &str, moves: &[(f64, f64)]) -> Result<()> {
    drag_paced(browser, selector, moves, None).await
}

/// [`drag`] with each move taking `per_move` (a hand on a mouse moves at the display's pace, not in a burst).
async fn drag_paced(
    browser: &Browser,
    selector: &str,
    moves: &[(f64, f64)],
    per_move: Option<Duration>,
) -> Result<()> {
    browser
        .eval(&format!(
            "document.querySelector(\"{selector}\").scrollIntoView({{block: 'center'}}); return 0;"
        ))
        .await?;
    let element = browser.client().find(Locator::Css(selector)).await?;
    let mut mouse = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element,
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        });
    for &(x, y) in moves {
        mouse = mouse.then(PointerAction::MoveBy {
            duration: per_move,
            x,
            y,
        });
    }
    mouse = mouse.then(PointerAction::Up {
        button: MOUSE_BUTTON_LEFT,
    });
    browser.client().perform_actions(mouse).await?;
    Ok(())
}

/// The `z` value of a page URL, as the page writes it (percent-decoded).
fn z_in(url: &str) -> Result<String> {
    let value = url
        .split(['?', '&'])
        .find_map(|pair| pair.strip_prefix("z="))
        .context("the URL has no z")?;
    Ok(value.replace("%2C", ",").replace("%2c", ","))
}

#[tokio::test]
async fn dragging_the_cursor_changes_the_pixels_and_a_copied_link_restores_them() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    open(&browser, &site, "#/vae?model=vae-mnist-z2&z=0,0").await?;
    let before = browser.canvas_pixels("#decoded").await?;
    drag(
        &browser,
        "#latent-map",
        &[(40.0, -30.0), (40.0, -30.0), (40.0, -20.0)],
    )
    .await?;
    browser
        .wait_for_text("#z-readout", |t| t != "z = (0.00, 0.00)")
        .await?;
    wait_changed(&browser, "#decoded", &before, 0.02).await?;
    let readout = browser.text("#z-readout").await?.unwrap_or_default();

    // The URL follows (debounced), and reopening it shows the same point and the same pixels.
    let mut url = String::new();
    for _ in 0..100 {
        url = browser.client().current_url().await?.to_string();
        if url.contains("z=") && !url.contains("z=0,0") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    ensure!(url.contains("model=vae-mnist-z2"), "{url}");
    // Decodes run in the inference worker and may finish after the drag: compare the picture of the final point.
    let z = z_in(&url)?;
    browser
        .wait_for_attribute("#decoded", "data-z", |drawn| drawn == z)
        .await?;
    let after = browser.canvas_pixels("#decoded").await?;
    browser.screenshot("vae-page").await?;
    browser.goto("about:blank").await?;
    browser.goto(&url).await?;
    browser
        .wait_for_text("#decode-time", |t| t.starts_with("decode "))
        .await?;
    browser
        .wait_for_text("#z-readout", |t| t == readout)
        .await?;
    browser
        .wait_for_attribute("#decoded", "data-z", |drawn| drawn == z)
        .await?;
    let reopened = browser.canvas_pixels("#decoded").await?;
    ensure!(
        picture_distance(&reopened, &after) < 0.004,
        "the reopened link decodes differently ({})",
        picture_distance(&reopened, &after)
    );
    browser.close().await
}

#[tokio::test]
async fn nan_huge_and_unknown_values_in_the_url_open_a_valid_view_and_say_so() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    for (hash, readout, note) in [
        (
            "#/vae?model=vae-mnist-z2&z=NaN,1e999",
            "z = (0.00, 0.00)",
            "z=",
        ),
        (
            "#/vae?model=vae-mnist-z2&z=1e30,-5",
            "z = (3.00, -3.00)",
            "clamped",
        ),
        (
            "#/vae?model=no-such-model&z=1,1",
            "z = (0.00, 0.00)",
            "model=",
        ),
        (
            "#/vae?model=vae-mnist-z2&z=0.5",
            "z = (0.00, 0.00)",
            "2 finite numbers",
        ),
    ] {
        open(&browser, &site, hash).await?;
        browser
            .wait_for_text("#z-readout", |t| t == readout)
            .await?;
        let notes = browser
            .wait_for_text("#url-notes", |t| t.contains(note))
            .await?;
        ensure!(!notes.is_empty(), "{hash}");
        ensure!(
            !browser.is_visible(".error-panel").await?,
            "{hash} shows an error"
        );
    }
    // A missing z is not an error: the origin, and no note.
    open(&browser, &site, "#/vae?model=vae-mnist-z16").await?;
    ensure!(
        !browser.is_visible("#url-notes").await?,
        "a link without z complained"
    );
    browser.close().await
}

#[tokio::test]
async fn on_webgpu_dragging_draws_straight_to_the_canvas_and_reads_nothing_back() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::OnWithCanvases).await?;
    let link = "#/vae?model=vae-mnist-z2&z=0.5,-1&backend=webgpu";
    open_on(&browser, &site.url(link), "WebGPU").await?;
    // On WebGPU the cursor and the map are drawn through a WebGPU canvas context.
    for canvas in ["#decoded", "#map-canvas"] {
        let kind = context_of(&browser, canvas).await?;
        ensure!(kind == "webgpu", "{canvas} is drawn with {kind}");
    }

    // Dragging the cursor submits work and reads nothing back, once the page's own reads (the evaluation
    // subset's encodings) are done.
    let mut read = gpu_counter(&browser, "gpuBytesRead").await?;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = gpu_counter(&browser, "gpuBytesRead").await?;
        if now == read {
            break;
        }
        read = now;
    }
    let submits = gpu_counter(&browser, "gpuSubmits").await?;
    let drawn = decodes(&browser).await?;
    drag(
        &browser,
        "#latent-map",
        &[(20.0, 5.0), (10.0, -15.0), (-25.0, 10.0)],
    )
    .await?;
    let mut now = drawn;
    for _ in 0..100 {
        now = decodes(&browser).await?;
        if now > drawn {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    ensure!(now > drawn, "dragging drew nothing on WebGPU");
    let (submits_after, read_after) = (
        gpu_counter(&browser, "gpuSubmits").await?,
        gpu_counter(&browser, "gpuBytesRead").await?,
    );
    ensure!(
        submits_after > submits,
        "no GPU work was submitted while dragging"
    );
    ensure!(
        read_after == read,
        "{} bytes were read back from the GPU for {} cursor pictures",
        read_after - read,
        now - drawn
    );

    browser.close().await
}

/// The canvas-direct path against the read-back one, compared on screen: a WebGPU canvas's drawing buffer is
/// replaced with a transparent one once the page has shown it, so `drawImage` (what `canvas_pixels` reads) sees a
/// presented picture only within the frame that drew it; a screenshot sees what the visitor sees.
#[tokio::test]
async fn the_canvas_direct_path_gives_the_read_back_paths_pixels() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::OnWithCanvases).await?;
    let link = "#/vae?model=vae-mnist-z2&z=0.5,-1&backend=webgpu";
    // The same point on both paths: equal within 2 of 255 grey levels on screen.
    open_on(&browser, &site.url(link), "WebGPU").await?;
    ensure!(
        context_of(&browser, "#decoded").await? == "webgpu",
        "not drawn on WebGPU"
    );
    wait_drawn(&browser, "#map-canvas").await?;
    hide_map_overlays(&browser).await?;
    let gpu = (
        browser
            .settled_element_screenshot("#decoded", "vae-decoded-webgpu")
            .await?,
        browser
            .settled_element_screenshot("#map-canvas", "vae-map-webgpu")
            .await?,
    );
    browser.choose_backend("cpu").await?;
    browser
        .wait_for_text("#decode-time", |t| {
            t.starts_with("decode ") && t.contains("wasm CPU")
        })
        .await?;
    browser
        .wait_for_text("#z-readout", |t| t == "z = (0.50, -1.00)")
        .await?;
    let kind = context_of(&browser, "#decoded").await?;
    ensure!(kind == "2d", "on the CPU #decoded is drawn with {kind}");
    // The map is drawn once the whole grid is decoded (onto a new canvas).
    wait_drawn(&browser, "#map-canvas").await?;
    hide_map_overlays(&browser).await?;
    let cpu = (
        browser
            .settled_element_screenshot("#decoded", "vae-decoded-cpu")
            .await?,
        browser
            .settled_element_screenshot("#map-canvas", "vae-map-cpu")
            .await?,
    );
    // Tolerance: f32 on both sides, different summation order.
    let cursor = screenshot_difference(&gpu.0, &cpu.0)?;
    let map = screenshot_difference(&gpu.1, &cpu.1)?;
    ensure!(
        cursor <= 2 && map <= 2,
        "WebGPU and CPU differ on screen by up to {cursor} grey levels (cursor), {map} (map)"
    );
    for (what, shot) in [("cursor", &gpu.0), ("map", &gpu.1)] {
        let (dark, light) = shot
            .0
            .chunks(4)
            .fold((255u8, 0u8), |(lo, hi), p| (lo.min(p[0]), hi.max(p[0])));
        ensure!(
            light - dark > 100,
            "the {what} on WebGPU is blank ({dark}–{light})"
        );
    }
    std::fs::write(
        artefact_dir().join("vae_canvas_direct.json"),
        serde_json::to_string_pretty(&json!({
            "vae_canvas_direct_vs_read_back_grey_levels": {"cursor": cursor, "map": map},
        }))?,
    )?;
    browser.close().await
}

/// Hides what the map draws over its canvas (the test set's scatter, the cursor, a posterior), whose state differs
/// between two loads, so that screenshots compare the decoded tiles alone (a style rule, so that it holds for the
/// scatter that arrives later).
async fn hide_map_overlays(browser: &Browser) -> Result<()> {
    browser
        .eval("if (!document.querySelector('#no-overlays')) { const s = document.createElement('style'); s.id = 'no-overlays'; s.textContent = '.latent-map > :not(canvas) { visibility: hidden !important; }'; document.head.append(s); } return 0;")
        .await?;
    Ok(())
}

/// Waits until a picture has been drawn on the canvas matching `selector` (its `data-drawn` count), up to a
/// minute: SwiftShader takes seconds for the map's 400 decodes.
async fn wait_drawn(browser: &Browser, selector: &str) -> Result<()> {
    let script = format!(
        "const c = document.querySelector({selector:?}); return c && c.dataset.drawn ? Number(c.dataset.drawn) : null;"
    );
    browser.wait_value(&script, 60).await?;
    Ok(())
}

/// Opens `url` and waits until the first decode on `backend` ("WebGPU", "wasm CPU") has been drawn.
async fn open_on(browser: &Browser, url: &str, backend: &str) -> Result<()> {
    browser.goto(url).await?;
    browser
        .wait_for_text("#decode-time", |t| {
            t.starts_with("decode ") && t.contains(backend)
        })
        .await?;
    Ok(())
}

/// How many cursor pictures `#decoded` has shown (its `data-decodes`).
async fn decodes(browser: &Browser) -> Result<u64> {
    let n = browser
        .eval("return document.querySelector('#decoded').dataset.decodes || '0';")
        .await?;
    Ok(n.as_str().and_then(|s| s.parse().ok()).unwrap_or(0))
}

/// Squared distance between two points given as "x,y".
fn parse_point(s: &str) -> Result<[f64; 2]> {
    let v: Vec<f64> = s.split(',').map(str::parse).collect::<Result<_, _>>()?;
    ensure!(v.len() == 2, "not a 2-D point: {s}");
    Ok([v[0], v[1]])
}

#[tokio::test]
async fn encoded_test_images_land_near_their_class_and_drawings_encode() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    open(&browser, &site, "#/vae?model=vae-mnist-z2").await?;
    let mut centroids = String::new();
    for _ in 0..200 {
        if let Some(c) = browser
            .eval("const s = document.querySelector('#scatter'); return s ? s.dataset.centroids : null;")
            .await?
            .as_str()
        {
            centroids = c.to_string();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let centroids: Vec<[f64; 2]> = centroids
        .split(';')
        .map(parse_point)
        .collect::<Result<_>>()?;
    ensure!(centroids.len() == 10, "{centroids:?}");

    let thumbs = browser
        .client()
        .find_all(Locator::Css(".test-image"))
        .await?;
    ensure!(thumbs.len() == 12, "{} thumbnails", thumbs.len());
    let mut ranks = Vec::new();
    for thumb in thumbs {
        let index = thumb.attr("data-index").await?.context("no index")?;
        let label: usize = thumb
            .attr("data-label")
            .await?
            .context("no label")?
            .parse()?;
        thumb.click().await?;
        browser
            .wait_for_text("#posterior", |t| {
                t.starts_with(&format!("test image #{index} "))
            })
            .await?;
        let mean = browser
            .eval("return document.querySelector('#posterior').dataset.mean;")
            .await?;
        let mean = parse_point(mean.as_str().context("no mean")?)?;
        let d = |c: &[f64; 2]| (c[0] - mean[0]).powi(2) + (c[1] - mean[1]).powi(2);
        let own = d(&centroids[label]);
        let closer = centroids.iter().filter(|c| d(c) < own).count();
        ranks.push((index, label, closer));
        // The ELBO panel adds up.
        let number = |t: Option<String>| -> Result<f64> {
            Ok(t.context("missing")?.trim_end_matches(" nats").parse()?)
        };
        let recon = number(browser.text("#elbo-recon").await?)?;
        let kl = number(browser.text("#elbo-kl").await?)?;
        let total = number(browser.text("#elbo-total").await?)?;
        ensure!(
            recon > 0.0 && kl >= 0.0 && (recon + kl - total).abs() < 0.02,
            "{recon} + {kl} != {total}"
        );
    }
    // Nearer its own class's centroid than most (at least 5 of the 9) other classes' centroids.
    for (index, label, closer) in &ranks {
        ensure!(
            *closer <= 4,
            "test image #{index} (class {label}) has {closer} other centroids nearer: {ranks:?}"
        );
    }

    // A stroke on the drawing pad is encoded when it ends.
    drag(
        &browser,
        "#draw-canvas",
        &[(0.0, 40.0), (0.0, 40.0), (5.0, -90.0)],
    )
    .await?;
    browser
        .wait_for_text("#posterior", |t| t.starts_with("your drawing"))
        .await?;
    ensure!(
        browser.is_visible("#posterior-ellipse").await?,
        "no 1-sigma ellipse on the map"
    );
    browser.close().await
}

#[tokio::test]
async fn z16_sliders_and_prior_samples_change_the_image() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    open(&browser, &site, "#/vae?model=vae-mnist-z16").await?;
    let sliders = browser
        .client()
        .find_all(Locator::Css(".latent-slider"))
        .await?;
    ensure!(sliders.len() == 16, "{} sliders", sliders.len());
    let before = browser.canvas_pixels("#decoded").await?;
    // Drag the first slider's thumb to the right end.
    drag(
        &browser,
        ".latent-slider[data-dim='0']",
        &[(60.0, 0.0), (200.0, 0.0)],
    )
    .await?;
    browser
        .wait_for_text("#z-readout", |t| t.starts_with("z = (3.00"))
        .await?;
    let after = wait_changed(&browser, "#decoded", &before, 0.01).await?;
    // Keyboard: the sliders are reachable and move with the arrow keys.
    browser.click("#sample-prior").await?;
    wait_changed(&browser, "#decoded", &after, 0.01).await?;
    browser.click("#reset-zero").await?;
    browser
        .wait_for_text("#z-readout", |t| {
            t.split(", ")
                .all(|v| v.trim_matches(|c| "z=() ".contains(c)) == "0.00")
        })
        .await?;
    ensure!(
        picture_distance(&browser.canvas_pixels("#decoded").await?, &before) < 0.004,
        "zero does not decode like the start"
    );
    browser.close().await
}

#[tokio::test]
async fn the_page_speaks_chinese_with_no_english_ui_left() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    // The z = 2 map with its legend, the picker and, once a test image is encoded, the posterior and the ELBO.
    browser.goto(&site.url("#/vae?lang=zh")).await?;
    browser
        .wait_for_text("#decode-time", |t| t.starts_with("解码 "))
        .await?;
    browser
        .wait_for_text("main h1", |t| t == "VAE 的隐空间")
        .await?;
    let mut thumb = None;
    for _ in 0..200 {
        if let Some(first) = browser
            .client()
            .find_all(Locator::Css(".test-image"))
            .await?
            .into_iter()
            .next()
        {
            thumb = Some(first);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    thumb.context("no test images")?.click().await?;
    browser
        .wait_for_text("#posterior", |t| t.starts_with("测试图像 #"))
        .await?;
    browser
        .wait_for_text("#elbo-total", |t| t.ends_with(" nats"))
        .await?;
    let english = browser.foreign_ui_text("zh").await?;
    ensure!(english.is_empty(), "English UI text: {english:?}");
    browser.screenshot("vae-page-zh").await?;
    // The z = 16 sliders, on Fashion-MNIST (its class names are translated too).
    browser.goto("about:blank").await?;
    browser
        .goto(&site.url("#/vae?model=vae-fashion-z16&lang=zh"))
        .await?;
    browser
        .wait_for_text("#decode-time", |t| t.starts_with("解码 "))
        .await?;
    browser
        .wait_for_text("#sample-prior", |t| t == "从先验采样")
        .await?;
    let english = browser.foreign_ui_text("zh").await?;
    ensure!(english.is_empty(), "z = 16, English UI text: {english:?}");
    browser.close().await
}

/// Input-event-to-pixels latency while dragging, per backend: measured and reported, never asserted.
#[tokio::test]
async fn drag_latency_is_measured_on_both_backends() -> Result<()> {
    let site = Site::serve()?;
    let mut figures = serde_json::Map::new();
    // wasm CPU as shipped (the cursor decoded on the page's thread, the rest in the worker), and with the cursor's
    // decode in the worker too (`inference=worker`) to compare.
    for (webgpu, name, search, hash) in [
        (WebGpu::Off, "wasm_cpu", "", ""),
        (
            WebGpu::Off,
            "wasm_cpu_cursor_in_worker",
            "?inference=worker",
            "",
        ),
        (WebGpu::OnWithCanvases, "webgpu", "", "&backend=webgpu"),
        // The default on a machine whose only WebGPU adapter is a software one: measured, then the CPU.
        (WebGpu::On, "webgpu_adapter_automatic_choice", "", ""),
    ] {
        let browser = Browser::launch(webgpu).await?;
        browser
            .goto(&site.url(&format!("{search}#/vae?model=vae-mnist-z2&z=-2,2{hash}")))
            .await?;
        let wanted = if name == "webgpu" {
            "WebGPU"
        } else {
            "wasm CPU"
        };
        browser
            .wait_for_text("#decode-time", |t| {
                t.starts_with("decode ") && t.contains(wanted)
            })
            .await?;
        browser
            .eval("window.genscopeVaeLatencies = []; return 0;")
            .await?;
        // 200 small moves, back and forth, with the button down.
        let moves: Vec<(f64, f64)> = (0..200)
            .map(|i| {
                if i % 40 < 20 {
                    (6.0, 4.0)
                } else {
                    (-6.0, -4.0)
                }
            })
            .collect();
        // One move per 60 Hz frame, as a real drag arrives (a WebDriver burst would measure queueing instead).
        drag_paced(
            &browser,
            "#latent-map",
            &moves,
            Some(Duration::from_millis(16)),
        )
        .await?;
        // Software WebGPU (SwiftShader) may still be drawing the last frames: wait until the list stops growing.
        let mut seen = 0;
        for _ in 0..60 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let now = browser
                .eval("return window.genscopeVaeLatencies.length;")
                .await?;
            let now = now.as_u64().unwrap_or(0);
            if now > 0 && now == seen {
                break;
            }
            seen = now;
        }
        let list = browser.eval("return window.genscopeVaeLatencies;").await?;
        let mut ms: Vec<f64> = list
            .as_array()
            .context("no latencies")?
            .iter()
            .filter_map(|v| v.as_f64())
            .collect();
        ensure!(
            !ms.is_empty(),
            "no decode was drawn while dragging on {name}"
        );
        ms.sort_by(f64::total_cmp);
        let pct = |p: f64| ms[((ms.len() - 1) as f64 * p).round() as usize];
        figures.insert(
            format!("vae_drag_latency_{name}"),
            json!({ "p50_ms": pct(0.5), "p95_ms": pct(0.95), "frames_drawn": ms.len(), "moves": 200 }),
        );
        browser.close().await?;
    }
    std::fs::write(
        artefact_dir().join("vae_latency.json"),
        serde_json::to_string_pretty(&figures)?,
    )?;
    Ok(())
}
