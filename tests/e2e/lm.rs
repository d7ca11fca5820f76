//! The LM page in headless Chromium: step, sample, take candidates, go back, odd prompts, the visitor's own
//! llama2.c file, and CPU against WebGPU.

use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use fantoccini::Locator;
use genscope_e2e::{artefact_dir, Browser, Site, WebGpu};
use serde_json::json;

/// One bar of the chart.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    id: Option<u64>,
    piece: String,
    raw: f64,
    processed: f64,
}

/// What the chart shows: its revision (up by one per change of the text), position, model and rows (the top
/// candidates, then the "others" row).
#[derive(Clone, Debug)]
struct Shown {
    revision: u64,
    position: usize,
    model: String,
    rows: Vec<Row>,
}

async fn chart(browser: &Browser) -> Result<Shown> {
    let v = browser
        .eval(
            "const c = document.querySelector('#chart'); if (!c) return null; \
             return [Number(c.dataset.revision), Number(c.dataset.position), c.dataset.model, \
             Array.from(c.querySelectorAll('.candidate')).map(e => \
             [e.dataset.id || null, e.dataset.piece || '', Number(e.dataset.raw), Number(e.dataset.processed)])];",
        )
        .await?;
    let rows = v[3]
        .as_array()
        .context("no chart")?
        .iter()
        .map(|r| Row {
            id: r[0].as_str().and_then(|s| s.parse().ok()),
            piece: r[1].as_str().unwrap_or_default().to_string(),
            raw: r[2].as_f64().unwrap_or(f64::NAN),
            processed: r[3].as_f64().unwrap_or(f64::NAN),
        })
        .collect();
    Ok(Shown {
        revision: v[0].as_u64().context("no revision")?,
        position: v[1].as_u64().context("no position")? as usize,
        model: v[2].as_str().unwrap_or_default().to_string(),
        rows,
    })
}

