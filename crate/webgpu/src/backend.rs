//! `WgpuBackend`: genscope-core's [`Backend`] on WebGPU compute shaders.
//!
//! Operations are recorded into one pending command encoder; [`Backend::read`] submits everything recorded so far
//! and maps one result buffer, so a model's forward pass costs one submission and one readback (readback is the
//! expensive part on WebGPU). Pipelines are built once per kernel and cached.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use genscope_core::backend::{
    attention_dims, check_upload, conv_dims, linear_dims, matmul_dims, rope_dims, rope_tables,
    Activation, AttentionShape, Binary, Conv, DenseOps, ImageOps, SequenceOps, Tensors,
};
use genscope_core::{Error, Result};
use wgpu::util::DeviceExt;

use crate::context::{compute_pipeline, GpuContext, GpuError};
use crate::dispatch::{workgroup_grid, MAX_WORKGROUPS_PER_DIM};
use crate::scratch::{BindKey, Scratch};
use crate::traffic::count_traffic;

/// Threads per workgroup of the elementwise kernels (`@workgroup_size` in unary.wgsl and binary.wgsl).
const ELEMENTWISE_WORKGROUP: u32 = 256;
/// Output tile side of matmul.wgsl.
const MATMUL_TILE: u32 = 16;

/// The WGSL kernels, one pipeline each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kernel {
    Matmul,
    Gemv,
    Unary,
    Binary,
    Conv2d,
    ConvTranspose2d,
    Embedding,
    RmsNorm,
    Rope,
    Attention,
}

impl Kernel {
    fn source(self) -> &'static str {
        match self {
            Kernel::Matmul => include_str!("kernels/matmul.wgsl"),
            Kernel::Gemv => include_str!("kernels/gemv.wgsl"),
            Kernel::Unary => include_str!("kernels/unary.wgsl"),
            Kernel::Binary => include_str!("kernels/binary.wgsl"),
            Kernel::Conv2d => include_str!("kernels/conv2d.wgsl"),
            Kernel::ConvTranspose2d => include_str!("kernels/conv_transpose2d.wgsl"),
            Kernel::Embedding => include_str!("kernels/embedding.wgsl"),
            Kernel::RmsNorm => include_str!("kernels/rms_norm.wgsl"),
            Kernel::Rope => include_str!("kernels/rope.wgsl"),
            Kernel::Attention => include_str!("kernels/attention.wgsl"),
        }
    }
}

/// A tensor in a GPU storage buffer. Cloning shares the buffer.
#[derive(Clone, Debug)]
pub struct GpuTensor {
    buffer: Rc<PooledBuffer>,
    shape: Vec<usize>,
}

impl GpuTensor {
    /// Its number of values.
    pub(crate) fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// The storage buffer that holds it.
    pub(crate) fn raw(&self) -> &wgpu::Buffer {
        &self.buffer
    }
}

/// How many tensor buffers (uploads and results) genscope holds on the GPU, over every backend of this thread. The
/// small per-dispatch buffers (uniforms, token ids, RoPE tables) and readback staging buffers are freed with their
/// command buffer and not counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BufferCounts {
    /// Buffers alive now: held by tensors or free in a pool.
    pub live: usize,
    /// Result buffers created since the page started (uploads, freed when their tensor goes, not counted). Flat
    /// across repeated forward passes once the pools are warm.
    pub results_created: usize,
}

thread_local! {
    static BUFFER_COUNTS: std::cell::Cell<BufferCounts> = const {
        std::cell::Cell::new(BufferCounts { live: 0, results_created: 0 })
    };
}

/// The tensor buffers genscope holds on the GPU (for the long-use checks and the page's diagnostics).
pub fn buffer_counts() -> BufferCounts {
    BUFFER_COUNTS.with(std::cell::Cell::get)
}

fn count_created(result: bool) {
    BUFFER_COUNTS.with(|c| {
        let mut n = c.get();
        n.live += 1;
        n.results_created += usize::from(result);
        c.set(n);
    });
}

fn count_freed(buffers: usize) {
    BUFFER_COUNTS.with(|c| {
        let mut n = c.get();
        n.live = n.live.saturating_sub(buffers);
        c.set(n);
    });
}

/// Free result buffers by size in bytes, reused by later operations: a forward pass allocates nothing once the
/// first one has run.
#[derive(Default)]
struct BufferPool {
    /// Ordered, and the first taken, so that a repeated step gets the same buffers in the same places whatever
    /// order the last one's were dropped in (its bind groups are then found in the cache).
    free: HashMap<u64, BTreeSet<wgpu::Buffer>>,
    created: usize,
}

