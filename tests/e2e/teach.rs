//! The teaching layer in headless Chromium: each page's "How it works" numbers equal the page's own, its formulas
//! are MathML, every tour step points at something visible, and the pages fit a 360 px screen.

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use fantoccini::Locator;
use genscope_e2e::{Browser, Site, WebGpu};
use serde_json::{json, Value};

/// Every explainer formula on the page is MathML, and no TeX is left on screen.
async fn formulas_are_mathml(browser: &Browser, panel: &str, at_least: u64) -> Result<()> {
    let v = browser
        .client()
        .execute(
            "const p = document.querySelector(arguments[0]); \
             return [p.querySelectorAll('.formula math').length, p.querySelectorAll('.formula').length, p.innerText];",
            vec![json!(panel)],
        )
        .await?;
    let (maths, slots) = (v[0].as_u64().unwrap_or(0), v[1].as_u64().unwrap_or(0));
    ensure!(
        maths >= at_least && maths == slots,
        "{panel}: {maths} MathML of {slots} formulas"
    );
    let text = v[2].as_str().unwrap_or_default();
    ensure!(
        !text.contains("\\frac") && !text.contains("\\mathbb"),
        "{panel}: raw TeX on screen"
    );
    Ok(())
}

fn number(v: &Value) -> f64 {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .or_else(|| v.as_f64())
        .unwrap_or(f64::NAN)
}

#[tokio::test]
async fn the_vae_explainer_adds_up_the_pages_own_elbo_terms_and_beta_reweighs_them() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    browser.goto(&site.url("#/vae?model=vae-mnist-z2")).await?;
    browser
        .wait_for_text("#decode-time", |t| t.starts_with("decode "))
        .await?;
    formulas_are_mathml(&browser, "#vae-explainer", 1).await?;
    browser
        .wait_value("return document.querySelector('.test-image');", 30)
        .await?;
    browser.click(".test-image").await?;
    let terms = "const d = id => document.querySelector(id); if (!d('#explain-objective')) return null; \
                 return [d('#explain-recon').dataset.value, d('#explain-kl').dataset.value, \
                 d('#explain-objective').dataset.value, d('#kl-sum').dataset.value, d('#elbo-recon').textContent, \
                 d('#elbo-kl').textContent, d('#explain-objective').dataset.beta];";
    let v = browser.wait_value(terms, 30).await?;
    let (recon, kl, objective, kl_sum) =
        (number(&v[0]), number(&v[1]), number(&v[2]), number(&v[3]));
    let page = |i: usize| -> f64 {
        v[i].as_str()
            .unwrap_or("")
            .trim_end_matches(" nats")
            .parse()
            .unwrap_or(f64::NAN)
    };
    // The page's panel shows −log p(x|z) and KL; the explainer the same terms with the ELBO's signs.
    ensure!(
        (recon + page(4)).abs() < 0.01,
        "reconstruction {recon} vs the page's {}",
        page(4)
    );
    ensure!(
        (kl - page(5)).abs() < 0.01,
        "KL {kl} vs the page's {}",
        page(5)
    );
    ensure!(
        (objective - (recon - kl)).abs() < 1e-6,
        "β = 1: {objective} != {recon} − {kl}"
    );
    ensure!(
        (kl_sum - kl).abs() < 1e-3,
        "the per-dimension terms sum to {kl_sum}, not {kl}"
    );
    formulas_are_mathml(&browser, "#vae-explainer", 3).await?;
    // β = 2 reweighs the KL term; the model's terms stay.
    browser
        .eval(
            "const b = document.querySelector('#explain-beta'); b.value = '2'; \
               b.dispatchEvent(new Event('input', {bubbles: true})); return null;",
        )
        .await?;
    let v = browser.wait_value(
        "const o = document.querySelector('#explain-objective'); \
         return o.dataset.beta === '2' ? [o.dataset.value, document.querySelector('#explain-kl').dataset.value] : null;",
        10,
    )
    .await?;
    ensure!(
        (number(&v[1]) - kl).abs() < 1e-12,
        "β changed the model's KL"
    );
    ensure!(
        (number(&v[0]) - (recon - 2.0 * kl)).abs() < 1e-6,
        "β = 2: {} != {recon} − 2·{kl}",
        number(&v[0])
    );
    browser.close().await
}

#[tokio::test]
async fn the_gan_explainer_recomputes_v_from_the_scores_it_shows() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    browser.goto(&site.url("#/gan")).await?;
    // The panel scores real images once it is opened. It appears with the loaded GAN: the generous wait is for a
    // machine busy with the other test thread (a full run once took over 60 s here with a training beside it).
    browser
        .wait_value(
            "return document.querySelector('#gan-explainer summary');",
            150,
        )
        .await?;
    browser.click("#gan-explainer summary").await?;
    let v = browser.wait_value(
        "const v = document.querySelector('#gan-v'); \
         const cells = [...document.querySelectorAll('.cells .cell')].map(c => c.dataset.d).filter(d => d); \
         if (!v || !v.dataset.value || cells.length < 64) return null; \
         return [v.dataset.value, document.querySelector('#gan-d-real').dataset.scores, cells, \
         document.querySelector('#gan-d-fake').dataset.value];",
        60,
    )
    .await?;
    let real: Vec<f64> = v[1]
        .as_str()
        .context("scores")?
        .split(',')
        .map(|s| s.parse().unwrap_or(f64::NAN))
        .collect();
    let fake: Vec<f64> = v[2]
        .as_array()
        .context("cells")?
        .iter()
        .map(number)
        .collect();
    ensure!(
        real.len() == 64 && fake.len() == 64,
        "{} real, {} fake",
        real.len(),
        fake.len()
    );
    let mean_log = |xs: &[f64], f: &dyn Fn(f64) -> f64| {
        xs.iter().map(|&d| f(d).max(1e-12).ln()).sum::<f64>() / xs.len() as f64
    };
    let expected = mean_log(&real, &|d| d) + mean_log(&fake, &|d| 1.0 - d);
    let shown = number(&v[0]);
    ensure!(
        (shown - expected).abs() < 1e-3,
        "V shown {shown}, recomputed {expected}"
    );
    let mean_fake = fake.iter().sum::<f64>() / 64.0;
    ensure!(
        (number(&v[3]) - mean_fake).abs() < 1e-4,
        "mean D on the grid {} vs {mean_fake}",
        number(&v[3])
    );
    // Real test images get a score at all (D is a probability), and the objective is a real number.
    ensure!(real.iter().all(|d| (0.0..=1.0).contains(d)) && shown.is_finite());
    formulas_are_mathml(&browser, "#gan-explainer", 1).await?;
    browser.close().await
}

