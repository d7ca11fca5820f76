// The browser bench: medians and percentiles from one run in this page, written into #results as JSON
// (`cargo xtask bench` reads it from there into bench/results.json).
import init, { lm_decode, vae_decode_ms, gan_grid_ms, webgpu_adapter } from './pkg/genscope_bench_web.js';

const status = document.getElementById('status');

async function bytes(path) {
  const response = await fetch(path);
  if (!response.ok) {
    throw new Error(`${path}: HTTP ${response.status}`);
  }
  return new Uint8Array(await response.arrayBuffer());
}

async function model(name) {
  const card = await (await fetch(`../assets/models/${name}.json`)).json();
  return [await bytes(`../assets/models/${name}.safetensors`), JSON.stringify(card.config)];
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * p;
  const low = Math.floor(at);
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (at - low);
}

// Lets the status line paint between long synchronous runs.
const breathe = () => new Promise((resolve) => setTimeout(resolve, 0));

async function run() {
  await init();
  const results = { user_agent: navigator.userAgent, cores: navigator.hardwareConcurrency };

  status.textContent = 'VAE decode…';
  await breathe();
  const [vae, vaeConfig] = await model('vae-mnist-z2');
  await vae_decode_ms('cpu', vae, vaeConfig, 50);
  const frames = Array.from(await vae_decode_ms('cpu', vae, vaeConfig, 2000));
  results.vae_decode_ms_wasm_cpu = {
    frames: frames.length, p50: percentile(frames, 0.5), p95: percentile(frames, 0.95), max: Math.max(...frames),
  };

  status.textContent = 'GAN grid…';
  await breathe();
  const [gan, ganConfig] = await model('dcgan-mnist');
  await gan_grid_ms('cpu', gan, ganConfig, 1);
  const grids = Array.from(await gan_grid_ms('cpu', gan, ganConfig, 9));
  results.gan_grid64_wasm_cpu = { runs: grids.length, median_ms: percentile(grids, 0.5) };

  // Ours and candle-transformers alternate, so drift in the machine's speed hits both alike.
  const [lm, lmConfig] = await model('lm-shakespeare');
  const rates = { ours: [], candle: [] };
  const decoded = {};
  for (let round = 0; round < 3; round++) {
    for (const engine of ['ours', 'candle']) {
      status.textContent = `LM decode, ${engine}, round ${round + 1} of 3…`;
      await breathe();
      const [rate, ids] = await lm_decode(engine, lm, lmConfig, 16, 240);
      rates[engine].push(rate);
      decoded[engine] = ids;
    }
  }
  const ours = percentile(rates.ours, 0.5);
  const candle = percentile(rates.candle, 0.5);
  results.lm_tokens_per_s_wasm_cpu = {
    workload: '240 greedy tokens after a 16-token prompt, lm-shakespeare (1.8M parameters), median of 3',
    ours, candle_transformers: candle, same_tokens: decoded.ours === decoded.candle,
  };
  results.lm_vs_candle_wasm = ours / candle;
  // WebGPU in the same page, fewer repetitions: on a machine without a GPU it is software (SwiftShader), hundreds
  // of times slower. A browser without WebGPU records why instead.
  try {
    status.textContent = 'WebGPU: VAE decode…';
    await breathe();
    results.webgpu_adapter = await webgpu_adapter();
    await vae_decode_ms('webgpu', vae, vaeConfig, 3);
    const gpuFrames = Array.from(await vae_decode_ms('webgpu', vae, vaeConfig, 30));
    results.vae_decode_ms_webgpu = {
      frames: gpuFrames.length, p50: percentile(gpuFrames, 0.5), p95: percentile(gpuFrames, 0.95),
    };
    status.textContent = 'WebGPU: GAN grid…';
    await breathe();
    await gan_grid_ms('webgpu', gan, ganConfig, 1);
    const gpuGrids = Array.from(await gan_grid_ms('webgpu', gan, ganConfig, 3));
    results.gan_grid64_webgpu = { runs: gpuGrids.length, median_ms: percentile(gpuGrids, 0.5) };
    status.textContent = 'WebGPU: LM decode…';
    await breathe();
    const [gpuRate, gpuIds] = await lm_decode('ours-webgpu', lm, lmConfig, 16, 24);
    results.lm_tokens_per_s_webgpu = {
      workload: '24 greedy tokens after a 16-token prompt, lm-shakespeare', ours: gpuRate,
      same_first_tokens_as_cpu: decoded.ours.startsWith(gpuIds),
    };
    // What the site's automatic choice would pick for each model's work, by the same rule (the faster backend;
    // a tie goes to the CPU): the site times these calls when a model loads (see crate/app/src/placement.rs).
    const pick = (cpuMs, gpuMs) => ({ cpu_ms: cpuMs, webgpu_ms: gpuMs, choice: gpuMs < cpuMs ? 'webgpu' : 'cpu' });
    results.choice = {
      'vae-mnist-z2 decode': pick(results.vae_decode_ms_wasm_cpu.p50, results.vae_decode_ms_webgpu.p50),
      'dcgan-mnist grid of 64': pick(results.gan_grid64_wasm_cpu.median_ms, results.gan_grid64_webgpu.median_ms),
      'lm-shakespeare step': pick(1000 / ours, 1000 / gpuRate),
    };
  } catch (error) {
    results.webgpu_error = String(error);
  }

  results.vae_decode_p95_ms_wasm_cpu = results.vae_decode_ms_wasm_cpu.p95;
  results.gan_grid64_ms_wasm_cpu = results.gan_grid64_wasm_cpu.median_ms;

  document.getElementById('results').textContent = JSON.stringify(results, null, 2);
  status.textContent = 'Done.';
  document.body.dataset.done = 'ok';
}

run().catch((error) => {
  status.textContent = `The benchmark failed: ${error}`;
  document.body.dataset.done = 'error';
});
