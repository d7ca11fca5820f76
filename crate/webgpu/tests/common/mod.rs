//! CPU-vs-WebGPU parity checks, shared by the native (lavapipe) and browser (SwiftShader) test binaries.
//!
//! Tolerance: |gpu − cpu| ≤ 1e-4 + 1e-4·|cpu| per element. Both sides compute in f32; they differ only in the
//! order of additions (tiled and reduced sums on the GPU, gemm's blocking on the CPU) and in the last bits of
//! exp/tanh.

use genscope_core::backend::prelude::*;
use genscope_core::backend::{Activation, AttentionShape, Binary, Conv};
use genscope_core::cpu::CpuBackend;
use genscope_core::engine::{Built, Op, Output, Spec};
use genscope_core::gan::{Discriminator, GanConfig, Generator};
use genscope_core::lm::{Lm, LmConfig};
use genscope_core::nn::HostWeights;
use genscope_core::vae::{Vae, VaeConfig};
use genscope_webgpu::{PixelRange, TileLayout, WgpuBackend};

/// Every CPU-vs-WebGPU conformance check, listed once: `conformance_tests!(wrapper)` expands to one test per
/// check, each calling `wrapper!(check)` to get a backend and run it (natively with `#[test]` and `block_on`, in
/// the browser with `#[wasm_bindgen_test]`). A check added here runs in both places.
macro_rules! conformance_tests {
    ($run:ident) => {
        $run!(linear_matches_cpu, linear_matches);
        $run!(matmul_matches_cpu, matmul_matches);
        $run!(activations_match_cpu, activations_match);
        $run!(binary_ops_match_cpu, binary_matches);
        $run!(shape_errors_are_reported, shape_errors_are_reported);
        $run!(vae_forward_matches_cpu, vae_matches);
        $run!(convolutions_match_cpu, convolutions_match);
        $run!(gan_forward_matches_cpu, gan_matches);
        $run!(lm_ops_match_cpu, lm_ops_match);
        $run!(lm_forward_matches_cpu, lm_matches);
        $run!(result_buffers_are_pooled, buffers_are_reused);
        $run!(
            several_tensors_are_read_in_one_submit,
            read_all_is_one_round_trip
        );
        $run!(warm_steps_create_no_gpu_objects, steps_create_nothing);
        $run!(
            a_cache_rebuild_reads_back_only_the_logits,
            rebuild_reads_only_logits
        );
        $run!(
            pictures_drawn_on_the_gpu_equal_the_read_back_path,
            painted_tiles_match_read_back
        );
    };
}

const ATOL: f32 = 1e-4;
const RTOL: f32 = 1e-4;

/// Deterministic values in [-scale, scale) (a 64-bit LCG; no seeding surprises across targets).
pub fn values(n: usize, seed: u64, scale: f32) -> Vec<f32> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * scale
        })
        .collect()
}

pub fn assert_close(what: &str, gpu: &[f32], cpu: &[f32]) {
    assert_eq!(gpu.len(), cpu.len(), "{what}: lengths differ");
    for (i, (g, c)) in gpu.iter().zip(cpu).enumerate() {
        assert!(
            (g - c).abs() <= ATOL + RTOL * c.abs(),
            "{what}: element {i} differs: gpu {g} vs cpu {c}"
        );
    }
}

/// Runs the same linear layer on both backends.
pub async fn linear_matches(gpu: &WgpuBackend) {
    let cpu = CpuBackend;
    // rows = 1 takes the GEMV kernel, the others the tiled one; sizes straddle the 16-wide tiles.
    for (rows, inputs, outputs) in [
        (1, 37, 19),
        (1, 784, 400),
        (3, 33, 17),
        (64, 16, 784),
        (20, 400, 400),
    ] {
        let x = values(rows * inputs, 1, 1.0);
        let w = values(outputs * inputs, 2, 0.1);
        let b = values(outputs, 3, 0.5);
        let c = {
            let (x, w, b) = (
                cpu.upload(&x, &[rows, inputs]).unwrap(),
                cpu.upload(&w, &[outputs, inputs]).unwrap(),
                cpu.upload(&b, &[outputs]).unwrap(),
            );
            cpu.read(&cpu.linear(&x, &w, Some(&b)).unwrap())
                .await
                .unwrap()
        };
        let g = {
            let (x, w, b) = (
                gpu.upload(&x, &[rows, inputs]).unwrap(),
                gpu.upload(&w, &[outputs, inputs]).unwrap(),
                gpu.upload(&b, &[outputs]).unwrap(),
            );
            gpu.read(&gpu.linear(&x, &w, Some(&b)).unwrap())
                .await
                .unwrap()
        };
        assert_close(&format!("linear {rows}x{inputs}->{outputs}"), &g, &c);
    }
}

