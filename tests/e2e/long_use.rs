//! Long use: 10,000 decodes on the VAE page and 2,000 generated tokens on the LM page must leave the wasm memory
//! and the GPU's tensor buffers flat. The figures go to `target/e2e/long_use.json` (printed by `cargo xtask test`).
//!
//! The 10,000 decodes and 2,000 tokens run on wasm CPU; on this machine's software WebGPU (SwiftShader, a few
//! hundred ms a decode) the GPU buffer counts are checked over fewer steps, after the pools are warm.

use anyhow::{ensure, Context, Result};
use genscope_e2e::{artefact_dir, Browser, Site, WebGpu};
use serde_json::{json, Value};

/// `{wasmBytes, workerWasmBytes, gpuLiveBuffers, gpuResultBuffersCreated, gpuSubmits, …}` from the page's probe.
async fn memory(browser: &Browser) -> Result<Value> {
    browser.eval("return window.genscopeMemory();").await
}

fn number(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or(f64::NAN)
}

/// The wasm memory of the page and of the inference worker together, after checking that the worker is the one
/// running the models (its memory is 0 when they run on the page's thread).
fn wasm_total(v: &Value) -> Result<f64> {
    let worker = number(v, "workerWasmBytes");
    ensure!(
        worker > 0.0,
        "the models do not run in the inference worker: {v}"
    );
    Ok(number(v, "wasmBytes") + worker)
}

/// Moves the VAE's cursor `moves` times with the arrow keys (right, left, right, …), each time waiting until the
/// move has been decoded and drawn. Runs in the page, in batches, so WebDriver round trips do not dominate.
async fn decode_moves(browser: &Browser, moves: usize) -> Result<()> {
    let mut left = moves;
    while left > 0 {
        let batch = left.min(500);
        let done = browser
            .client()
            .execute_async(
                "const [count, done] = [arguments[0], arguments[arguments.length - 1]]; \
                 const map = document.querySelector('#latent-map'); \
                 const canvas = document.querySelector('#decoded'); \
                 const decodes = () => Number(canvas.dataset.decodes || 0); \
                 (async () => { \
                   for (let i = 0; i < count; i++) { \
                     const before = decodes(); \
                     const key = i % 2 === 0 ? 'ArrowRight' : 'ArrowLeft'; \
                     map.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true})); \
                     while (decodes() === before) { await new Promise(r => setTimeout(r, 0)); } \
                   } \
                   done(decodes()); \
                 })();",
                vec![json!(batch)],
            )
            .await?;
        ensure!(done.as_u64().is_some(), "the decode loop returned {done}");
        left -= batch;
    }
    Ok(())
}

/// Clicks Step `steps` times, each time waiting for the chart's next revision.
async fn generate(browser: &Browser, steps: usize) -> Result<()> {
    let mut left = steps;
    while left > 0 {
        let batch = left.min(200);
        browser
            .client()
            .execute_async(
                "const [count, done] = [arguments[0], arguments[arguments.length - 1]]; \
                 const revision = () => Number(document.querySelector('#chart').dataset.revision); \
                 (async () => { \
                   for (let i = 0; i < count; i++) { \
                     const before = revision(); \
                     document.querySelector('#lm-step').click(); \
                     while (revision() === before) { await new Promise(r => setTimeout(r, 0)); } \
                   } \
                   done(revision()); \
                 })();",
                vec![json!(batch)],
            )
            .await?;
        left -= batch;
    }
    Ok(())
}

async fn generated_count(browser: &Browser) -> Result<usize> {
    let n = browser
        .eval("return document.querySelectorAll('#generated .token.generated').length;")
        .await?;
    Ok(n.as_u64().context("a count")? as usize)
}

/// The GPU buffer counts in `before` and `after` are equal.
fn ensure_gpu_buffers_flat(before: &Value, after: &Value, what: &str) -> Result<()> {
    for key in ["gpuLiveBuffers", "gpuResultBuffersCreated"] {
        ensure!(
            number(before, key) == number(after, key),
            "{what}: {key} went from {} to {}",
            number(before, key),
            number(after, key)
        );
    }
    Ok(())
}

