//! The 2-D lab in a real headless Chromium: EM on the seeded ring reaches the true density's held-out NLL, the
//! heat map shows the modes, half-steps alternate, drawing and erasing work while training, links carry the
//! settings, the flow trains in the inference worker (its NLL falls, steps per second measured, the page's thread
//! never blocked), the autoregressive model comes within 0.3 nats of the ring's true held-out NLL there and the
//! VAE's importance-weighted bound within a nat, and the page speaks Chinese.

use anyhow::{ensure, Context, Result};
use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::Locator;
use genscope_e2e::{artefact_dir, Browser, Site, WebGpu};
use serde_json::json;

/// The lab's window is [-4, 4]² on a 400-pixel canvas.
fn pixel_of([x, y]: [f64; 2]) -> (usize, usize) {
    (((x + 4.0) * 50.0) as usize, ((4.0 - y) * 50.0) as usize)
}

/// A number from a data attribute of the element matching `selector`.
async fn data(browser: &Browser, selector: &str, key: &str) -> Result<f64> {
    let v = browser
        .eval(&format!(
            "const e = document.querySelector({selector:?}); return e ? e.dataset[{key:?}] ?? null : null;"
        ))
        .await?;
    v.as_str()
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("{selector} has no number in data-{key}: {v}"))
}

/// Starts collecting long tasks on the page's thread.
async fn watch_long_tasks(browser: &Browser) -> Result<()> {
    browser
        .eval(
            "window.labLong = []; new PerformanceObserver(l => l.getEntries().forEach(e => \
             window.labLong.push(e.duration))).observe({ type: 'longtask' }); return 0;",
        )
        .await?;
    Ok(())
}

/// Plays EM from a fresh start until it converges; returns the longest task seen meanwhile (0 for none).
async fn train_to_convergence(browser: &Browser) -> Result<f64> {
    browser.click("#lab-reset").await?;
    browser
        .wait_for_text("#lab-status", |t| t.starts_with("0 EM steps"))
        .await?;
    browser.eval("window.labLong = []; return 0;").await?;
    browser.click("#lab-play").await?;
    browser
        .wait_value(
            "const s = document.querySelector('#lab-status'); return s.dataset.converged ? s.textContent : null;",
            120,
        )
        .await?;
    longest_task(browser).await
}

/// Plays the worker's training until it has taken at least `steps` steps and measured its rate, then pauses.
async fn play_until(browser: &Browser, steps: f64) -> Result<()> {
    browser.click("#lab-play").await?;
    let script = format!(
        "const s = document.querySelector('#lab-status'); return Number(s.dataset.steps) >= {steps} && s.dataset.rate ? s.dataset.steps : null;"
    );
    browser.wait_value(&script, 240).await?;
    browser.click("#lab-play").await?;
    Ok(())
}

/// The longest task on the page's thread while the worker trained (taken since [`watch_long_tasks`]); over
/// 50 ms, 300 more steps are played and the shorter figure is kept — as for EM, a task the other test browsers
/// stretched happens once, one the page causes happens every time.
async fn longest_while_training(browser: &Browser) -> Result<f64> {
    let mut longest = longest_task(browser).await?;
    if longest > 50.0 {
        browser.eval("window.labLong = []; return 0;").await?;
        let steps = data(browser, "#lab-status", "steps").await?;
        play_until(browser, steps + 300.0).await?;
        longest = longest.min(longest_task(browser).await?);
    }
    Ok(longest)
}

/// The longest task [`watch_long_tasks`] has seen since it last started or was cleared (0 for none).
async fn longest_task(browser: &Browser) -> Result<f64> {
    let longest = browser
        .eval("return window.labLong.reduce((a, b) => Math.max(a, b), 0);")
        .await?;
    Ok(longest.as_f64().unwrap_or(f64::NAN))
}

/// The ring's heat map is dark on a mode and white between two modes and at the origin, far from all eight: the
/// model found the modes. (Read after the long tasks are counted: copying the canvas out is the test's own.)
async fn ensure_ring_heat_map(browser: &Browser) -> Result<()> {
    let pixels = browser.canvas_pixels("#lab-canvas").await?;
    let grey = |p: [f64; 2]| {
        let (x, y) = pixel_of(p);
        let i = 4 * (y * 400 + x);
        (pixels[i] + pixels[i + 1] + pixels[i + 2]) / 3.0
    };
    // (2, 0) and (√2, √2) are modes; their midpoint's angle is 22.5°.
    let (on_mode, between, origin) = (
        grey([0.0, -2.0]),
        grey([2.0 * 0.3827, 2.0 * 0.9239]),
        grey([0.0, 0.0]),
    );
    ensure!(
        on_mode < 150.0 && between > 200.0 && origin > 250.0,
        "heat map greys: on a mode {on_mode}, between modes {between}, at the origin {origin}"
    );
    Ok(())
}