/// Waits until the chart shows a revision other than `not` and returns it.
async fn wait_chart(browser: &Browser, not: Option<u64>) -> Result<Shown> {
    let deadline = Instant::now() + genscope_e2e::WAIT;
    loop {
        if let Ok(shown) = chart(browser).await {
            if Some(shown.revision) != not && !shown.rows.is_empty() {
                return Ok(shown);
            }
        }
        ensure!(
            Instant::now() < deadline,
            "the chart did not update (errors: {:?}, fatal: {:?})",
            browser.text("main .error-panel").await?,
            browser.text("#fatal-message").await?
        );
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

/// Presses "Open". A JavaScript click: the element is visible and topmost (`elementFromPoint` finds it), yet
/// chromedriver's displayedness check calls it "not interactable", apparently because it sits inside a `<details>`.
async fn open_files(browser: &Browser) -> Result<()> {
    browser
        .eval("document.querySelector('#own-model-open').click(); return 0;")
        .await?;
    Ok(())
}

/// Puts a file from disk into a file input, as choosing it in the picker does (through a DataTransfer: this
/// chromedriver refuses WebDriver uploads into these inputs as "not interactable").
async fn choose_file(browser: &Browser, selector: &str, path: &std::path::Path) -> Result<()> {
    use base64::Engine;
    let bytes = std::fs::read(path)?;
    let name = path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    browser
        .client()
        .execute(
            "const [sel, name, b64] = arguments; const bin = atob(b64); \
             const bytes = new Uint8Array(bin.length); for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i); \
             const dt = new DataTransfer(); dt.items.add(new File([bytes], name)); \
             const input = document.querySelector(sel); input.files = dt.files; \
             input.dispatchEvent(new Event('change', {bubbles: true})); return input.files.length;",
            vec![
                json!(selector),
                json!(name),
                json!(base64::engine::general_purpose::STANDARD.encode(bytes)),
            ],
        )
        .await?;
    Ok(())
}

fn check_distribution(rows: &[Row]) -> Result<()> {
    for r in rows {
        ensure!(
            (0.0..=1.0).contains(&r.raw) && (0.0..=1.0).contains(&r.processed),
            "{r:?}"
        );
    }
    let raw: f64 = rows.iter().map(|r| r.raw).sum();
    let processed: f64 = rows.iter().map(|r| r.processed).sum();
    ensure!((raw - 1.0).abs() < 1e-4, "raw probabilities sum to {raw}");
    ensure!(
        (processed - 1.0).abs() < 1e-4,
        "processed probabilities sum to {processed}"
    );
    Ok(())
}

async fn click(browser: &Browser, selector: &str) -> Result<()> {
    browser
        .client()
        .find(Locator::Css(selector))
        .await
        .with_context(|| format!("finding {selector}"))?
        .click()
        .await
        .with_context(|| format!("clicking {selector}"))?;
    Ok(())
}

async fn generated_text(browser: &Browser) -> Result<String> {
    Ok(browser.text("#generated").await?.unwrap_or_default())
}

/// Sets the prompt as typing would and runs it.
async fn run_prompt(browser: &Browser, prompt: &str) -> Result<()> {
    browser
        .client()
        .execute(
            "const t = document.querySelector('#prompt'); t.value = arguments[0]; \
             t.dispatchEvent(new InputEvent('input', {bubbles: true})); return 0;",
            vec![json!(prompt)],
        )
        .await?;
    // Let Yew take the input before the click reads it.
    tokio::time::sleep(Duration::from_millis(100)).await;
    click(browser, "#lm-start").await
}

/// The generated tokens' texts, in order.
async fn generated_tokens(browser: &Browser) -> Result<Vec<String>> {
    let v = browser
        .eval("return Array.from(document.querySelectorAll('#generated .token.generated')).map(s => s.textContent);")
        .await?;
    Ok(v.as_array()
        .context("a list")?
        .iter()
        .map(|t| t.as_str().unwrap_or_default().to_string())
        .collect())
}

/// Clicks Step and returns the new chart.
async fn step(browser: &Browser, shown: &Shown) -> Result<Shown> {
    click(browser, "#lm-step").await?;
    wait_chart(browser, Some(shown.revision)).await
}

/// The last generated token's text, rank and whether the visitor chose it.
async fn last_token(browser: &Browser) -> Result<(String, String, String)> {
    let v = browser
        .eval(
            "const s = document.querySelectorAll('#generated .token.generated'); const l = s[s.length - 1]; \
             return [l.textContent, l.dataset.rank, l.dataset.forced];",
        )
        .await?;
    let text = |i: usize| v[i].as_str().unwrap_or_default().to_string();
    Ok((text(0), text(1), text(2)))
}

#[tokio::test]
async fn every_step_sums_to_one_and_greedy_takes_the_top_bar() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    browser
        .goto(&site.url("#/lm?model=lm-shakespeare&prompt=ROMEO%3A%0A&greedy=1"))
        .await?;
    let mut shown = wait_chart(&browser, None).await?;
    for _ in 0..6 {
        check_distribution(&shown.rows)?;
        let top = shown.rows[0].clone();
        ensure!(
            top.processed == 1.0,
            "greedy puts all mass on the top bar: {top:?}"
        );
        let before = shown.position;
        shown = step(&browser, &shown).await?;
        ensure!(shown.position == before + 1);
        let (text, rank, _) = last_token(&browser).await?;
        ensure!(
            text == top.piece && rank == "1",
            "took {text:?} (rank {rank}), the top bar was {top:?}"
        );
    }
    browser.screenshot("lm-page").await?;
    let perplexity: f64 = browser
        .text("#perplexity")
        .await?
        .context("no perplexity")?
        .parse()?;
    ensure!(perplexity >= 1.0, "{perplexity}");
    browser.close().await
}

#[tokio::test]
async fn a_fixed_seed_gives_the_same_text_twice() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    let mut texts = Vec::new();
    for seed in [7, 7, 8] {
        browser.goto("about:blank").await?;
        browser
            .goto(&site.url(&format!(
                "#/lm?model=lm-shakespeare&prompt=KING%3A%0A&t=1.3&seed={seed}"
            )))
            .await?;
        let mut shown = wait_chart(&browser, None).await?;
        for _ in 0..12 {
            shown = step(&browser, &shown).await?;
        }
        texts.push(generated_text(&browser).await?);
    }
    ensure!(texts[0] == texts[1], "{texts:?}");
    // 12 characters at temperature 1.3 from another seed collide with negligible probability.
    ensure!(
        texts[2] != texts[0],
        "seed 8 wrote the same text as seed 7: {texts:?}"
    );
    browser.close().await
}