/// A buffer that goes back to its pool when the last tensor using it is dropped.
///
/// Only buffers written by recorded GPU commands are pooled: reuse is then ordered by the encoder (a pass that
/// writes a reused buffer comes after every pass that read its old contents). Uploads are not pooled, because a
/// queue write would land before commands recorded earlier.
#[derive(Debug)]
struct PooledBuffer {
    buffer: Option<wgpu::Buffer>,
    pool: Option<std::rc::Weak<RefCell<BufferPool>>>,
}

impl std::ops::Deref for PooledBuffer {
    type Target = wgpu::Buffer;
    fn deref(&self) -> &wgpu::Buffer {
        self.buffer.as_ref().expect("present until drop")
    }
}

impl Drop for PooledBuffer {
    fn drop(&mut self) {
        let Some(buffer) = self.buffer.take() else {
            return;
        };
        match self.pool.as_ref().and_then(|p| p.upgrade()) {
            Some(pool) => {
                pool.borrow_mut()
                    .free
                    .entry(buffer.size())
                    .or_default()
                    .insert(buffer);
            }
            None => count_freed(1),
        }
    }
}

impl Drop for BufferPool {
    fn drop(&mut self) {
        count_freed(self.free.values().map(BTreeSet::len).sum());
    }
}

/// genscope's models on WebGPU.
pub struct WgpuBackend {
    gpu: Rc<GpuContext>,
    pending: RefCell<Option<wgpu::CommandEncoder>>,
    pipelines: RefCell<HashMap<Kernel, wgpu::ComputePipeline>>,
    pool: Rc<RefCell<BufferPool>>,
    /// Uniform slots, bind groups and small inputs, reused across submissions.
    scratch: RefCell<Scratch<Kernel>>,
    /// Bound where a kernel's optional bias is absent (WebGPU cannot bind nothing).
    no_bias: wgpu::Buffer,
}

impl From<GpuError> for Error {
    fn from(e: GpuError) -> Self {
        Error::Backend(e.to_string())
    }
}

impl WgpuBackend {
    /// A backend on an open device.
    pub fn new(gpu: Rc<GpuContext>) -> Self {
        let no_bias = gpu.device().create_buffer(&wgpu::BufferDescriptor {
            label: Some("no-bias"),
            size: 4,
            usage: wgpu::BufferUsages::STORAGE,
            mapped_at_creation: false,
        });
        let scratch = RefCell::new(Scratch::new(gpu.device()));
        Self {
            gpu,
            pending: RefCell::new(None),
            pipelines: RefCell::new(HashMap::new()),
            pool: Rc::default(),
            scratch,
            no_bias,
        }
    }

    /// The device this backend runs on.
    pub fn context(&self) -> &GpuContext {
        &self.gpu
    }

    /// GPU buffers created so far for results (uploads not counted). Flat across repeated forward passes.
    pub fn result_buffers_created(&self) -> usize {
        self.pool.borrow().created
    }

