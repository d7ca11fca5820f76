//! Opening a GPU device and running kernels on it.

use std::fmt;

/// What the status line says about the adapter a [`GpuContext`] runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterDescription {
    /// The adapter's own name, e.g. `google swiftshader` in Chromium without a GPU or `llvmpipe (LLVM 15...)`
    /// natively on lavapipe.
    pub name: String,
    /// The graphics API underneath: `WebGPU`, `Vulkan`, `Gl`, ...
    pub api: String,
    /// True for software and fallback adapters (SwiftShader, lavapipe), which are much slower than a real GPU.
    pub software: bool,
}

impl fmt::Display for AdapterDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = if self.name.is_empty() {
            "unnamed adapter"
        } else {
            &self.name
        };
        write!(f, "{} · {name}", self.api)?;
        if self.software {
            write!(f, " (software)")?;
        }
        Ok(())
    }
}

/// Why the GPU path is not available or a GPU operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GpuError {
    /// The browser does not expose `navigator.gpu` at all.
    #[error("this browser has no WebGPU (navigator.gpu is missing)")]
    Unsupported,
    /// WebGPU exists but no adapter was offered (for example no GPU and no software fallback).
    #[error("no WebGPU adapter is available: {0}")]
    NoAdapter(String),
    /// The adapter refused to open a device.
    #[error("could not open the GPU device: {0}")]
    Device(String),
    /// Mapping a result buffer for reading failed (often a lost device).
    #[error("reading results back from the GPU failed: {0}")]
    Readback(String),
}

/// An open GPU device with its queue.
pub struct GpuContext {
    /// Kept for making canvas surfaces after the device is open.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    instance: wgpu::Instance,
    /// Kept for asking a canvas surface which formats it offers.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    raw_adapter: wgpu::Adapter,
    device: wgpu::Device,
    queue: wgpu::Queue,
    adapter: AdapterDescription,
    lost: std::cell::RefCell<Option<futures_channel::oneshot::Receiver<String>>>,
    /// Read-back buffers by size, unmapped and free for the next read of that size.
    staging: std::cell::RefCell<std::collections::HashMap<u64, Vec<wgpu::Buffer>>>,
}