/// What one training of a worker family showed, from its first picture to the pause.
struct WorkerRun {
    /// The held-out NLL of the first picture (the fresh model).
    start: f64,
    /// Steps taken, and the steps a second the page measured.
    steps: f64,
    rate: f64,
    /// The last picture's NLLs.
    train: f64,
    held: f64,
    /// The longest task on the page's thread meanwhile.
    longest: f64,
}

/// Opens `link`, plays the worker's training for at least `steps` steps and pauses; fails if the page's thread
/// had a task over 50 ms meanwhile.
async fn train_in_worker(
    browser: &Browser,
    site: &Site,
    link: &str,
    steps: f64,
) -> Result<WorkerRun> {
    browser.goto(&site.url(link)).await?;
    browser
        .wait_for_text("#lab-status", |t| t.starts_with("0 training steps"))
        .await?;
    let start = data(browser, "#nll-model", "held").await?;
    watch_long_tasks(browser).await?;
    play_until(browser, steps).await?;
    // One read of the last picture's numbers: the batch in flight at the pause paints once more (25 steps later,
    // the NLL a few hundredths away), and separate reads could straddle it.
    let shown = browser
        .eval(
            "const s = document.querySelector('#lab-status').dataset, m = document.querySelector('#nll-model').dataset; \
             return [s.steps, s.rate, m.train, m.held].map(Number);",
        )
        .await?;
    let [steps, rate, train, held]: [f64; 4] = serde_json::from_value(shown.clone())
        .with_context(|| format!("the lab's numbers: {shown}"))?;
    let run = WorkerRun {
        start,
        steps,
        rate,
        train,
        held,
        longest: longest_while_training(browser).await?,
    };
    ensure!(
        run.longest <= 50.0,
        "a {} ms task on the page's thread while the worker trained {link}",
        run.longest
    );
    Ok(run)
}

#[tokio::test]
async fn em_on_the_ring_reaches_the_true_densitys_held_out_nll_without_blocking_the_page(
) -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    browser
        .goto(&site.url("#/lab?data=ring&k=8&seed=1"))
        .await?;
    browser
        .wait_for_text("#lab-status", |t| t.starts_with("0 EM steps"))
        .await?;
    watch_long_tasks(&browser).await?;
    // A task stretched past 50 ms by the other test browsers on two cores happens once; one the page causes
    // happens every time: train again before calling it the page's.
    let mut longest = train_to_convergence(&browser).await?;
    if longest > 50.0 {
        longest = longest.min(train_to_convergence(&browser).await?);
    }
    ensure!(
        longest <= 50.0,
        "a {longest} ms task on the page's thread while EM played"
    );
    let steps = data(&browser, "#lab-status", "steps").await?;
    let (gmm, truth) = (
        data(&browser, "#nll-model", "held").await?,
        data(&browser, "#nll-true", "held").await?,
    );
    ensure!(
        (gmm - truth).abs() < 0.1,
        "held-out NLL: mixture {gmm:.3} vs the true density {truth:.3} after {steps} steps"
    );
    let train = data(&browser, "#nll-model", "train").await?;
    ensure_ring_heat_map(&browser).await?;
    browser.screenshot("lab-ring-gmm").await?;
    std::fs::write(
        artefact_dir().join("lab_gmm.json"),
        serde_json::to_string_pretty(&json!({
            "lab_gmm_ring_k8": {"steps": steps, "train_nll": train, "held_out_nll": gmm, "true_held_out_nll": truth,
                "longest_task_ms": longest},
        }))?,
    )?;
    browser.close().await
}

/// Clicks the plane at `p` with the mouse.
async fn click_plane(browser: &Browser, p: [f64; 2]) -> Result<()> {
    // WebDriver's offsets are from the centre of the element's part in the viewport: show all of it first.
    browser
        .eval("document.querySelector('#lab-canvas').scrollIntoView({block: 'center'}); return 0;")
        .await?;
    let canvas = browser.client().find(Locator::Css("#lab-canvas")).await?;
    // The canvas may be shown smaller than its 400 pixels: click in its own CSS pixels, from its centre.
    let width = browser
        .eval("return document.querySelector('#lab-canvas').getBoundingClientRect().width;")
        .await?
        .as_f64()
        .context("canvas width")?;
    let scale = width / 400.0;
    let (x, y) = pixel_of(p);
    let (dx, dy) = ((x as f64 - 200.0) * scale, (y as f64 - 200.0) * scale);
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: canvas,
            duration: None,
            x: dx,
            y: dy,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    browser.client().perform_actions(mouse).await?;
    browser.client().release_actions().await?;
    Ok(())
}