#[tokio::test]
async fn clicking_the_third_candidate_takes_it_and_back_restores_everything() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    browser
        .goto(&site.url("#/lm?model=lm-shakespeare&prompt=To%20be%2C%20or%20not"))
        .await?;
    let shown = wait_chart(&browser, None).await?;
    let text = generated_text(&browser).await?;
    let third = shown.rows[2].clone();
    click(&browser, ".candidate[data-rank='3']").await?;
    let taken = wait_chart(&browser, Some(shown.revision)).await?;
    ensure!(taken.position == shown.position + 1);
    let now = generated_text(&browser).await?;
    ensure!(
        now == format!("{text}{}", third.piece),
        "{now:?} is not {text:?} + {:?}",
        third.piece
    );
    let (_, rank, forced) = last_token(&browser).await?;
    ensure!(
        rank == "3" && forced == "true",
        "the taken token shows rank {rank}, forced {forced}"
    );

    click(&browser, "#lm-back").await?;
    let back = wait_chart(&browser, Some(taken.revision)).await?;
    ensure!(back.position == shown.position);
    ensure!(
        generated_text(&browser).await? == text,
        "Back did not restore the text"
    );
    ensure!(
        back.rows == shown.rows,
        "Back did not restore the distribution exactly"
    );
    // Stepping on from here works (the cache was truncated, not corrupted) and gives the same distribution.
    click(&browser, ".candidate[data-rank='3']").await?;
    let again = wait_chart(&browser, Some(back.revision)).await?;
    ensure!(
        again.rows == taken.rows,
        "taking the same token again gave another distribution"
    );
    browser.close().await
}

#[tokio::test]
async fn top_k_1_is_greedy_and_top_p_cuts_exactly_beyond_the_threshold() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    let base = "#/lm?model=lm-shakespeare&prompt=First%20Citizen%3A%0A";
    let open = |query: &'static str| {
        let url = site.url(&format!("{base}&{query}"));
        let browser = &browser;
        async move {
            browser.goto("about:blank").await?;
            browser.goto(&url).await?;
            wait_chart(browser, None).await
        }
    };
    let top_k = open("k=1").await?;
    let greedy = open("greedy=1").await?;
    ensure!(
        top_k.rows == greedy.rows,
        "top-k 1 differs from greedy:\n{top_k:?}\n{greedy:?}"
    );

    let shown = open("p=0.6").await?;
    check_distribution(&shown.rows)?;
    let candidates = &shown.rows[..shown.rows.len() - 1];
    // Keep the smallest prefix (by rank) whose model probability reaches 0.6; cut everything after it.
    let mut cumulative = 0.0;
    let mut kept = 0;
    for r in candidates {
        kept += 1;
        cumulative += r.raw;
        if cumulative >= 0.6 {
            break;
        }
    }
    for (i, r) in candidates.iter().enumerate() {
        ensure!(
            (r.processed > 0.0) == (i < kept),
            "rank {}: {r:?} (kept {kept})",
            i + 1
        );
    }
    let cut = browser
        .client()
        .find_all(Locator::Css(".candidate.cut"))
        .await?
        .len();
    ensure!(
        cut == candidates.len() - kept,
        "{cut} rows greyed, expected {}",
        candidates.len() - kept
    );
    browser.close().await
}

