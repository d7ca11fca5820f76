//! What genscope has asked of the GPU, counted as it happens: the backend's dispatches and the objects it creates,
//! the context's submits and read-backs. Its own module, so that both count without importing each other.

/// What genscope has asked of the GPU since the page started, over every backend of this thread: the figures a
/// per-token or per-frame cost is the difference of.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GpuTraffic {
    /// Command buffers submitted (one per read-back).
    pub submits: u64,
    /// Compute dispatches recorded.
    pub dispatches: u64,
    /// Bytes copied back to the host.
    pub bytes_read: u64,
    /// Buffers created of any kind: tensors, per-dispatch uniforms and tables, read-back staging.
    pub buffers_created: u64,
    /// Bind groups created.
    pub bind_groups_created: u64,
}

thread_local! {
    static TRAFFIC: std::cell::Cell<GpuTraffic> = const {
        std::cell::Cell::new(GpuTraffic {
            submits: 0,
            dispatches: 0,
            bytes_read: 0,
            buffers_created: 0,
            bind_groups_created: 0,
        })
    };
}

/// What genscope has asked of the GPU so far (see [`GpuTraffic`]).
pub fn gpu_traffic() -> GpuTraffic {
    TRAFFIC.with(std::cell::Cell::get)
}

/// Adds to the traffic counters.
pub(crate) fn count_traffic(add: impl FnOnce(&mut GpuTraffic)) {
    TRAFFIC.with(|t| {
        let mut n = t.get();
        add(&mut n);
        t.set(n);
    });
}