    /// A result buffer of `elements` floats, reused from the pool when one of that size is free.
    fn output(&self, label: &str, elements: usize) -> Result<wgpu::Buffer> {
        if elements == 0 {
            return Err(Error::Shape(format!("{label}: empty result")));
        }
        let bytes = (elements * 4) as u64;
        let mut pool = self.pool.borrow_mut();
        if let Some(buffer) = pool.free.get_mut(&bytes).and_then(BTreeSet::pop_first) {
            return Ok(buffer);
        }
        pool.created += 1;
        count_created(true);
        count_traffic(|t| t.buffers_created += 1);
        Ok(self.gpu.device().create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: (elements * 4) as u64,
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_SRC
                | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        }))
    }

    /// Records one dispatch of `kernel` with `buffers` bound in order and `params` as the last (uniform) binding:
    /// a struct of u32s, a multiple of four of them (WebGPU sizes uniforms in 16-byte granules).
    fn dispatch(
        &self,
        kernel: Kernel,
        buffers: &[&wgpu::Buffer],
        params: &[u32],
        grid: (u32, u32),
    ) -> Result<()> {
        if grid.0 > MAX_WORKGROUPS_PER_DIM || grid.1 > MAX_WORKGROUPS_PER_DIM {
            return Err(Error::Shape(format!(
                "{kernel:?}: dispatch grid {grid:?} is too large"
            )));
        }
        let device = self.gpu.device();
        let mut pipelines = self.pipelines.borrow_mut();
        let pipeline = pipelines
            .entry(kernel)
            .or_insert_with(|| compute_pipeline(device, &format!("{kernel:?}"), kernel.source()));
        let layout = pipeline.get_bind_group_layout(0);
        let entries = |uniform: wgpu::BindingResource<'_>| -> wgpu::BindGroup {
            let entries: Vec<wgpu::BindGroupEntry> = buffers
                .iter()
                .map(|buffer| buffer.as_entire_binding())
                .chain(std::iter::once(uniform))
                .enumerate()
                .map(|(i, resource)| wgpu::BindGroupEntry {
                    binding: i as u32,
                    resource,
                })
                .collect();
            device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: None,
                layout: &layout,
                entries: &entries,
            })
        };
        let mut scratch = self.scratch.borrow_mut();
        let (bind_group, uniform_created, group_created) = match scratch
            .uniform(self.gpu.queue(), bytemuck::cast_slice(params))
        {
            Some(slot) => {
                let key = BindKey {
                    kernel,
                    buffers: buffers.iter().map(|b| (*b).clone()).collect(),
                    slot,
                };
                let (group, created) = scratch.bind_group(key, |s| entries(s.slot_binding(slot)));
                (group, false, created)
            }
            // More dispatches in one submission than there are slots: a buffer of its own.
            None => {
                let uniform = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some("params"),
                    contents: bytemuck::cast_slice(params),
                    usage: wgpu::BufferUsages::UNIFORM,
                });
                (entries(uniform.as_entire_binding()), true, true)
            }
        };
        drop(scratch);
        count_traffic(|t| {
            t.dispatches += 1;
            t.buffers_created += u64::from(uniform_created);
            t.bind_groups_created += u64::from(group_created);
        });
        let mut pending = self.pending.borrow_mut();
        let encoder = pending.get_or_insert_with(|| {
            device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("forward"),
            })
        });
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        pass.dispatch_workgroups(grid.0, grid.1, 1);
        Ok(())
    }

    /// A storage buffer holding a small host input (token ids, RoPE tables) for the pending submission.
    fn input(&self, data: &[u8]) -> wgpu::Buffer {
        let (buffer, created) =
            self.scratch
                .borrow_mut()
                .input(self.gpu.device(), self.gpu.queue(), data);
        count_traffic(|t| t.buffers_created += u64::from(created));
        buffer
    }

    /// The pending encoder with what is recorded so far (a fresh one, labelled `label`, when nothing is), for a
    /// pass that goes in the same submission.
    pub(crate) fn take_encoder(&self, label: &str) -> wgpu::CommandEncoder {
        self.pending.borrow_mut().take().unwrap_or_else(|| {
            self.gpu
                .device()
                .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(label) })
        })
    }

    /// Notes a submission made outside [`Tensors::read_all`]: counted, and the scratch slots are free again.
    pub(crate) fn submitted(&self) {
        count_traffic(|t| t.submits += 1);
        self.scratch.borrow_mut().submitted();
    }

    /// Runs `record` on the pending encoder (creating it if needed), so copies stay in order with dispatches.
    fn record(&self, record: impl FnOnce(&mut wgpu::CommandEncoder)) {
        let mut pending = self.pending.borrow_mut();
        let encoder = pending.get_or_insert_with(|| {
            self.gpu
                .device()
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("forward"),
                })
        });
        record(encoder);
    }

    /// Wraps a result buffer (from [`Self::output`]) so that it returns to the pool when dropped.
    fn tensor(&self, buffer: wgpu::Buffer, shape: Vec<usize>) -> GpuTensor {
        GpuTensor {
            buffer: Rc::new(PooledBuffer {
                buffer: Some(buffer),
                pool: Some(Rc::downgrade(&self.pool)),
            }),
            shape,
        }
    }

    fn elementwise_grid(len: usize) -> (u32, u32) {
        workgroup_grid((len as u32).div_ceil(ELEMENTWISE_WORKGROUP))
    }

    /// Records a direct or transposed convolution.
    fn convolve(
        &self,
        x: &GpuTensor,
        weight: &GpuTensor,
        bias: &GpuTensor,
        conv: Conv,
        transposed: bool,
    ) -> Result<GpuTensor> {
        let d = conv_dims(&x.shape, &weight.shape, &bias.shape, conv, transposed)?;
        let total = d.batch * d.out_channels * d.out_size.0 * d.out_size.1;
        let out = self.output("conv", total)?;
        let params = [
            d.batch,
            d.in_channels,
            d.in_size.0,
            d.in_size.1,
            d.out_channels,
            d.out_size.0,
            d.out_size.1,
            d.kernel.0,
            d.kernel.1,
            conv.stride,
            conv.padding,
            total,
        ]
        .map(|v| v as u32);
        let kernel = if transposed {
            Kernel::ConvTranspose2d
        } else {
            Kernel::Conv2d
        };
        self.dispatch(
            kernel,
            &[&x.buffer, &weight.buffer, &bias.buffer, &out],
            &params,
            Self::elementwise_grid(total),
        )?;
        Ok(self.tensor(
            out,
            vec![d.batch, d.out_channels, d.out_size.0, d.out_size.1],
        ))
    }

    /// `a · B (+ bias)`; `transposed` when `b` is `[n, k]`.
    fn matmul_into(
        &self,
        a: &GpuTensor,
        b: &GpuTensor,
        bias: Option<&GpuTensor>,
        (m, k, n): (usize, usize, usize),
        transposed: bool,
    ) -> Result<GpuTensor> {
        let out = self.output("matmul", m * n)?;
        let flags = u32::from(transposed) | (u32::from(bias.is_some()) << 1);
        let bias_buffer = bias.map_or(&self.no_bias, GpuTensor::raw);
        let buffers = [a.raw(), b.raw(), bias_buffer, &out];
        let params = [m as u32, n as u32, k as u32, flags];
        if m == 1 && transposed {
            self.dispatch(Kernel::Gemv, &buffers, &params, workgroup_grid(n as u32))?;
        } else {
            let grid = (
                (n as u32).div_ceil(MATMUL_TILE),
                (m as u32).div_ceil(MATMUL_TILE),
            );
            self.dispatch(Kernel::Matmul, &buffers, &params, grid)?;
        }
        Ok(self.tensor(out, vec![m, n]))
    }
}