#[tokio::test]
async fn long_chinese_emoji_and_control_character_prompts_run() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    browser.goto(&site.url("#/lm?model=lm-shakespeare")).await?;
    let mut shown = wait_chart(&browser, None).await?;
    let long = "Now is the winter of our discontent. ".repeat(140);
    for (prompt, note) in [
        (long.as_str(), "context holds"),
        ("床前明月光，疑是地上霜。", "not in this model's vocabulary"),
        ("Hello 👋🏽 world 🌍", "not in this model's vocabulary"),
        ("tab\there\u{7}bell\u{1}x", "not in this model's vocabulary"),
        ("<img src=x onerror=alert(1)>", ""),
    ] {
        let short: String = prompt.chars().take(12).collect();
        run_prompt(&browser, prompt).await?;
        shown = wait_chart(&browser, Some(shown.revision)).await?;
        check_distribution(&shown.rows)?;
        shown = step(&browser, &shown).await?;
        if !note.is_empty() {
            let notes = browser.text("#context-note").await?.unwrap_or_default();
            ensure!(notes.contains(note), "prompt {short:?}: notes {notes:?}");
        }
        ensure!(
            !browser.is_visible("main .error-panel").await?,
            "an error panel for {short:?}"
        );
    }
    // Model text is text: the HTML-looking prompt shows literally and adds no element.
    // ('<', '=', '(', digits… are outside the Shakespeare vocabulary, so they show as the unknown token.)
    let text = generated_text(&browser).await?;
    ensure!(
        text.contains("img src") && text.contains("onerror") && text.contains("alert"),
        "the prompt was not shown literally: {text:?}"
    );
    let images = browser
        .client()
        .find_all(Locator::Css("#generated img"))
        .await?
        .len();
    ensure!(images == 0, "the prompt became markup");
    // Unknown characters are shown, not dropped.
    run_prompt(&browser, "中").await?;
    wait_chart(&browser, Some(shown.revision)).await?;
    ensure!(
        generated_text(&browser).await?.contains("⟨unk⟩"),
        "the unknown character was dropped"
    );
    browser.close().await
}