#[tokio::test]
async fn half_steps_alternate_drawing_works_while_training_and_links_carry_the_settings(
) -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    browser
        .goto(&site.url("#/lab?data=moons&k=3&seed=7"))
        .await?;
    browser
        .wait_for_text("#lab-status", |t| t.starts_with("0 EM steps"))
        .await?;
    let half = browser
        .client()
        .find(Locator::Css("#lab-half-step"))
        .await?;
    ensure!(half.text().await? == "E-step");
    let before = data(&browser, "#nll-model", "train").await?;
    half.click().await?;
    browser
        .wait_for_text("#lab-half-step", |t| t == "M-step")
        .await?;
    // The E-step colours the points but moves nothing: the curve has no new point yet.
    ensure!(data(&browser, "#lab-status", "steps").await? == 0.0);
    half.click().await?;
    browser
        .wait_for_text("#lab-status", |t| t.starts_with("1 EM steps"))
        .await?;
    let after = data(&browser, "#nll-model", "train").await?;
    ensure!(
        after <= before,
        "one EM step raised the training NLL from {before} to {after}"
    );

    // Points drawn while EM plays are added, and Shift-clicks erase them.
    let points = data(&browser, "#lab-status", "points").await?;
    browser.click("#lab-play").await?;
    click_plane(&browser, [-3.0, 3.0]).await?;
    let script = format!(
        "const n = Number(document.querySelector('#lab-status').dataset.points); return n === {} ? n : null;",
        points + 1.0
    );
    browser.wait_value(&script, 30).await?;
    // WebDriver's key and pointer sources do not share a Shift: the Shift-click is dispatched by the page.
    let (x, y) = pixel_of([-3.0, 3.0]);
    browser
        .eval(&format!(
            "const c = document.querySelector('#lab-canvas'), r = c.getBoundingClientRect(), s = r.width / 400; \
             const at = {{clientX: r.left + {x} * s, clientY: r.top + {y} * s, shiftKey: true, buttons: 1, bubbles: true}}; \
             c.dispatchEvent(new PointerEvent('pointerdown', at)); c.dispatchEvent(new PointerEvent('pointerup', at)); \
             return 0;"
        ))
        .await?;
    let script = format!(
        "const n = Number(document.querySelector('#lab-status').dataset.points); return n === {points} ? n : null;"
    );
    browser.wait_value(&script, 30).await?;

    // The link says what is shown; a link with bad values opens the defaults and says why.
    let hash = browser.eval("return location.hash;").await?;
    let hash = hash.as_str().unwrap_or_default();
    ensure!(
        hash.contains("data=moons") && hash.contains("k=3") && hash.contains("seed=7"),
        "{hash}"
    );
    // A worker family's learning rate and batch size come from the link and show in their controls.
    browser
        .goto(&site.url("#/lab?family=ar&data=moons&seed=7&lr=0.002&batch=64"))
        .await?;
    browser
        .wait_for_text("#lab-status", |t| t.starts_with("0 training steps"))
        .await?;
    let (lr, batch) = (
        browser
            .eval("return document.querySelector('#lab-lr').value;")
            .await?,
        browser
            .eval("return document.querySelector('#lab-batch').value;")
            .await?,
    );
    ensure!(
        lr == json!("0.002") && batch == json!("64"),
        "lr {lr}, batch {batch}"
    );
    browser.goto(&site.url("#/lab?data=cube&k=99")).await?;
    let notes = browser
        .wait_for_text("#url-notes", |t| t.contains("cube"))
        .await?;
    ensure!(notes.contains("99"), "{notes}");
    let k = browser
        .eval("return document.querySelector('#lab-k').value;")
        .await?;
    ensure!(k == json!("16"), "k from k=99 is {k}");
    browser.close().await
}

#[tokio::test]
async fn the_lab_speaks_chinese_with_no_english_ui_left() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    browser.goto(&site.url("#/lab?lang=zh")).await?;
    browser
        .wait_for_text("main h1", |t| t.starts_with("二维实验室"))
        .await?;
    browser.click("#lab-half-step").await?;
    browser
        .wait_for_text("#lab-half-step", |t| t == "M 步")
        .await?;
    let english = browser.foreign_ui_text("zh").await?;
    ensure!(
        english.is_empty(),
        "English left on the Chinese lab: {english:?}"
    );
    browser.close().await
}