impl Tensors for WgpuBackend {
    type Tensor = GpuTensor;

    fn name(&self) -> String {
        self.gpu.adapter().to_string()
    }

    fn upload(&self, data: &[f32], shape: &[usize]) -> Result<GpuTensor> {
        check_upload(data.len(), shape)?;
        if data.is_empty() {
            return Err(Error::Shape("upload of an empty tensor".into()));
        }
        count_traffic(|t| t.buffers_created += 1);
        let buffer = self
            .gpu
            .device()
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("tensor"),
                contents: bytemuck::cast_slice(data),
                usage: wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_SRC
                    | wgpu::BufferUsages::COPY_DST,
            });
        count_created(false);
        Ok(GpuTensor {
            buffer: Rc::new(PooledBuffer {
                buffer: Some(buffer),
                pool: None,
            }),
            shape: shape.to_vec(),
        })
    }

    fn shape(&self, tensor: &GpuTensor) -> Vec<usize> {
        tensor.shape.clone()
    }

    async fn read(&self, tensor: &GpuTensor) -> Result<Vec<f32>> {
        let mut parts = self.read_all(&[tensor]).await?;
        Ok(parts.pop().unwrap_or_default())
    }

    async fn read_all(&self, tensors: &[&GpuTensor]) -> Result<Vec<Vec<f32>>> {
        let encoder = self.take_encoder("read");
        // Sizes in u64: a usize is 32 bits in the browser.
        let sources: Vec<(&wgpu::Buffer, u64)> = tensors
            .iter()
            .map(|t| (&**t.buffer, t.len() as u64 * 4))
            .collect();
        let staging = self.gpu.submit_read(encoder, &sources);
        // Submitted: later queue writes land after these commands, so slots and inputs may be reused.
        self.scratch.borrow_mut().submitted();
        let flat = match staging {
            Some(staging) => self.gpu.map_read(staging).await?,
            None => Vec::new(),
        };
        let mut parts = Vec::with_capacity(tensors.len());
        let mut rest = flat.as_slice();
        for t in tensors {
            let (part, after) = rest.split_at_checked(t.len()).ok_or_else(|| {
                Error::Backend(format!(
                    "the GPU read back {} values for tensors of {} in all",
                    flat.len(),
                    tensors.iter().map(|t| t.len()).sum::<usize>()
                ))
            })?;
            parts.push(part.to_vec());
            rest = after;
        }
        Ok(parts)
    }

    fn reshape(&self, x: &GpuTensor, shape: &[usize]) -> Result<GpuTensor> {
        check_upload(x.len(), shape)?;
        Ok(GpuTensor {
            buffer: Rc::clone(&x.buffer),
            shape: shape.to_vec(),
        })
    }

    fn slice_rows(&self, x: &GpuTensor, start: usize, count: usize) -> Result<GpuTensor> {
        let cols = match x.shape.as_slice() {
            &[rows, cols] if count > 0 && start + count <= rows => cols,
            shape => {
                return Err(Error::Shape(format!(
                    "slice_rows {start}..{} of {shape:?}",
                    start + count
                )))
            }
        };
        let out = self.output("slice_rows", count * cols)?;
        let row_bytes = (cols * 4) as u64;
        self.record(|encoder| {
            encoder.copy_buffer_to_buffer(
                &x.buffer,
                start as u64 * row_bytes,
                &out,
                0,
                count as u64 * row_bytes,
            )
        });
        Ok(self.tensor(out, vec![count, cols]))
    }

    fn write_rows(&self, cache: &GpuTensor, rows: &GpuTensor, at: usize) -> Result<GpuTensor> {
        let (n, d) = match (cache.shape.as_slice(), rows.shape.as_slice()) {
            (&[capacity, d], &[n, d2]) if d == d2 && at + n <= capacity => (n, d),
            (c, r) => {
                return Err(Error::Shape(format!(
                    "write_rows: {r:?} into {c:?} at row {at}"
                )))
            }
        };
        let row_bytes = (d * 4) as u64;
        self.record(|encoder| {
            encoder.copy_buffer_to_buffer(
                &rows.buffer,
                0,
                &cache.buffer,
                at as u64 * row_bytes,
                n as u64 * row_bytes,
            )
        });
        Ok(cache.clone())
    }
}