#[tokio::test]
async fn a_llama2c_export_opens_through_the_file_picker_and_matches_the_shipped_model() -> Result<()>
{
    // The trainer writes the shipped model in llama2.c's format.
    let out = tempfile::tempdir()?;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let status = std::process::Command::new(env!("CARGO"))
        .current_dir(&root)
        .args([
            "run",
            "--quiet",
            "-p",
            "genscope-train",
            "--",
            "export-llama2c",
            "lm-shakespeare",
        ])
        .arg(out.path())
        .status()?;
    ensure!(status.success(), "export-llama2c failed");

    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    browser
        .goto(&site.url("#/lm?model=lm-shakespeare&prompt=HAMLET%3A%0A"))
        .await?;
    let shipped = wait_chart(&browser, None).await?;
    click(&browser, ".own-model summary").await?;

    // A file that is not a checkpoint gets a clear message naming it, and the page goes on.
    let junk = out.path().join("notes.bin");
    std::fs::write(&junk, b"<!doctype html><p>not a model")?;
    choose_file(&browser, "#own-model-file", &junk).await?;
    open_files(&browser).await?;
    let message = browser
        .wait_for_text("main .error-panel .error-message", |t| !t.is_empty())
        .await?;
    ensure!(message.contains("notes.bin"), "{message}");
    ensure!(
        chart(&browser).await?.model == "lm-shakespeare",
        "a bad file replaced the model"
    );

    // llama2.c headers whose numbers are each in range: one whose tensors add up to 2^32 values (a size that wraps
    // to 0 in a 32-bit usize, as in the browser), one whose heads do not divide its width. Each is refused in plain
    // words naming the file, never with the fatal panel.
    let header = |fields: [i32; 7]| {
        fields
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect::<Vec<u8>>()
    };
    for (name, fields, says) in [
        ("huge.bin", [16_384, 64, 16, 128, 128, 256, 256], "huge.bin"),
        ("heads.bin", [192, 512, 4, 5, 5, 69, 256], "does not divide"),
    ] {
        let path = out.path().join(name);
        std::fs::write(&path, header(fields))?;
        choose_file(&browser, "#own-model-file", &path).await?;
        open_files(&browser).await?;
        let message = browser
            .wait_for_text("main .error-panel .error-message", |t| t.contains(name))
            .await?;
        ensure!(message.contains(says), "{name}: {message}");
        ensure!(
            !message.contains("LmConfig {"),
            "{name}: a debug dump: {message}"
        );
        ensure!(
            !browser.is_visible("#fatal").await?,
            "{name}: the fatal panel"
        );
    }

    choose_file(
        &browser,
        "#own-model-file",
        &out.path().join("lm-shakespeare.bin"),
    )
    .await?;
    choose_file(
        &browser,
        "#own-tokenizer-file",
        &out.path().join("lm-shakespeare.tokenizer.bin"),
    )
    .await?;
    open_files(&browser).await?;
    let deadline = Instant::now() + Duration::from_secs(60);
    let own = loop {
        let shown = wait_chart(&browser, Some(shipped.revision)).await?;
        if shown.model.starts_with("your model") {
            break shown;
        }
        ensure!(
            Instant::now() < deadline,
            "the file did not open: {shown:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    ensure!(
        own.model == "your model (lm-shakespeare.bin)",
        "{}",
        own.model
    );
    ensure!(
        !browser.is_visible("main .error-panel").await?,
        "opening the export showed an error"
    );
    ensure!(own.position == shipped.position && own.rows.len() == shipped.rows.len());
    for (a, b) in own.rows.iter().zip(&shipped.rows) {
        ensure!(
            a.id == b.id && (a.raw - b.raw).abs() < 1e-5,
            "{a:?} vs {b:?}"
        );
    }
    browser.close().await
}

#[tokio::test]
async fn cpu_and_webgpu_agree_on_the_top_candidates_and_speed_is_measured() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::On).await?;
    browser
        .goto(
            &site.url(
                "#/lm?model=lm-shakespeare&prompt=JULIET%3A%0AO%20Romeo&greedy=1&backend=webgpu",
            ),
        )
        .await?;
    browser
        .wait_for_text("#token-rate", |t| t.contains("WebGPU"))
        .await?;
    let mut figures = serde_json::Map::new();
    let mut tops = Vec::new();
    let mut shown = wait_chart(&browser, None).await?;
    for backend in ["webgpu", "wasm_cpu"] {
        if backend == "wasm_cpu" {
            // The switch keeps the text and replays it on the CPU: the same distribution, computed again.
            browser.choose_backend("cpu").await?;
            browser
                .wait_for_text("#token-rate", |t| t.contains("wasm CPU"))
                .await?;
            shown = wait_chart(&browser, Some(shown.revision)).await?;
            tops.push(shown.rows[..5].to_vec());
        }
        // Click-to-chart time and forward time over 20 greedy steps.
        let (mut click_ms, mut forward_ms, mut page_ms) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..20 {
            let started = Instant::now();
            shown = step(&browser, &shown).await?;
            click_ms.push(started.elapsed().as_secs_f64() * 1000.0);
            let drawn = browser
                .eval("return Number(document.body.dataset.lmClickToChartMs);")
                .await?;
            page_ms.push(drawn.as_f64().unwrap_or(f64::NAN));
            let rate = browser.text("#token-rate").await?.unwrap_or_default();
            if let Some(ms) = rate.split(" ms").next().and_then(|m| m.parse::<f64>().ok()) {
                forward_ms.push(ms);
            }
        }
        if backend == "webgpu" {
            tops.push(shown.rows[..5].to_vec());
        }
        let forward = genscope_e2e::median(&mut forward_ms);
        figures.insert(
            format!("lm_{backend}"),
            json!({ "webdriver_click_to_chart_ms_median": genscope_e2e::median(&mut click_ms),
                    "in_page_click_to_chart_ms_median": genscope_e2e::median(&mut page_ms),
                    "forward_ms_median": forward, "tokens_per_s": 1000.0 / forward, "steps": 20 }),
        );
    }
    for (g, c) in tops[0].iter().zip(&tops[1]) {
        ensure!(g.id == c.id, "top-5 differ: {:?} vs {:?}", tops[0], tops[1]);
        ensure!((g.raw - c.raw).abs() < 1e-3, "{g:?} vs {c:?}");
    }
    std::fs::write(
        artefact_dir().join("lm_speed.json"),
        serde_json::to_string_pretty(&figures)?,
    )?;
    browser.close().await
}