#[tokio::test]
async fn ten_thousand_decodes_and_two_thousand_tokens_keep_memory_flat() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::Off).await?;
    // Long WebDriver scripts: a batch of 500 decodes or 200 tokens takes seconds.
    browser
        .client()
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
            Some(std::time::Duration::from_secs(300)),
            None,
            None,
        ))
        .await?;
    let mut figures = serde_json::Map::new();

    browser
        .goto(&site.url("#/vae?model=vae-mnist-z2&z=0,0"))
        .await?;
    browser
        .wait_for_text("#decode-time", |t| t.starts_with("decode "))
        .await?;
    decode_moves(&browser, 200).await?;
    let mut probes = vec![memory(&browser).await?];
    for _ in 0..10 {
        decode_moves(&browser, 1_000).await?;
        probes.push(memory(&browser).await?);
    }
    let series = probes.iter().map(wasm_total).collect::<Result<Vec<_>>>()?;
    let decodes = browser
        .eval("return Number(document.querySelector('#decoded').dataset.decodes);")
        .await?;
    ensure!(
        decodes.as_f64().unwrap_or(0.0) >= 10_200.0,
        "only {decodes} decodes were drawn"
    );
    let growth = series.last().unwrap() - series[0];
    figures.insert(
        "vae_wasm_cpu".into(),
        json!({ "decodes": decodes, "page_and_worker_wasm_bytes_after_200_then_every_1000": probes, "growth_bytes": growth }),
    );
    // A leak of even one 28×28 image per decode would be 31 MB here; allocator slack is well under 4 MiB.
    ensure!(
        growth <= 4.0 * 1024.0 * 1024.0,
        "wasm memory grew by {growth} bytes over 10,000 decodes: {series:?}"
    );

    browser
        .goto(&site.url("#/lm?model=lm-shakespeare&prompt=ROMEO%3A&greedy=0&seed=3"))
        .await?;
    browser.wait_visible("#chart").await?;
    generate(&browser, 200).await?;
    let mut probes = vec![memory(&browser).await?];
    for _ in 0..9 {
        generate(&browser, 200).await?;
        probes.push(memory(&browser).await?);
    }
    let series = probes.iter().map(wasm_total).collect::<Result<Vec<_>>>()?;
    let tokens = generated_count(&browser).await?;
    ensure!(tokens == 2_000, "{tokens} tokens generated");
    let growth = series.last().unwrap() - series[0];
    figures.insert(
        "lm_wasm_cpu".into(),
        json!({ "tokens": tokens, "page_and_worker_wasm_bytes_after_200_then_every_200": probes, "growth_bytes": growth }),
    );
    // The context slides (256 tokens), so the KV cache is bounded; what grows is the text and its "Back" history
    // (the logits each token was chosen from: 65 floats a token, 0.5 MB for 2,000).
    ensure!(
        growth <= 8.0 * 1024.0 * 1024.0,
        "wasm memory grew by {growth} bytes over 1,800 tokens: {series:?}"
    );
    std::fs::write(
        artefact_dir().join("long_use.json"),
        serde_json::to_string_pretty(&figures)?,
    )?;
    browser.close().await
}

#[tokio::test]
async fn gpu_tensor_buffers_stay_flat_over_decodes_and_tokens() -> Result<()> {
    let site = Site::serve()?;
    let browser = Browser::launch(WebGpu::OnWithCanvases).await?;
    browser
        .client()
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
            Some(std::time::Duration::from_secs(300)),
            None,
            None,
        ))
        .await?;
    browser
        .goto(&site.url("#/vae?model=vae-mnist-z2&z=0,0&backend=webgpu"))
        .await?;
    // The first WebGPU decode compiles SwiftShader's pipelines on the CPU: beside the other long-use test (10,000
    // decodes on the other core) it once took over the suite's 120 s hang guard, so this wait allows 300 s.
    browser
        .wait_value(
            "const e = document.querySelector('#decode-time'); return e && e.textContent.includes('WebGPU') ? e.textContent : null;",
            300,
        )
        .await?;
    decode_moves(&browser, 5).await?;
    let before = memory(&browser).await?;
    decode_moves(&browser, 20).await?;
    let after = memory(&browser).await?;
    ensure_gpu_buffers_flat(&before, &after, "VAE on WebGPU over 20 decodes")?;
    let mut figures = serde_json::Map::new();
    figures.insert(
        "vae_webgpu_20_decodes".into(),
        json!({"before": before, "after": after}),
    );

    browser
        .goto(&site.url("#/lm?model=lm-shakespeare&prompt=ROMEO%3A&greedy=1&backend=webgpu"))
        .await?;
    browser
        .wait_value(
            "const e = document.querySelector('#token-rate'); return e && e.textContent.includes('WebGPU') ? e.textContent : null;",
            300,
        )
        .await?;
    generate(&browser, 3).await?;
    let before = memory(&browser).await?;
    generate(&browser, 10).await?;
    let after = memory(&browser).await?;
    ensure_gpu_buffers_flat(&before, &after, "LM on WebGPU over 10 tokens")?;
    // What one token costs on the GPU: submits and bytes read back are the round trips the page waits for.
    let per_token = |key: &str| (number(&after, key) - number(&before, key)) / 10.0;
    let cost = json!({
        "submits": per_token("gpuSubmits"), "dispatches": per_token("gpuDispatches"),
        "bytes_read": per_token("gpuBytesRead"), "buffers_created": per_token("gpuBuffersCreated"),
        "bind_groups_created": per_token("gpuBindGroupsCreated"),
    });
    ensure!(
        per_token("gpuSubmits") == 1.0,
        "a token should cost one submit and one read-back: {cost}"
    );
    figures.insert(
        "lm_webgpu_10_tokens".into(),
        json!({"before": before, "after": after, "per_token": cost}),
    );
    std::fs::write(
        artefact_dir().join("long_use_webgpu.json"),
        serde_json::to_string_pretty(&figures)?,
    )?;
    browser.close().await
}
