//! The small per-dispatch objects of a forward pass, reused from one submission to the next so that a repeated
//! step of one shape whose inputs are already on the GPU creates no GPU objects once warm (a page's step still
//! uploads its input: one buffer, and the bind groups that read it, per VAE decode or GAN grid):
//!
//! - **uniforms**: one buffer of [`SLOTS`] slots; each dispatch of a submission writes its parameters into the next
//!   slot with `queue.write_buffer` and binds that slot;
//! - **bind groups**, cached by kernel, bound buffers and slot; those of the last two submissions are kept (a
//!   repeated step binds the same pooled buffers in the same order), older ones dropped;
//! - **small host inputs** (token ids, RoPE tables), in buffers pooled by size and written with
//!   `queue.write_buffer`.
//!
//! Queue writes take effect before the next submission's commands and after the previous submission's, so a slot
//! or an input buffer is reused only once the submission that used it has been submitted ([`Scratch::submitted`]).

use std::collections::{BTreeSet, HashMap};
use std::num::NonZeroU64;

/// Uniform slots per submission, and the bytes of each (WebGPU's default uniform-offset alignment). A submission
/// with more dispatches falls back to a buffer of its own for the rest.
pub const SLOTS: u64 = 512;
pub const SLOT_BYTES: u64 = 256;

/// What a bind group binds: the pipeline, the buffers in order, and the uniform slot (or a one-off buffer).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BindKey<K> {
    /// The kernel whose layout it follows.
    pub kernel: K,
    /// The storage buffers, in binding order.
    pub buffers: Vec<wgpu::Buffer>,
    /// The uniform slot and its bytes.
    pub slot: (u64, u64),
}

/// See the module's documentation.
pub struct Scratch<K> {
    uniforms: wgpu::Buffer,
    next_slot: u64,
    current: HashMap<BindKey<K>, wgpu::BindGroup>,
    previous: HashMap<BindKey<K>, wgpu::BindGroup>,
    free_inputs: HashMap<u64, BTreeSet<wgpu::Buffer>>,
    used_inputs: Vec<wgpu::Buffer>,
}

impl<K: Clone + Eq + std::hash::Hash> Scratch<K> {
    /// Scratch space on `device`.
    pub fn new(device: &wgpu::Device) -> Self {
        Self {
            uniforms: device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("uniform slots"),
                size: SLOTS * SLOT_BYTES,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
            next_slot: 0,
            current: HashMap::new(),
            previous: HashMap::new(),
            free_inputs: HashMap::new(),
            used_inputs: Vec::new(),
        }
    }

    /// Writes `params` into this submission's next uniform slot: the slot and its bytes, or `None` when the slots
    /// are used up (or the parameters do not fit one).
    pub fn uniform(&mut self, queue: &wgpu::Queue, params: &[u8]) -> Option<(u64, u64)> {
        let bytes = params.len() as u64;
        if self.next_slot >= SLOTS || bytes == 0 || bytes > SLOT_BYTES {
            return None;
        }
        let slot = self.next_slot;
        self.next_slot += 1;
        queue.write_buffer(&self.uniforms, slot * SLOT_BYTES, params);
        Some((slot, bytes))
    }

    /// The binding of a uniform slot.
    pub fn slot_binding(&self, (slot, bytes): (u64, u64)) -> wgpu::BindingResource<'_> {
        wgpu::BindingResource::Buffer(wgpu::BufferBinding {
            buffer: &self.uniforms,
            offset: slot * SLOT_BYTES,
            size: NonZeroU64::new(bytes),
        })
    }

    /// The cached bind group for `key`, or the one `create` makes (then cached); whether it was created.
    pub fn bind_group(
        &mut self,
        key: BindKey<K>,
        create: impl FnOnce(&Self) -> wgpu::BindGroup,
    ) -> (wgpu::BindGroup, bool) {
        if let Some(group) = self.current.get(&key) {
            return (group.clone(), false);
        }
        if let Some(group) = self.previous.remove(&key) {
            self.current.insert(key, group.clone());
            return (group, false);
        }
        let group = create(self);
        self.current.insert(key, group.clone());
        (group, true)
    }

    /// A storage buffer holding `data` for this submission: a free one of that size when there is one; whether
    /// one was created.
    pub fn input(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        data: &[u8],
    ) -> (wgpu::Buffer, bool) {
        let size = data.len() as u64;
        let (buffer, created) = match self
            .free_inputs
            .get_mut(&size)
            .and_then(BTreeSet::pop_first)
        {
            Some(buffer) => (buffer, false),
            None => (
                device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("input"),
                    size,
                    usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
                    mapped_at_creation: false,
                }),
                true,
            ),
        };
        queue.write_buffer(&buffer, 0, data);
        self.used_inputs.push(buffer.clone());
        (buffer, created)
    }

    /// The pending commands were submitted: slots and inputs may be reused, and bind groups older than the last
    /// submission are dropped.
    pub fn submitted(&mut self) {
        self.next_slot = 0;
        self.previous = std::mem::take(&mut self.current);
        for buffer in self.used_inputs.drain(..) {
            self.free_inputs
                .entry(buffer.size())
                .or_default()
                .insert(buffer);
        }
    }
}