#[tokio::test]
async fn the_tang_model_converts_a_simplified_prompt_and_continues_it_in_chinese() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    browser
        .goto(&site.url(
            "#/lm?model=lm-tang&prompt=%E5%BA%8A%E5%89%8D%E6%98%8E%E6%9C%88%E5%85%89&greedy=1",
        ))
        .await?;
    let mut shown = wait_chart(&browser, None).await?;
    ensure!(shown.model == "lm-tang", "{}", shown.model);
    // The Simplified prompt 床前明月光 reaches the Traditional-script model as 牀前明月光, with no ⟨unk⟩, and the
    // page says what it converted.
    let note = browser.text("#context-note").await?.unwrap_or_default();
    ensure!(note.contains("床→牀"), "conversion note: {note:?}");
    let text = generated_text(&browser).await?;
    ensure!(text.starts_with("牀前明月光"), "{text:?}");
    let unknown = browser
        .eval("return document.querySelectorAll('#generated .token.unk').length;")
        .await?;
    ensure!(unknown == json!(0), "{unknown} prompt characters are ⟨unk⟩");
    // Shown in Simplified, the same text reads as typed; back in the model's script it is as it was.
    click(&browser, "#script-simplified").await?;
    let simplified = browser
        .wait_for_text("#generated", |t| t.starts_with("床前明月光"))
        .await?;
    ensure!(simplified.starts_with("床前明月光"), "{simplified:?}");
    click(&browser, "#script-traditional").await?;
    browser
        .wait_for_text("#generated", |t| t.starts_with("牀前明月光"))
        .await?;
    for _ in 0..4 {
        check_distribution(&shown.rows)?;
        shown = step(&browser, &shown).await?;
    }
    let generated = browser
        .eval("return Array.from(document.querySelectorAll('#generated .token.generated')).map(s => s.textContent).join('');")
        .await?;
    let generated = generated.as_str().unwrap_or_default().replace("⟨unk⟩", "");
    // Chinese characters, full-width punctuation, line breaks (and ⟨unk⟩ for rare characters) — no Latin text.
    ensure!(
        !generated.trim().is_empty()
            && generated.chars().all(|c| c == '\n'
                || ('\u{3000}'..='\u{9fff}').contains(&c)
                || ('\u{ff00}'..='\u{ffef}').contains(&c)),
        "the Tang model wrote {generated:?}"
    );
    browser.close().await
}

#[tokio::test]
async fn a_lost_webgpu_device_keeps_the_prompt_and_the_generated_text() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::On).await?;
    browser
        .goto(&site.url("#/lm?model=lm-shakespeare&prompt=ROMEO%3A&greedy=1&backend=webgpu"))
        .await?;
    browser
        .wait_for_text("#token-rate", |t| t.contains("WebGPU"))
        .await?;
    let mut shown = wait_chart(&browser, None).await?;
    for _ in 0..3 {
        shown = step(&browser, &shown).await?;
    }
    let text = generated_text(&browser).await?;
    let tokens_before = generated_tokens(&browser).await?;
    ensure!(tokens_before.len() == 3, "{tokens_before:?}");
    browser
        .eval("window.genscopeLoseDevice(); return null")
        .await?;
    browser.wait_visible("#device-lost").await?;
    browser
        .wait_for_text("#token-rate", |t| t.contains("wasm CPU"))
        .await?;
    let after = wait_chart(&browser, Some(shown.revision)).await?;
    // The same text, the same three generated tokens, and the same next-token distribution, now from the CPU.
    assert_eq!(generated_text(&browser).await?, text);
    assert_eq!(generated_tokens(&browser).await?, tokens_before);
    assert_eq!(after.position, shown.position);
    for (g, c) in shown.rows[..5].iter().zip(&after.rows) {
        ensure!(
            g.id == c.id && (g.raw - c.raw).abs() < 1e-3,
            "{g:?} vs {c:?}"
        );
    }
    // And the visitor goes on: one more step appends one token.
    step(&browser, &after).await?;
    let longer = generated_tokens(&browser).await?;
    ensure!(
        longer.len() == 4 && longer[..3] == tokens_before[..],
        "{longer:?}"
    );
    browser.close().await
}

#[tokio::test]
async fn the_page_in_chinese_shows_no_english_ui_text() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    browser
        .goto(&site.url("#/lm?lang=zh&model=lm-tang"))
        .await?;
    let shown = wait_chart(&browser, None).await?;
    step(&browser, &shown).await?;
    let title = browser.text("main h1").await?.unwrap_or_default();
    ensure!(title == "逐个词元看语言模型如何生成", "{title:?}");
    let english = browser.foreign_ui_text("zh").await?;
    browser.screenshot("lm-page-zh").await?;
    ensure!(english.is_empty(), "English UI text: {english:?}");
    browser.close().await
}