impl GpuContext {
    /// Finds an adapter and opens a device on it.
    ///
    /// In the browser this fails with [`GpuError::Unsupported`] or [`GpuError::NoAdapter`] when WebGPU cannot be
    /// used, and the caller falls back to the CPU path. Natively it honours `WGPU_BACKEND` (e.g. `vulkan`, `gl`).
    pub async fn new() -> Result<Self, GpuError> {
        #[cfg(target_arch = "wasm32")]
        if !crate::browser::has_webgpu() {
            return Err(GpuError::Unsupported);
        }
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions::default())
            .await
            .map_err(|e| GpuError::NoAdapter(e.to_string()))?;
        let info = adapter.get_info();
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("genscope"),
                ..Default::default()
            })
            .await
            .map_err(|e| GpuError::Device(e.to_string()))?;

        #[allow(unused_mut)]
        let mut name = info.name.clone();
        // Browsers often leave the adapter's description empty; vendor and architecture still say what it is.
        #[cfg(target_arch = "wasm32")]
        if name.is_empty() {
            name = crate::browser::adapter_name().await.unwrap_or_default();
        }
        let description = AdapterDescription {
            name,
            api: match info.backend {
                wgpu::Backend::BrowserWebGpu => "WebGPU".to_owned(),
                other => format!("{other:?}"),
            },
            software: info.device_type == wgpu::DeviceType::Cpu,
        };
        // wgpu wants a Send callback; a oneshot sender behind a mutex is one, and `lost()` awaits the receiver.
        let (tell, lost) = futures_channel::oneshot::channel();
        let tell = std::sync::Mutex::new(Some(tell));
        device.set_device_lost_callback(move |reason, message| {
            if let Some(tell) = tell.lock().ok().and_then(|mut t| t.take()) {
                let _ = tell.send(format!("{reason:?}: {message}"));
            }
        });
        Ok(Self {
            instance,
            raw_adapter: adapter,
            device,
            queue,
            staging: Default::default(),
            adapter: description,
            lost: std::cell::RefCell::new(Some(lost)),
        })
    }

    /// Resolves with the reason when the device is lost (destroyed, a driver reset, a GPU process crash).
    /// Only the first caller is told; later calls and a dropped device resolve to `None`.
    pub async fn lost(&self) -> Option<String> {
        let receiver = self.lost.borrow_mut().take()?;
        receiver.await.ok()
    }

    /// Destroys the device, as a driver reset would: every later GPU operation fails and [`Self::lost`] resolves.
    /// The site's test hook uses it to prove the CPU fallback.
    pub fn destroy(&self) {
        self.device.destroy();
    }

    /// The adapter this context runs on.
    pub fn adapter(&self) -> &AdapterDescription {
        &self.adapter
    }

    /// The instance the device came from (canvas surfaces are made from it).
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn instance(&self) -> &wgpu::Instance {
        &self.instance
    }

    /// The adapter the device was opened on.
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn raw_adapter(&self) -> &wgpu::Adapter {
        &self.raw_adapter
    }

    /// The open device.
    pub(crate) fn device(&self) -> &wgpu::Device {
        &self.device
    }

    /// The device's queue.
    pub(crate) fn queue(&self) -> &wgpu::Queue {
        &self.queue
    }

    /// Copies the first `bytes` of each source, one after the other, into one mappable buffer and submits
    /// `encoder`: the buffer for [`Self::map_read`] (`None` when there is nothing to read). One round trip for all.
    pub(crate) fn submit_read(
        &self,
        mut encoder: wgpu::CommandEncoder,
        sources: &[(&wgpu::Buffer, u64)],
    ) -> Option<wgpu::Buffer> {
        let bytes: u64 = sources.iter().map(|(_, b)| b).sum();
        if bytes == 0 {
            return None;
        }
        let reused = self.staging.borrow_mut().get_mut(&bytes).and_then(Vec::pop);
        let created = reused.is_none();
        let staging = reused.unwrap_or_else(|| {
            self.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("readback"),
                size: bytes,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        });
        let mut at = 0;
        for (source, size) in sources {
            encoder.copy_buffer_to_buffer(source, 0, &staging, at, *size);
            at += size;
        }
        self.queue.submit([encoder.finish()]);
        crate::traffic::count_traffic(|t| {
            t.submits += 1;
            t.bytes_read += bytes;
            t.buffers_created += u64::from(created);
        });
        Some(staging)
    }

    /// Waits until the submitted copy into `staging` is done and returns its values; the buffer goes back to the
    /// staging pool for the next read of its size.
    pub(crate) async fn map_read(&self, staging: wgpu::Buffer) -> Result<Vec<f32>, GpuError> {
        let values = bytemuck::cast_slice(&self.map_bytes(&staging).await?).to_vec();
        self.staging
            .borrow_mut()
            .entry(staging.size())
            .or_default()
            .push(staging);
        Ok(values)
    }

    /// Waits until the submitted copy into the mappable `buffer` is done and returns its bytes (the buffer is
    /// unmapped again).
    pub(crate) async fn map_bytes(&self, buffer: &wgpu::Buffer) -> Result<Vec<u8>, GpuError> {
        let (done, mapped) = futures_channel::oneshot::channel();
        buffer.map_async(wgpu::MapMode::Read, .., move |result| {
            let _ = done.send(result);
        });
        // Natively nothing drives the callbacks but a poll; in the browser the event loop does.
        #[cfg(not(target_arch = "wasm32"))]
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| GpuError::Readback(e.to_string()))?;
        mapped
            .await
            .map_err(|_| GpuError::Readback("the device dropped the request".into()))?
            .map_err(|e| GpuError::Readback(e.to_string()))?;
        let view = buffer
            .slice(..)
            .get_mapped_range()
            .map_err(|e| GpuError::Readback(e.to_string()))?;
        let bytes = view.to_vec();
        drop(view);
        buffer.unmap();
        Ok(bytes)
    }
}

pub(crate) fn compute_pipeline(
    device: &wgpu::Device,
    label: &str,
    wgsl: &str,
) -> wgpu::ComputePipeline {
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(label),
        source: wgpu::ShaderSource::Wgsl(wgsl.into()),
    });
    device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some(label),
        layout: None,
        module: &module,
        entry_point: Some("main"),
        compilation_options: Default::default(),
        cache: None,
    })
}