/// A plain matrix product on both backends, including a single row (which must not take the GEMV path).
pub async fn matmul_matches(gpu: &WgpuBackend) {
    let cpu = CpuBackend;
    for (m, k, n) in [(1, 5, 7), (17, 33, 9), (32, 16, 48)] {
        let a = values(m * k, 4, 1.0);
        let b = values(k * n, 5, 1.0);
        let c = cpu
            .read(
                &cpu.matmul(
                    &cpu.upload(&a, &[m, k]).unwrap(),
                    &cpu.upload(&b, &[k, n]).unwrap(),
                )
                .unwrap(),
            )
            .await
            .unwrap();
        let g = gpu
            .read(
                &gpu.matmul(
                    &gpu.upload(&a, &[m, k]).unwrap(),
                    &gpu.upload(&b, &[k, n]).unwrap(),
                )
                .unwrap(),
            )
            .await
            .unwrap();
        assert_close(&format!("matmul {m}x{k}·{k}x{n}"), &g, &c);
    }
}

/// Every activation, on ordinary and extreme inputs, against both the CPU backend and the scalar reference.
pub async fn activations_match(gpu: &WgpuBackend) {
    let cpu = CpuBackend;
    let mut x = values(1000, 6, 6.0);
    x.extend([-100.0, -20.0, -0.0, 0.0, 20.0, 80.0]);
    let shape = [x.len()];
    for activation in [
        Activation::Relu,
        Activation::LeakyRelu(0.2),
        Activation::Gelu,
        Activation::Silu,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Exp,
    ] {
        let c = cpu
            .read(
                &cpu.activate(&cpu.upload(&x, &shape).unwrap(), activation)
                    .unwrap(),
            )
            .await
            .unwrap();
        let g = gpu
            .read(
                &gpu.activate(&gpu.upload(&x, &shape).unwrap(), activation)
                    .unwrap(),
            )
            .await
            .unwrap();
        let reference: Vec<f32> = x.iter().map(|&v| activation.apply(v)).collect();
        assert!(
            g.iter().all(|v| !v.is_nan()),
            "{activation:?} produced NaN on the GPU"
        );
        assert_close(&format!("{activation:?} gpu vs cpu"), &g, &c);
        assert_close(&format!("{activation:?} gpu vs reference"), &g, &reference);
    }
}

/// Elementwise add and multiply, past one row of 65,535 workgroups' worth of the 2-D grid logic.
pub async fn binary_matches(gpu: &WgpuBackend) {
    let cpu = CpuBackend;
    let n = 70_001;
    let (a, b) = (values(n, 7, 3.0), values(n, 8, 3.0));
    for op in [Binary::Add, Binary::Mul] {
        let c = cpu
            .read(
                &cpu.binary(
                    &cpu.upload(&a, &[n]).unwrap(),
                    &cpu.upload(&b, &[n]).unwrap(),
                    op,
                )
                .unwrap(),
            )
            .await
            .unwrap();
        let g = gpu
            .read(
                &gpu.binary(
                    &gpu.upload(&a, &[n]).unwrap(),
                    &gpu.upload(&b, &[n]).unwrap(),
                    op,
                )
                .unwrap(),
            )
            .await
            .unwrap();
        assert_close(&format!("{op:?}"), &g, &c);
    }
}