#[tokio::test]
async fn the_flow_trains_in_the_worker_its_nll_falls_and_its_rate_is_measured() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    // The first picture: the flow starts as the identity, its density the base Gaussian.
    let run = train_in_worker(
        &browser,
        &site,
        "#/lab?family=flow&data=moons&seed=3",
        1000.0,
    )
    .await?;
    ensure!(
        run.held < run.start - 1.0,
        "after {} steps the held-out NLL went from {:.3} to only {:.3}",
        run.steps,
        run.start,
        run.held
    );
    // Drawn while the worker trains: the points are sent, and the next picture counts them.
    let points = data(&browser, "#lab-status", "points").await?;
    click_plane(&browser, [3.0, -3.0]).await?;
    let script = format!(
        "const n = Number(document.querySelector('#lab-status').dataset.points); return n === {} ? n : null;",
        points + 1.0
    );
    browser.wait_value(&script, 30).await?;
    ensure!(
        !browser.is_visible("[data-failed]").await?,
        "the worker's training failed"
    );
    browser.screenshot("lab-moons-flow").await?;
    std::fs::write(
        artefact_dir().join("lab_flow.json"),
        serde_json::to_string_pretty(&json!({
            "lab_flow_moons": {"steps": run.steps, "steps_per_s_wasm_cpu_worker": run.rate,
                "start_held_out_nll": run.start, "train_nll": run.train, "held_out_nll": run.held,
                "longest_page_task_ms": run.longest},
        }))?,
    )?;
    browser.close().await
}

#[tokio::test]
async fn the_autoregressive_model_trains_in_the_worker_to_near_the_rings_true_nll_and_stays_in_the_compare_table(
) -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    // Natively the same seed is within 0.3 nats of the truth after 1,500 steps.
    let run = train_in_worker(&browser, &site, "#/lab?family=ar&data=ring&seed=1", 1500.0).await?;
    let truth = data(&browser, "#nll-true", "held").await?;
    ensure!(
        run.held - truth < 0.3,
        "after {} steps the autoregressive model's held-out NLL is {:.3} against the truth's {truth:.3}",
        run.steps,
        run.held
    );
    // Its exact density, painted.
    ensure_ring_heat_map(&browser).await?;
    browser.screenshot("lab-ring-autoregressive").await?;
    // Compare: the mixture trained next on the same points, the table keeps the autoregressive model's row.
    let last = data(&browser, "#nll-model", "held").await?;
    browser
        .eval(
            "const f = document.querySelector('#lab-family'); f.value = 'gmm'; \
             f.dispatchEvent(new Event('change', {bubbles: true})); return 0;",
        )
        .await?;
    browser
        .wait_for_text("#lab-status", |t| t.starts_with("0 EM steps"))
        .await?;
    browser.click("#lab-play").await?;
    browser
        .wait_value(
            "const s = document.querySelector('#lab-status'); return s.dataset.converged ? 1 : null;",
            120,
        )
        .await?;
    let (compared, gmm) = (
        data(&browser, "#nll-ar", "held").await?,
        data(&browser, "#nll-model", "held").await?,
    );
    ensure!(
        (compared - last).abs() < 1e-9 && (gmm - truth).abs() < 0.1,
        "compare table: autoregressive {compared} (it ended at {last}), mixture {gmm}, truth {truth}"
    );
    browser.screenshot("lab-ring-compare").await?;
    std::fs::write(
        artefact_dir().join("lab_ar.json"),
        serde_json::to_string_pretty(&json!({
            "lab_ar_ring": {"steps": run.steps, "steps_per_s_wasm_cpu_worker": run.rate, "held_out_nll": run.held,
                "true_held_out_nll": truth, "longest_page_task_ms": run.longest},
        }))?,
    )?;
    browser.close().await
}

#[tokio::test]
async fn the_vae_trains_in_the_worker_and_its_bound_comes_within_a_nat_of_the_ring() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    let run = train_in_worker(&browser, &site, "#/lab?family=vae&data=ring&seed=1", 1500.0).await?;
    let truth = data(&browser, "#nll-true", "held").await?;
    // The stated threshold: natively the same seed gets 1.14 nats against the truth's 0.30 after 1,500 steps.
    ensure!(
        run.held - truth < 1.0,
        "after {} steps the VAE's held-out bound is {:.3} (from {:.3}) against the truth's {truth:.3}",
        run.steps,
        run.held,
        run.start
    );
    browser.screenshot("lab-ring-vae").await?;
    std::fs::write(
        artefact_dir().join("lab_vae.json"),
        serde_json::to_string_pretty(&json!({
            "lab_vae_ring": {"steps": run.steps, "steps_per_s_wasm_cpu_worker": run.rate,
                "start_held_out_iw_nll": run.start, "held_out_iw_nll": run.held, "true_held_out_nll": truth,
                "longest_page_task_ms": run.longest},
        }))?,
    )?;
    browser.close().await
}
