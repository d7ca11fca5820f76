//! Native engine benchmarks, every backend in one run so that ratios compare like with like:
//! VAE decode per frame, a 64-sample GAN grid, and LM decoding (256 tokens after a 16-token prompt) on our CPU
//! backend, our WebGPU backend (lavapipe on machines without a GPU) and candle-transformers' llama2.c model with
//! the same weights. `cargo xtask bench` runs this and turns criterion's medians into `bench/results.json`.
// A test: a failed unwrap is a failed check with its message.
#![allow(clippy::unwrap_used)]

#[cfg(not(target_arch = "wasm32"))]
#[allow(dead_code)]
// The parity checks' list (`conformance_tests!`) is for the test binaries; the bench uses the model set-ups.
#[allow(unused_macros)]
#[path = "../tests/common/mod.rs"]
mod common;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;
    use std::rc::Rc;
    use std::time::Duration;

    use candle_core::{Device, Tensor};
    use candle_transformers::models::llama2_c;
    use criterion::{Criterion, SamplingMode};
    use genscope_core::backend::Backend;
    use genscope_core::cpu::CpuBackend;
    use genscope_core::gan::Generator;
    use genscope_core::lm::{Lm, LmConfig};
    use genscope_core::nn::HostWeights;
    use genscope_core::sampling::ranking;
    use genscope_core::vae::{Vae, VaeConfig};
    use genscope_webgpu::{GpuContext, WgpuBackend};
    use pollster::block_on;

    use crate::common;

    /// Tokens decoded per LM measurement, after the prompt.
    pub const DECODE_TOKENS: usize = 256;
    /// Prompt length.
    pub const PROMPT_TOKENS: usize = 16;

    fn vae_decode<B: Backend>(c: &mut Criterion, backend: &B, name: &str) {
        let config = VaeConfig {
            width: 28,
            height: 28,
            hidden: 400,
            latent: 2,
        };
        let vae = Vae::new(
            backend,
            config.clone(),
            &mut common::random_vae_weights(&config),
        )
        .unwrap();
        let mut t = 0.0f32;
        c.benchmark_group("vae_decode").bench_function(name, |b| {
            b.iter(|| {
                t += 0.01;
                let z = backend.upload(&[t.sin(), t.cos()], &[1, 2]).unwrap();
                black_box(block_on(backend.read(&vae.decode(backend, &z).unwrap())).unwrap())
            })
        });
    }

    fn gan_grid<B: Backend>(c: &mut Criterion, backend: &B, name: &str) {
        let config = common::shipped_gan_config();
        let shapes = config.generator_shapes();
        let generator =
            Generator::new(backend, config, &mut common::random_weights(shapes, 200)).unwrap();
        let z = common::values(64 * 64, 7, 1.5);
        c.benchmark_group("gan_grid64").bench_function(name, |b| {
            b.iter(|| {
                let z = backend.upload(&z, &[64, 64]).unwrap();
                black_box(
                    block_on(backend.read(&generator.generate(backend, &z).unwrap())).unwrap(),
                )
            })
        });
    }

    fn prompt() -> Vec<u32> {
        (0..PROMPT_TOKENS as u32).map(|i| i * 5 % 96).collect()
    }

    fn lm_decode<B: Backend>(
        c: &mut Criterion,
        backend: &B,
        name: &str,
        config: &LmConfig,
        weights: &HostWeights,
    ) {
        let lm = Lm::new(backend, config.clone(), &mut weights.clone()).unwrap();
        // One decode is long: time each sample as one run instead of criterion's 1, 2, ..., 10-run ramp.
        c.benchmark_group("lm_decode_256")
            .sampling_mode(SamplingMode::Flat)
            .bench_function(name, |b| {
                b.iter(|| {
                    let mut cache = lm.new_cache(backend).unwrap();
                    let mut logits = block_on(
                        backend.read(
                            &lm.forward(backend, &prompt(), &mut cache, false)
                                .unwrap()
                                .logits,
                        ),
                    )
                    .unwrap();
                    for _ in 0..DECODE_TOKENS {
                        let next = ranking(&logits)[0] as u32;
                        logits = block_on(
                            backend.read(
                                &lm.forward(backend, &[next], &mut cache, false)
                                    .unwrap()
                                    .logits,
                            ),
                        )
                        .unwrap();
                    }
                    black_box(logits)
                })
            });
    }

    fn lm_decode_reference(c: &mut Criterion, config: &LmConfig, weights: &HostWeights) {
        let (model, reference_config, vb) =
            genscope_bench_web::reference_model(config, weights).unwrap();
        c.benchmark_group("lm_decode_256")
            .sampling_mode(SamplingMode::Flat)
            .bench_function("candle_transformers", |b| {
                b.iter(|| {
                    let mut cache =
                        llama2_c::Cache::new(true, &reference_config, vb.pp("rot")).unwrap();
                    let input = Tensor::new(prompt().as_slice(), &Device::Cpu)
                        .unwrap()
                        .unsqueeze(0)
                        .unwrap();
                    let logits = model.forward(&input, 0, &mut cache).unwrap();
                    let mut last: Vec<f32> = logits
                        .squeeze(0)
                        .unwrap()
                        .get(PROMPT_TOKENS - 1)
                        .unwrap()
                        .to_vec1()
                        .unwrap();
                    for step in 0..DECODE_TOKENS {
                        let next = ranking(&last)[0] as u32;
                        let input = Tensor::new(&[next], &Device::Cpu)
                            .unwrap()
                            .unsqueeze(0)
                            .unwrap();
                        let logits = model
                            .forward(&input, PROMPT_TOKENS + step, &mut cache)
                            .unwrap();
                        last = logits
                            .squeeze(0)
                            .unwrap()
                            .squeeze(0)
                            .unwrap()
                            .to_vec1()
                            .unwrap();
                    }
                    black_box(last)
                })
            });
    }

    /// Single-thread read bandwidth in GB/s: a wrapping sum over 256 MiB of u64 (vectorised, so memory-bound),
    /// best of three. The denominator of the LM's roofline.
    fn read_bandwidth_gbs() -> f64 {
        let data = vec![1u64; 32 << 20];
        (0..3)
            .map(|_| {
                let t = std::time::Instant::now();
                let sum = black_box(&data)
                    .iter()
                    .fold(0u64, |a, &b| a.wrapping_add(b));
                black_box(sum);
                (data.len() * 8) as f64 / t.elapsed().as_secs_f64() / 1e9
            })
            .fold(0.0, f64::max)
    }

    pub fn run() {
        let mut c = Criterion::default()
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(4))
            .configure_from_args();
        let cpu = CpuBackend;
        let gpu = WgpuBackend::new(Rc::new(
            block_on(GpuContext::new()).expect("a native GPU adapter (lavapipe)"),
        ));
        println!("gpu adapter: {}", gpu.context().adapter());
        println!(
            "single-thread read bandwidth: {:.2} GB/s",
            read_bandwidth_gbs()
        );

        vae_decode(&mut c, &cpu, "cpu");
        vae_decode(&mut c, &gpu, "wgpu");
        gan_grid(&mut c, &cpu, "cpu");
        gan_grid(&mut c, &gpu, "wgpu");

        let config = common::shipped_lm_config(PROMPT_TOKENS + DECODE_TOKENS + 1);
        let weights = common::random_weights(config.parameter_shapes(), 300);
        lm_decode(&mut c, &cpu, "ours_cpu", &config, &weights);
        lm_decode_reference(&mut c, &config, &weights);
        lm_decode(&mut c, &gpu, "ours_wgpu", &config, &weights);
        c.final_summary();
    }
}

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    native::run();
}