#[tokio::test]
async fn every_tour_step_points_at_a_visible_element_and_the_tour_is_remembered() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    for (page, ready) in [
        ("vae", "return document.querySelector('#decode-time') && document.querySelector('#vae-explainer') ? 1 : null;"),
        ("gan", "return document.querySelector('#gan-explainer') && document.querySelector('#timeline') ? 1 : null;"),
        ("lm", "return document.querySelector('#lm-explainer') && document.querySelector('#attention') ? 1 : null;"),
    ] {
        for lang in ["en", "zh"] {
            browser.goto(&site.url(&format!("#/{page}?lang={lang}"))).await?;
            browser.wait_value( ready, 60).await?;
            browser.client().find(Locator::Css("#tour-start")).await?.click().await?;
            let mut steps = 0;
            loop {
                let v = browser.wait_value(
                    "const p = document.querySelector('#tour-panel'); if (!p) return 'closed'; \
                     const t = document.querySelector(p.dataset.target); \
                     return [p.dataset.target, !!t && t.getClientRects().length > 0, \
                     !!t && t.classList.contains('tour-highlight'), document.querySelector('#tour-text').textContent];",
                    10,
                )
                .await?;
                if v == json!("closed") {
                    break;
                }
                ensure!(v[1] == json!(true), "{page} ({lang}) step {steps}: {} is not visible", v[0]);
                ensure!(v[2] == json!(true), "{page} ({lang}) step {steps}: {} is not highlighted", v[0]);
                ensure!(!v[3].as_str().unwrap_or("").is_empty(), "{page} step {steps} says nothing");
                steps += 1;
                ensure!(steps <= 8, "{page}: the tour does not end");
                // The keyboard drives it: → is "next".
                browser
                    .eval("document.querySelector('#tour-panel').dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', bubbles: true})); return null;")
                    .await?;
                tokio::time::sleep(Duration::from_millis(80)).await;
            }
            ensure!((5..=8).contains(&steps), "{page}: {steps} steps");
            let highlighted = browser.eval("return document.querySelectorAll('.tour-highlight').length;").await?;
            ensure!(highlighted == json!(0), "{page}: a highlight stayed after the tour");
        }
        // Finished once, the tour is offered again rather than anew after a reload; Esc closes it.
        browser.goto(&site.url(&format!("#/{page}?lang=en"))).await?;
        let again = browser.wait_value( "const b = document.querySelector('#tour-start'); return b ? b.textContent : null;", 30).await?;
        ensure!(again == json!("Take the tour again"), "{page}: {again}");
        browser.client().find(Locator::Css("#tour-start")).await?.click().await?;
        browser.wait_value( "return document.querySelector('#tour-panel');", 10).await?;
        browser
            .eval("document.querySelector('#tour-panel').dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true})); return null;")
            .await?;
        browser.wait_value( "return document.querySelector('#tour-panel') ? null : 1;", 10).await?;
    }
    browser.close().await
}

#[tokio::test]
async fn every_page_fits_a_360_px_wide_screen() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    browser.client().set_window_size(360, 780).await?;
    for (hash, ready) in [
        ("#/?lang=zh", "main h1"),
        ("#/vae?lang=zh", "#vae-explainer"),
        ("#/gan", "#gan-explainer"),
        ("#/lm?lang=zh&model=lm-tang", "#lm-explainer"),
    ] {
        browser.goto(&site.url(hash)).await?;
        browser
            .wait_value(&format!("return document.querySelector('{ready}');"), 60)
            .await?;
        let v = browser
            .eval("return [document.documentElement.scrollWidth, window.innerWidth];")
            .await?;
        let (scroll, width) = (
            v[0].as_f64().unwrap_or(f64::NAN),
            v[1].as_f64().unwrap_or(0.0),
        );
        let wide = browser
            .eval(
                "return [...document.querySelectorAll('body *')] \
                 .filter(e => !e.closest('.formula, .table-scroll') && e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8) \
                 .map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));",
            )
            .await?;
        ensure!(
            scroll <= width + 1.0,
            "{hash}: {scroll} px wide on a {width} px screen: {wide}"
        );
    }
    browser.close().await
}

#[tokio::test]
async fn the_pages_in_english_show_no_chinese_ui() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    for (hash, ready) in [
        ("#/vae?lang=en", "#vae-explainer"),
        ("#/gan?lang=en", "#gan-explainer"),
        ("#/lm?lang=en", "#lm-explainer"),
    ] {
        browser.goto(&site.url(hash)).await?;
        browser
            .wait_value(&format!("return document.querySelector('{ready}');"), 60)
            .await?;
        let chinese = browser.foreign_ui_text("en").await?;
        ensure!(chinese.is_empty(), "{hash}: Chinese UI text: {chinese:?}");
    }
    browser.close().await
}