/// The explainer's draw strip: (u, chosen id, segment start, segment end, segments as (id, start, width)).
async fn draw_strip(browser: &Browser) -> Result<(f64, u64, f64, f64, Vec<(u64, f64, f64)>)> {
    let v = browser
        .eval(
            "const s = document.querySelector('#draw-strip'); if (!s) return null; \
             return [Number(s.dataset.u), Number(s.dataset.id), Number(s.dataset.start), Number(s.dataset.end), \
             Array.from(s.querySelectorAll('.segment')).map(r => [Number(r.dataset.id), Number(r.dataset.start), \
             Number(r.dataset.width)])];",
        )
        .await?;
    let segments = v[4]
        .as_array()
        .context("no draw strip")?
        .iter()
        .map(|r| {
            (
                r[0].as_u64().unwrap_or(u64::MAX),
                r[1].as_f64().unwrap_or(f64::NAN),
                r[2].as_f64().unwrap_or(f64::NAN),
            )
        })
        .collect();
    Ok((
        v[0].as_f64().context("u")?,
        v[1].as_u64().context("id")?,
        v[2].as_f64().context("start")?,
        v[3].as_f64().context("end")?,
        segments,
    ))
}

#[tokio::test]
async fn the_explained_draw_lands_in_the_chosen_tokens_segment_and_step_takes_that_token(
) -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    browser
        .goto(&site.url("#/lm?model=lm-shakespeare&prompt=ROMEO%3A&t=1.3&k=12&p=1&seed=5&greedy=0"))
        .await?;
    let mut shown = wait_chart(&browser, None).await?;
    for _ in 0..3 {
        let (u, id, start, end, segments) = draw_strip(&browser).await?;
        ensure!(start <= u && u < end, "u = {u} outside [{start}, {end})");
        // top-k = 12: twelve segments, laid end to end in id order, each as wide as its blue bar.
        ensure!(segments.len() == 12, "{} segments", segments.len());
        let mut at = 0.0;
        for &(sid, s, width) in &segments {
            ensure!(
                (s - at).abs() < 1e-5,
                "segment {sid} starts at {s}, not {at}"
            );
            at += width;
            let bar = shown.rows.iter().find(|r| r.id == Some(sid));
            let bar = bar.with_context(|| format!("token {sid} has a segment but no bar"))?;
            ensure!(
                (bar.processed - width).abs() < 1e-6,
                "token {sid}: bar {} vs segment {width}",
                bar.processed
            );
        }
        ensure!((at - 1.0).abs() < 1e-4, "the segments cover {at}");
        // The chart draws top-k's cut right under the 12th candidate.
        let line = browser
            .eval("const l = document.querySelector('#chart .cut-line'); \
                   return l ? [l.dataset.after, l.previousElementSibling.dataset.rank, l.textContent] : null;")
            .await?;
        ensure!(
            line == json!(["12", "12", "top-k = 12"]),
            "cut line: {line}"
        );
        let chosen = segments
            .iter()
            .find(|s| s.0 == id)
            .context("the chosen token has no segment")?;
        ensure!((chosen.1 - start).abs() < 1e-6 && (chosen.1 + chosen.2 - end).abs() < 1e-5);
        // Step takes exactly the token the strip says.
        let piece = shown_piece_of(&browser, id).await?;
        shown = step(&browser, &shown).await?;
        let taken = browser
            .eval("const s = document.querySelectorAll('#generated .token.generated'); return s[s.length - 1].textContent;")
            .await?;
        ensure!(
            taken.as_str() == Some(piece.as_str()),
            "Step took {taken}, the strip said {piece:?}"
        );
    }
    // The running log-likelihood and perplexity agree with the text view's perplexity.
    let ppl = browser
        .eval("return Number(document.querySelector('#explain-ppl').dataset.value);")
        .await?;
    let shown_ppl = browser.text("#perplexity").await?.unwrap_or_default();
    ensure!(
        (ppl.as_f64().unwrap_or(f64::NAN) - shown_ppl.parse::<f64>().unwrap_or(f64::NAN)).abs()
            < 2e-3,
        "explainer {ppl} vs text view {shown_ppl}"
    );
    browser.close().await
}

/// The vocabulary piece of token `id`, as the chart shows it.
async fn shown_piece_of(browser: &Browser, id: u64) -> Result<String> {
    let v = browser
        .client()
        .execute(
            "const b = document.querySelector(`#chart .candidate[data-id=\"${arguments[0]}\"]`); \
             return b ? b.dataset.piece : null;",
            vec![json!(id)],
        )
        .await?;
    v.as_str()
        .map(str::to_string)
        .context("the taken token is not in the chart")
}