impl DenseOps for WgpuBackend {
    fn linear(
        &self,
        x: &GpuTensor,
        weight: &GpuTensor,
        bias: Option<&GpuTensor>,
    ) -> Result<GpuTensor> {
        let (rows, inputs, outputs) =
            linear_dims(&x.shape, &weight.shape, bias.map(|b| b.shape.as_slice()))?;
        self.matmul_into(x, weight, bias, (rows, inputs, outputs), true)
    }

    fn matmul(&self, a: &GpuTensor, b: &GpuTensor) -> Result<GpuTensor> {
        let dims = matmul_dims(&a.shape, &b.shape)?;
        self.matmul_into(a, b, None, dims, false)
    }

    fn activate(&self, x: &GpuTensor, activation: Activation) -> Result<GpuTensor> {
        let (op, slope) = match activation {
            Activation::Relu => (0, 0.0),
            Activation::LeakyRelu(slope) => (1, slope),
            Activation::Gelu => (2, 0.0),
            Activation::Silu => (3, 0.0),
            Activation::Sigmoid => (4, 0.0),
            Activation::Tanh => (5, 0.0),
            Activation::Exp => (6, 0.0),
        };
        let out = self.output("activate", x.len())?;
        let params = [x.len() as u32, op, slope.to_bits(), 0];
        self.dispatch(
            Kernel::Unary,
            &[&x.buffer, &out],
            &params,
            Self::elementwise_grid(x.len()),
        )?;
        Ok(self.tensor(out, x.shape.clone()))
    }

    fn binary(&self, a: &GpuTensor, b: &GpuTensor, op: Binary) -> Result<GpuTensor> {
        if a.shape != b.shape {
            return Err(Error::Shape(format!(
                "{op:?}: {:?} and {:?}",
                a.shape, b.shape
            )));
        }
        let out = self.output("binary", a.len())?;
        let code = match op {
            Binary::Add => 0,
            Binary::Mul => 1,
        };
        let params = [a.len() as u32, code, 0, 0];
        self.dispatch(
            Kernel::Binary,
            &[&a.buffer, &b.buffer, &out],
            &params,
            Self::elementwise_grid(a.len()),
        )?;
        Ok(self.tensor(out, a.shape.clone()))
    }
}

impl ImageOps for WgpuBackend {
    fn conv2d(
        &self,
        x: &GpuTensor,
        weight: &GpuTensor,
        bias: &GpuTensor,
        conv: Conv,
    ) -> Result<GpuTensor> {
        self.convolve(x, weight, bias, conv, false)
    }