/// Mismatched shapes are errors on both backends, never panics.
pub async fn shape_errors_are_reported(gpu: &WgpuBackend) {
    let x = gpu.upload(&[1.0; 6], &[2, 3]).unwrap();
    let w = gpu.upload(&[1.0; 8], &[2, 4]).unwrap();
    assert!(gpu.linear(&x, &w, None).is_err());
    assert!(gpu.matmul(&x, &x).is_err());
    assert!(gpu.binary(&x, &w, Binary::Add).is_err());
    assert!(gpu.reshape(&x, &[4]).is_err());
    assert!(gpu.upload(&[1.0; 5], &[2, 3]).is_err());
    let cpu = CpuBackend;
    let x = cpu.upload(&[1.0; 6], &[2, 3]).unwrap();
    let w = cpu.upload(&[1.0; 8], &[2, 4]).unwrap();
    assert!(cpu.linear(&x, &w, None).is_err());
    assert!(cpu.binary(&x, &w, Binary::Add).is_err());
}

/// Random weights for any parameter list: matrices scaled by 1.7/√fan-in, norm gains near 1, biases small.
pub fn random_weights(shapes: Vec<(String, Vec<usize>)>, seed: u64) -> HostWeights {
    let mut weights = HostWeights::new();
    for (i, (name, shape)) in shapes.into_iter().enumerate() {
        let n: usize = shape.iter().product();
        let seed = seed + i as u64;
        let data = match shape.len() {
            1 if name.ends_with("norm.weight") => {
                values(n, seed, 0.1).iter().map(|v| 1.0 + v).collect()
            }
            1 => values(n, seed, 0.1),
            _ => values(n, seed, 1.7 / ((n / shape[0]) as f32).sqrt()),
        };
        weights.insert(name, shape, data).unwrap();
    }
    weights
}

/// The GAN configuration the site ships.
pub fn shipped_gan_config() -> GanConfig {
    GanConfig {
        latent: 64,
        base: 64,
        channels: 1,
    }
}

/// A language model of the size the site ships (about 3M parameters), with room for `seq_len` positions.
pub fn shipped_lm_config(seq_len: usize) -> LmConfig {
    LmConfig {
        dim: 256,
        hidden_dim: 688,
        n_layers: 4,
        n_heads: 8,
        n_kv_heads: 4,
        vocab_size: 96,
        seq_len,
        norm_eps: 1e-5,
    }
}

/// The shipped VAE configuration with random weights.
pub fn random_vae_weights(config: &VaeConfig) -> HostWeights {
    let mut weights = HostWeights::new();
    for (i, (name, shape)) in config.parameter_shapes().into_iter().enumerate() {
        let n = shape.iter().product();
        let fan_in = *shape.last().unwrap() as f32;
        weights
            .insert(name, shape, values(n, 100 + i as u64, 1.0 / fan_in.sqrt()))
            .unwrap();
    }
    weights
}

/// A whole VAE forward (encode and decode) on both backends from the same weights.
pub async fn vae_matches(gpu: &WgpuBackend) {
    let cpu = CpuBackend;
    for latent in [2, 16] {
        let config = VaeConfig {
            width: 28,
            height: 28,
            hidden: 400,
            latent,
        };
        let weights = random_vae_weights(&config);
        let on_cpu = Vae::new(&cpu, config.clone(), &mut weights.clone()).unwrap();
        let on_gpu = Vae::new(gpu, config.clone(), &mut weights.clone()).unwrap();
        let images = values(5 * 784, 9, 0.5)
            .iter()
            .map(|v| v + 0.5)
            .collect::<Vec<_>>();
        let z = values(5 * latent, 10, 2.0);

        let pixels_c = cpu
            .read(
                &on_cpu
                    .decode(&cpu, &cpu.upload(&z, &[5, latent]).unwrap())
                    .unwrap(),
            )
            .await
            .unwrap();
        let pixels_g = gpu
            .read(
                &on_gpu
                    .decode(gpu, &gpu.upload(&z, &[5, latent]).unwrap())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_close(&format!("vae z{latent} decode"), &pixels_g, &pixels_c);
        assert!(pixels_g.iter().all(|p| (0.0..=1.0).contains(p)));

        // A single latent vector: the page's per-frame decode (GEMV path).
        let one_c = cpu
            .read(
                &on_cpu
                    .decode(&cpu, &cpu.upload(&z[..latent], &[1, latent]).unwrap())
                    .unwrap(),
            )
            .await
            .unwrap();
        let one_g = gpu
            .read(
                &on_gpu
                    .decode(gpu, &gpu.upload(&z[..latent], &[1, latent]).unwrap())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_close(&format!("vae z{latent} single decode"), &one_g, &one_c);

        let (mean_c, log_var_c) = on_cpu
            .encode(&cpu, &cpu.upload(&images, &[5, 784]).unwrap())
            .unwrap();
        let (mean_g, log_var_g) = on_gpu
            .encode(gpu, &gpu.upload(&images, &[5, 784]).unwrap())
            .unwrap();
        assert_close(
            "vae encode mean",
            &gpu.read(&mean_g).await.unwrap(),
            &cpu.read(&mean_c).await.unwrap(),
        );
        assert_close(
            "vae encode log-variance",
            &gpu.read(&log_var_g).await.unwrap(),
            &cpu.read(&log_var_c).await.unwrap(),
        );
    }
}

/// Direct and transposed convolutions on both backends over several geometries.
pub async fn convolutions_match(gpu: &WgpuBackend) {
    let cpu = CpuBackend;
    /// x shape, weight shape, stride, padding, transposed.
    type Case = ([usize; 4], [usize; 4], usize, usize, bool);
    let cases: [Case; 5] = [
        ([2, 3, 9, 7], [5, 3, 3, 3], 1, 1, false),
        ([1, 1, 28, 28], [8, 1, 4, 4], 2, 1, false),
        ([3, 4, 14, 14], [6, 4, 4, 4], 2, 1, false),
        ([2, 4, 7, 7], [4, 3, 4, 4], 2, 1, true),
        ([1, 5, 5, 6], [5, 2, 3, 3], 2, 0, true),
    ];
    for (i, (x_shape, w_shape, stride, padding, transposed)) in cases.into_iter().enumerate() {
        let conv = Conv { stride, padding };
        let out_channels = if transposed { w_shape[1] } else { w_shape[0] };
        let x = values(x_shape.iter().product(), 20 + i as u64, 1.0);
        let w = values(w_shape.iter().product(), 30 + i as u64, 0.3);
        let b = values(out_channels, 40 + i as u64, 0.5);
        let c = {
            let (x, w, b) = (
                cpu.upload(&x, &x_shape).unwrap(),
                cpu.upload(&w, &w_shape).unwrap(),
                cpu.upload(&b, &[out_channels]).unwrap(),
            );
            let y = if transposed {
                cpu.conv_transpose2d(&x, &w, &b, conv)
            } else {
                cpu.conv2d(&x, &w, &b, conv)
            };
            let y = y.unwrap();
            (cpu.shape(&y), cpu.read(&y).await.unwrap())
        };
        let g = {
            let (x, w, b) = (
                gpu.upload(&x, &x_shape).unwrap(),
                gpu.upload(&w, &w_shape).unwrap(),
                gpu.upload(&b, &[out_channels]).unwrap(),
            );
            let y = if transposed {
                gpu.conv_transpose2d(&x, &w, &b, conv)
            } else {
                gpu.conv2d(&x, &w, &b, conv)
            };
            let y = y.unwrap();
            (gpu.shape(&y), gpu.read(&y).await.unwrap())
        };
        assert_eq!(g.0, c.0, "case {i}: output shapes differ");
        assert_close(
            &format!("conv case {i} {x_shape:?} * {w_shape:?} transposed={transposed}"),
            &g.1,
            &c.1,
        );
    }
}

/// The shipped GAN configuration with random weights: generator and discriminator on both backends.
pub async fn gan_matches(gpu: &WgpuBackend) {
    let cpu = CpuBackend;
    let config = shipped_gan_config();
    let shapes = config
        .generator_shapes()
        .into_iter()
        .chain(config.discriminator_shapes());
    let weights = random_weights(shapes.collect(), 200);
    let batch = 4;
    let z = values(batch * 64, 11, 1.5);
    let run_cpu = {
        let g = Generator::new(&cpu, config.clone(), &mut weights.clone()).unwrap();
        let d = Discriminator::new(&cpu, config.clone(), &mut weights.clone()).unwrap();
        let images = g
            .generate(&cpu, &cpu.upload(&z, &[batch, 64]).unwrap())
            .unwrap();
        let logits = d.logits(&cpu, &images).unwrap();
        (
            cpu.read(&images).await.unwrap(),
            cpu.read(&logits).await.unwrap(),
        )
    };
    let run_gpu = {
        let g = Generator::new(gpu, config.clone(), &mut weights.clone()).unwrap();
        let d = Discriminator::new(gpu, config.clone(), &mut weights.clone()).unwrap();
        let images = g
            .generate(gpu, &gpu.upload(&z, &[batch, 64]).unwrap())
            .unwrap();
        let logits = d.logits(gpu, &images).unwrap();
        (
            gpu.read(&images).await.unwrap(),
            gpu.read(&logits).await.unwrap(),
        )
    };
    assert_close("gan generator", &run_gpu.0, &run_cpu.0);
    assert_close("gan discriminator", &run_gpu.1, &run_cpu.1);
    // The samples differ from each other: the test is not comparing constant images.
    assert!(run_cpu.0[..784]
        .iter()
        .zip(&run_cpu.0[784..1568])
        .any(|(a, b)| (a - b).abs() > 1e-2));
}

/// The LM's building blocks: embedding, RMSNorm, rotary positions, row slices, cache writes and attention.
pub async fn lm_ops_match(gpu: &WgpuBackend) {
    let cpu = CpuBackend;
    let table = values(30 * 16, 50, 1.0);
    let ids = [0u32, 29, 7, 7, 12];
    let c = cpu
        .read(
            &cpu.embedding(&cpu.upload(&table, &[30, 16]).unwrap(), &ids)
                .unwrap(),
        )
        .await
        .unwrap();
    let g = gpu
        .read(
            &gpu.embedding(&gpu.upload(&table, &[30, 16]).unwrap(), &ids)
                .unwrap(),
        )
        .await
        .unwrap();
    assert_close("embedding", &g, &c);
    assert!(gpu
        .embedding(&gpu.upload(&table, &[30, 16]).unwrap(), &[30])
        .is_err());

    let x = values(5 * 96, 51, 2.0);
    let w = values(96, 52, 1.0);
    let c = cpu
        .read(
            &cpu.rms_norm(
                &cpu.upload(&x, &[5, 96]).unwrap(),
                &cpu.upload(&w, &[96]).unwrap(),
                1e-5,
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let g = gpu
        .read(
            &gpu.rms_norm(
                &gpu.upload(&x, &[5, 96]).unwrap(),
                &gpu.upload(&w, &[96]).unwrap(),
                1e-5,
            )
            .unwrap(),
        )
        .await
        .unwrap();
    assert_close("rms_norm", &g, &c);

    for start in [0, 37, 250] {
        let c = cpu
            .read(
                &cpu.rope(&cpu.upload(&x, &[5, 96]).unwrap(), 32, start, 10_000.0)
                    .unwrap(),
            )
            .await
            .unwrap();
        let g = gpu
            .read(
                &gpu.rope(&gpu.upload(&x, &[5, 96]).unwrap(), 32, start, 10_000.0)
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_close(&format!("rope from {start}"), &g, &c);
    }

    let c = cpu
        .read(
            &cpu.slice_rows(&cpu.upload(&x, &[5, 96]).unwrap(), 2, 3)
                .unwrap(),
        )
        .await
        .unwrap();
    let g = gpu
        .read(
            &gpu.slice_rows(&gpu.upload(&x, &[5, 96]).unwrap(), 2, 3)
                .unwrap(),
        )
        .await
        .unwrap();
    assert_close("slice_rows", &g, &c);
    assert_eq!(g, x[2 * 96..].to_vec());

    // 4 query heads over 2 key/value heads of 8 values; 3 new rows after 5 cached ones, in a cache of 12.
    let shape = AttentionShape {
        heads: 4,
        kv_heads: 2,
        head_dim: 8,
        start: 5,
    };
    let (cached, new) = (values(12 * 16, 53, 1.0), values(3 * 16, 54, 1.0));
    let q = values(3 * 32, 55, 1.5);
    let run_cpu = {
        let keys = cpu
            .write_rows(
                &cpu.upload(&cached, &[12, 16]).unwrap(),
                &cpu.upload(&new, &[3, 16]).unwrap(),
                5,
            )
            .unwrap();
        let vals = cpu.upload(&values(12 * 16, 56, 1.0), &[12, 16]).unwrap();
        let (out, w) = cpu
            .attention(
                &cpu.upload(&q, &[3, 32]).unwrap(),
                &keys,
                &vals,
                shape,
                true,
            )
            .unwrap();
        (
            cpu.read(&out).await.unwrap(),
            cpu.read(&w.unwrap()).await.unwrap(),
            cpu.read(&keys).await.unwrap(),
        )
    };
    let run_gpu = {
        let keys = gpu
            .write_rows(
                &gpu.upload(&cached, &[12, 16]).unwrap(),
                &gpu.upload(&new, &[3, 16]).unwrap(),
                5,
            )
            .unwrap();
        let vals = gpu.upload(&values(12 * 16, 56, 1.0), &[12, 16]).unwrap();
        let (out, w) = gpu
            .attention(
                &gpu.upload(&q, &[3, 32]).unwrap(),
                &keys,
                &vals,
                shape,
                true,
            )
            .unwrap();
        (
            gpu.read(&out).await.unwrap(),
            gpu.read(&w.unwrap()).await.unwrap(),
            gpu.read(&keys).await.unwrap(),
        )
    };
    assert_close("write_rows", &run_gpu.2, &run_cpu.2);
    assert_close("attention output", &run_gpu.0, &run_cpu.0);
    assert_close("attention weights", &run_gpu.1, &run_cpu.1);
}

/// A language model of the size the site ships, random weights: prompt, then single-token steps.
pub async fn lm_matches(gpu: &WgpuBackend) {
    let cpu = CpuBackend;
    let config = shipped_lm_config(256);
    let weights = random_weights(config.parameter_shapes(), 300);
    let on_cpu = Lm::new(&cpu, config.clone(), &mut weights.clone()).unwrap();
    let on_gpu = Lm::new(gpu, config.clone(), &mut weights.clone()).unwrap();
    let mut cache_c = on_cpu.new_cache(&cpu).unwrap();
    let mut cache_g = on_gpu.new_cache(gpu).unwrap();
    let prompt: Vec<u32> = (0..12).map(|i| (i * 7 % 96) as u32).collect();
    let mut steps = vec![prompt];
    steps.extend([[5u32], [90], [41]].map(|t| t.to_vec()));
    for (i, tokens) in steps.iter().enumerate() {
        let out_c = on_cpu.forward(&cpu, tokens, &mut cache_c, true).unwrap();
        let out_g = on_gpu.forward(gpu, tokens, &mut cache_g, true).unwrap();
        let logits_c = cpu.read(&out_c.logits).await.unwrap();
        let logits_g = gpu.read(&out_g.logits).await.unwrap();
        assert_close(&format!("lm step {i} logits"), &logits_g, &logits_c);
        let attention_c = cpu.read(&out_c.attention[3]).await.unwrap();
        let attention_g = gpu.read(&out_g.attention[3]).await.unwrap();
        assert_close(
            &format!("lm step {i} last-layer attention"),
            &attention_g,
            &attention_c,
        );
    }
    assert_eq!(cache_g.len(), 15);
}

/// The bytes the 2-D canvas path writes for intensities `pixels` (widgets::draw_gray: round(clamp(v) · 255)).
fn canvas_bytes(pixels: &[f32]) -> Vec<u8> {
    pixels
        .iter()
        .flat_map(|&p| {
            let v = (p.clamp(0.0, 1.0) * 255.0).round() as u8;
            [v, v, v, 255]
        })
        .collect()
}

/// Decoded images drawn straight from the GPU's result buffer (the canvas-direct path, here into an offscreen
/// texture) carry the same bytes, tile for tile, as reading them back and quantising on the host; the parts of the
/// target outside every tile are white, and a layout that reads past the tensor is refused.
pub async fn painted_tiles_match_read_back(gpu: &WgpuBackend) {
    let vae = mnist_vae_z2(gpu);
    let z: Vec<f32> = values(2 * 5, 77, 2.0);
    let images = vae.decode(gpu, &gpu.upload(&z, &[5, 2]).unwrap()).unwrap();
    let host = gpu.read(&images).await.unwrap();
    // Five tiles, three a row, on a 3×2 grid of 28-pixel tiles: the sixth tile is empty. Drawn once as [0, 1]
    // intensities and once read as a tanh output in [-1, 1] (the GAN's), mapped as the host maps it.
    let layout = TileLayout {
        width: 28,
        height: 28,
        columns: 3,
        count: 5,
        range: PixelRange::Unit,
    };
    let signed: Vec<f32> = host.iter().map(|v| (v + 1.0) * 0.5).collect();
    for (range, host) in [(PixelRange::Unit, &host), (PixelRange::Signed, &signed)] {
        let painted = gpu
            .paint_offscreen(&images, TileLayout { range, ..layout }, (84, 56))
            .await
            .unwrap();
        assert_eq!(painted.len(), 84 * 56 * 4);
        for tile in 0..6 {
            let (x0, y0) = ((tile % 3) * 28, (tile / 3) * 28);
            for row in 0..28 {
                let at = ((y0 + row) * 84 + x0) * 4;
                let drawn = &painted[at..at + 28 * 4];
                let expected = match host.get((tile * 784 + row * 28)..(tile * 784 + row * 28 + 28))
                {
                    Some(values) if tile < 5 => canvas_bytes(values),
                    _ => vec![255; 28 * 4],
                };
                // The same rounding on both sides; one level apart at most where a value sits on a rounding edge.
                let worst = drawn
                    .iter()
                    .zip(&expected)
                    .map(|(a, b)| a.abs_diff(*b))
                    .max()
                    .unwrap_or(0);
                assert!(
                    worst <= 1,
                    "{range:?} tile {tile} row {row}: {worst} levels apart"
                );
            }
        }
        assert!(
            painted.chunks(4).any(|p| p[0] < 200),
            "the painted tiles are blank"
        );
    }
    let too_many = TileLayout { count: 6, ..layout };
    assert!(gpu
        .paint_offscreen(&images, too_many, (84, 56))
        .await
        .is_err());
}

/// A VAE of the shipped vae-mnist-z2's shape with random weights.
fn mnist_vae_z2(gpu: &WgpuBackend) -> Vae<WgpuBackend> {
    let config = VaeConfig {
        width: 28,
        height: 28,
        hidden: 400,
        latent: 2,
    };
    Vae::new(gpu, config.clone(), &mut random_vae_weights(&config)).unwrap()
}

/// Result buffers come from a pool: once every size has been seen, repeated forwards allocate nothing.
pub async fn buffers_are_reused(gpu: &WgpuBackend) {
    let vae = mnist_vae_z2(gpu);
    let decode = |i: usize| {
        let z = gpu.upload(&[i as f32 * 0.1, 1.0], &[1, 2]).unwrap();
        vae.decode(gpu, &z).unwrap()
    };
    gpu.read(&decode(0)).await.unwrap();
    let after_first = gpu.result_buffers_created();
    for i in 1..50 {
        gpu.read(&decode(i)).await.unwrap();
    }
    assert_eq!(
        gpu.result_buffers_created(),
        after_first,
        "VAE decodes kept allocating"
    );

    let config = shipped_lm_config(64);
    let lm = Lm::new(
        gpu,
        config.clone(),
        &mut random_weights(config.parameter_shapes(), 300),
    )
    .unwrap();
    let mut cache = lm.new_cache(gpu).unwrap();
    lm.forward(gpu, &[1, 2, 3, 4], &mut cache, false).unwrap();
    for t in 0..2 {
        gpu.read(&lm.forward(gpu, &[t], &mut cache, false).unwrap().logits)
            .await
            .unwrap();
    }
    let steady = gpu.result_buffers_created();
    for t in 0..10 {
        gpu.read(&lm.forward(gpu, &[t], &mut cache, false).unwrap().logits)
            .await
            .unwrap();
    }
    assert_eq!(
        gpu.result_buffers_created(),
        steady,
        "LM decode steps kept allocating"
    );
    // Every tensor buffer of a step is freed (back to the pool) when the step's tensors are dropped: the number of
    // live buffers does not creep up over a long generation.
    // With the attention weights too, as the LM page asks for them.
    gpu.read(&lm.forward(gpu, &[1], &mut cache, true).unwrap().logits)
        .await
        .unwrap();
    let live = genscope_webgpu::buffer_counts().live;
    for t in 0..20 {
        let out = lm.forward(gpu, &[t], &mut cache, true).unwrap();
        gpu.read(&out.logits).await.unwrap();
        for layer in &out.attention {
            gpu.read(layer).await.unwrap();
        }
    }
    assert_eq!(
        genscope_webgpu::buffer_counts().live,
        live,
        "live GPU buffers crept up"
    );
    drop((lm, cache));
    assert!(
        genscope_webgpu::buffer_counts().live < live,
        "dropping the model freed no buffers"
    );
}

/// `read_all` gives each tensor's values, as `read` does, from one submit and one mapped buffer.
pub async fn read_all_is_one_round_trip(gpu: &WgpuBackend) {
    let a = values(65, 1, 1.0);
    let b = values(3 * 7, 2, 1.0);
    let (ta, tb) = (
        gpu.upload(&a, &[65]).unwrap(),
        gpu.upload(&b, &[3, 7]).unwrap(),
    );
    let doubled = gpu.add(&ta, &ta).unwrap();
    let before = genscope_webgpu::gpu_traffic();
    let all = gpu.read_all(&[&doubled, &tb, &ta]).await.unwrap();
    let after = genscope_webgpu::gpu_traffic();
    assert_eq!(after.submits - before.submits, 1, "one submit");
    assert_eq!(after.bytes_read - before.bytes_read, (65 + 21 + 65) * 4);
    let twice: Vec<f32> = a.iter().map(|v| v + v).collect();
    assert_close("doubled", &all[0], &twice);
    assert_eq!(all[1], b);
    assert_eq!(all[2], a);
}

/// Once warm, a repeated same-shape step on an input already on the GPU records its dispatches without creating a
/// buffer or a bind group: uniforms go to reused slots, bind groups come from the cache, and the read-back buffer
/// is pooled. (The pages upload each input afresh, one buffer a step; an LM step's attention also grows with the
/// context; the e2e long-use test reports what a token costs in the browser.)
pub async fn steps_create_nothing(gpu: &WgpuBackend) {
    let vae = mnist_vae_z2(gpu);
    // The input is uploaded once: what is measured is the step's own objects.
    let z = gpu.upload(&[0.3, -1.0], &[1, 2]).unwrap();
    for _ in 0..2 {
        gpu.read(&vae.decode(gpu, &z).unwrap()).await.unwrap();
    }
    let before = genscope_webgpu::gpu_traffic();
    for _ in 0..8 {
        gpu.read(&vae.decode(gpu, &z).unwrap()).await.unwrap();
    }
    let after = genscope_webgpu::gpu_traffic();
    assert_eq!(after.submits - before.submits, 8, "one submit a step");
    assert!(after.dispatches > before.dispatches);
    assert_eq!(
        (
            after.buffers_created - before.buffers_created,
            after.bind_groups_created - before.bind_groups_created
        ),
        (0, 0),
        "buffers and bind groups created over 8 warm steps"
    );
}

/// A multi-token feed that only rebuilds the cache (the page's edit of earlier text) reads back the logits alone;
/// the same feed with attention reads every layer's and head's `n × n` weights too.
pub async fn rebuild_reads_only_logits(gpu: &WgpuBackend) {
    let config = shipped_lm_config(64);
    let spec = Spec::Lm(config.clone());
    let mut lm = Built::new(gpu, &spec, random_weights(config.parameter_shapes(), 310)).unwrap();
    let tokens: Vec<u32> = (0..48).map(|i| (i * 5 % 96) as u32).collect();
    let mut bytes_read = |attention: bool| {
        let op = Op::Feed {
            keep: 0,
            tokens: tokens.clone(),
            attention,
        };
        let before = genscope_webgpu::gpu_traffic();
        let recorded = lm.record(gpu, &op, &[]).unwrap();
        (before, recorded)
    };
    let (before, recorded) = bytes_read(false);
    let Output::Step { logits, attention } = recorded.read(gpu).await.unwrap() else {
        panic!("a feed gives a step")
    };
    let rebuild = genscope_webgpu::gpu_traffic().bytes_read - before.bytes_read;
    assert_eq!((logits.len(), attention.len()), (96, 0));
    assert_eq!(rebuild, 96 * 4, "a rebuild reads the logits only");
    let (before, recorded) = bytes_read(true);
    recorded.read(gpu).await.unwrap();
    let with_attention = genscope_webgpu::gpu_traffic().bytes_read - before.bytes_read;
    assert_eq!(with_attention, (96 + 4 * 8 * 48 * 48) * 4);
}