    fn conv_transpose2d(
        &self,
        x: &GpuTensor,
        weight: &GpuTensor,
        bias: &GpuTensor,
        conv: Conv,
    ) -> Result<GpuTensor> {
        self.convolve(x, weight, bias, conv, true)
    }
}

impl SequenceOps for WgpuBackend {
    fn embedding(&self, table: &GpuTensor, ids: &[u32]) -> Result<GpuTensor> {
        let (vocab, dim) = match table.shape.as_slice() {
            &[vocab, dim] if !ids.is_empty() => (vocab, dim),
            shape => {
                return Err(Error::Shape(format!(
                    "embedding: table {shape:?}, {} ids",
                    ids.len()
                )))
            }
        };
        if let Some(bad) = ids.iter().find(|&&id| id as usize >= vocab) {
            return Err(Error::Shape(format!(
                "token id {bad} is outside the vocabulary of {vocab}"
            )));
        }
        let ids_buffer = self.input(bytemuck::cast_slice(ids));
        let total = ids.len() * dim;
        let out = self.output("embedding", total)?;
        let params = [ids.len() as u32, dim as u32, total as u32, 0];
        self.dispatch(
            Kernel::Embedding,
            &[&table.buffer, &ids_buffer, &out],
            &params,
            Self::elementwise_grid(total),
        )?;
        Ok(self.tensor(out, vec![ids.len(), dim]))
    }

    fn rms_norm(&self, x: &GpuTensor, weight: &GpuTensor, eps: f32) -> Result<GpuTensor> {
        let (rows, dim) = match (x.shape.as_slice(), weight.shape.as_slice()) {
            (&[rows, d], &[w]) if d == w => (rows, d),
            (a, b) => return Err(Error::Shape(format!("rms_norm: x {a:?}, weight {b:?}"))),
        };
        let out = self.output("rms_norm", rows * dim)?;
        let params = [rows as u32, dim as u32, eps.to_bits(), 0];
        self.dispatch(
            Kernel::RmsNorm,
            &[&x.buffer, &weight.buffer, &out],
            &params,
            workgroup_grid(rows as u32),
        )?;
        Ok(self.tensor(out, x.shape.clone()))
    }

    fn rope(&self, x: &GpuTensor, head_dim: usize, start: usize, theta: f32) -> Result<GpuTensor> {
        let (rows, width) = rope_dims(&x.shape, head_dim)?;
        let pairs = rows * width / 2;
        let out = self.output("rope", rows * width)?;
        let (cos, sin) = rope_tables(rows, start, head_dim, theta);
        let (cos, sin) = (
            self.input(bytemuck::cast_slice(&cos)),
            self.input(bytemuck::cast_slice(&sin)),
        );
        let params = [rows, width, head_dim, pairs].map(|v| v as u32);
        self.dispatch(
            Kernel::Rope,
            &[&x.buffer, &cos, &sin, &out],
            &params,
            Self::elementwise_grid(pairs),
        )?;
        Ok(self.tensor(out, x.shape.clone()))
    }

    fn attention(
        &self,
        q: &GpuTensor,
        keys: &GpuTensor,
        values: &GpuTensor,
        a: AttentionShape,
        want_weights: bool,
    ) -> Result<(GpuTensor, Option<GpuTensor>)> {
        let n = attention_dims(&q.shape, &keys.shape, &values.shape, a)?;
        let context = a.start + n;
        let out = self.output("attention", n * a.heads * a.head_dim)?;
        // The weights' buffer is sized for the whole cache, not the current context, so decoding token after
        // token reuses one pooled buffer instead of leaving one of every length behind in the pool.
        let capacity = keys.shape.first().copied().unwrap_or(context).max(context);
        let weights = match want_weights {
            true => Some(self.output("attention.weights", a.heads * n * capacity)?),
            false => None,
        };
        let params = [
            n,
            a.heads,
            a.kv_heads,
            a.head_dim,
            a.start,
            context,
            usize::from(want_weights),
            0,
        ];
        let weights_buffer = weights.as_ref().unwrap_or(&self.no_bias);
        self.dispatch(
            Kernel::Attention,
            &[
                &q.buffer,
                &keys.buffer,
                &values.buffer,
                &out,
                weights_buffer,
            ],
            &params.map(|v| v as u32),
            workgroup_grid((n * a.heads) as u32),
        )?;
        Ok((
            self.tensor(out, q.shape.clone()),
            weights.map(|w| self.tensor(w, vec![a.heads, n, context])),
        ))
    }
}
