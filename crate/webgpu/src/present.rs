//! Pictures that stay on the GPU: a batch of gray images in a result buffer drawn straight into a texture by one
//! render pass (`kernels/gray_tiles.wgsl`), in the same submission as the forward pass that made them. In the
//! browser the texture is a canvas's ([`CanvasTarget`]), so a decoded image reaches the screen without a read-back;
//! natively [`WgpuBackend::paint_offscreen`] draws into a texture and reads its bytes, which is how the shader is
//! tested against the 2-D canvas path's quantisation.

use std::cell::RefCell;

use genscope_core::{Error, Result};

use crate::backend::{GpuTensor, WgpuBackend};
use crate::traffic::count_traffic;

/// How a batch of gray images is laid out as tiles on the target, from its top-left corner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TileLayout {
    /// One image's width in pixels.
    pub width: u32,
    /// One image's height in pixels.
    pub height: u32,
    /// Tiles per row.
    pub columns: u32,
    /// Images drawn (the rest of the target is white).
    pub count: u32,
    /// What the values mean: [0, 1] intensities or a tanh output in [-1, 1].
    pub range: PixelRange,
}

/// The range a model's image values are in, mapped to [0, 1] exactly as the 2-D path maps them on the host.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PixelRange {
    /// Intensities in [0, 1] (the VAE's Bernoulli means), drawn as they are.
    #[default]
    Unit,
    /// A tanh output in [-1, 1] (the GAN's generator), drawn as `(v + 1) · 0.5`.
    Signed,
}

impl PixelRange {
    /// `(offset, scale)`: the shader draws `(v + offset) · scale`, the same two f32 operations as the host.
    fn offset_scale(self) -> (f32, f32) {
        match self {
            PixelRange::Unit => (0.0, 1.0),
            PixelRange::Signed => (1.0, 0.5),
        }
    }
}

impl TileLayout {
    /// Checks the layout against the tensor it reads: every tile inside it, sizes counted in u64 (a usize is 32
    /// bits in the browser).
    fn check(&self, images: &GpuTensor) -> Result<()> {
        let needed = u64::from(self.width) * u64::from(self.height) * u64::from(self.count);
        if self.width == 0 || self.height == 0 || self.columns == 0 || self.count == 0 {
            return Err(Error::Shape(format!("picture: empty layout {self:?}")));
        }
        if needed > images.len() as u64 {
            return Err(Error::Shape(format!(
                "picture: {} images of {}×{} need {needed} values, the tensor holds {}",
                self.count,
                self.width,
                self.height,
                images.len()
            )));
        }
        Ok(())
    }
}

/// The render pipeline for one texture format, its uniform, and the bind group of the last buffer drawn (the
/// result pool hands a forward pass the same buffer each time, so it is rarely rebuilt).
pub(crate) struct GrayPainter {
    pipeline: wgpu::RenderPipeline,
    uniform: wgpu::Buffer,
    bound: RefCell<Option<(wgpu::Buffer, wgpu::BindGroup)>>,
}

impl GrayPainter {
    pub(crate) fn new(device: &wgpu::Device, format: wgpu::TextureFormat) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("gray-tiles"),
            source: wgpu::ShaderSource::Wgsl(include_str!("kernels/gray_tiles.wgsl").into()),
        });
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("gray-tiles"),
            layout: None,
            vertex: wgpu::VertexState {
                module: &module,
                entry_point: Some("vertex"),
                compilation_options: Default::default(),
                buffers: &[],
            },
            fragment: Some(wgpu::FragmentState {
                module: &module,
                entry_point: Some("fragment"),
                compilation_options: Default::default(),
                targets: &[Some(format.into())],
            }),
            primitive: Default::default(),
            depth_stencil: None,
            multisample: Default::default(),
            multiview_mask: None,
            cache: None,
        });
        let uniform = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("gray-tiles-layout"),
            size: 32,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Self {
            pipeline,
            uniform,
            bound: RefCell::new(None),
        }
    }

    /// Records the pass that draws `images` laid out as `layout` into `view`.
    fn encode(
        &self,
        backend: &WgpuBackend,
        encoder: &mut wgpu::CommandEncoder,
        images: &GpuTensor,
        layout: TileLayout,
        view: &wgpu::TextureView,
    ) {
        let (device, queue) = (backend.context().device(), backend.context().queue());
        let (offset, scale) = layout.range.offset_scale();
        let values = [
            layout.width,
            layout.height,
            layout.columns,
            layout.count,
            offset.to_bits(),
            scale.to_bits(),
            0,
            0,
        ];
        // Written before the submission that reads it: queue writes land ahead of the commands submitted after.
        queue.write_buffer(&self.uniform, 0, bytemuck::cast_slice(&values));
        let mut bound = self.bound.borrow_mut();
        if bound.as_ref().is_none_or(|(b, _)| b != images.raw()) {
            let group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("gray-tiles"),
                layout: &self.pipeline.get_bind_group_layout(0),
                entries: &[
                    wgpu::BindGroupEntry {
                        binding: 0,
                        resource: images.raw().as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 1,
                        resource: self.uniform.as_entire_binding(),
                    },
                ],
            });
            count_traffic(|t| t.bind_groups_created += 1);
            *bound = Some((images.raw().clone(), group));
        }
        let Some((_, group)) = bound.as_ref() else {
            return;
        };
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("gray-tiles"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(wgpu::Color::WHITE),
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: None,
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, group, &[]);
        pass.draw(0..3, 0..1);
    }
}

/// A `<canvas>` the GPU draws into through its WebGPU context. A canvas keeps the first context it is asked for, so
/// a page gives the GPU path a canvas of its own (one a 2-D context never touched).
#[cfg(target_arch = "wasm32")]
pub struct CanvasTarget {
    canvas: web_sys::HtmlCanvasElement,
    surface: wgpu::Surface<'static>,
    format: wgpu::TextureFormat,
    painter: GrayPainter,
    configured: std::cell::Cell<Option<(u32, u32)>>,
}

#[cfg(target_arch = "wasm32")]
impl CanvasTarget {
    /// Whether this target draws into `canvas` (the element, not an equal one).
    pub fn is_for(&self, canvas: &web_sys::HtmlCanvasElement) -> bool {
        self.canvas == *canvas
    }

    /// Whether its canvas is still in the document.
    pub fn is_connected(&self) -> bool {
        self.canvas.is_connected()
    }
}

impl WgpuBackend {
    /// Opens `canvas`'s WebGPU context for [`Self::present`]. Fails (with the browser's words) when the canvas
    /// already has another kind of context or its formats are all sRGB (which would re-encode the intensities).
    #[cfg(target_arch = "wasm32")]
    pub fn canvas_target(&self, canvas: web_sys::HtmlCanvasElement) -> Result<CanvasTarget> {
        let gpu = self.context();
        let surface = gpu
            .instance()
            .create_surface(wgpu::SurfaceTarget::Canvas(canvas.clone()))
            .map_err(|e| Error::Backend(format!("the canvas has no WebGPU context: {e}")))?;
        let formats = surface.get_capabilities(gpu.raw_adapter()).formats;
        let format = formats
            .iter()
            .copied()
            .find(|f| !f.is_srgb())
            .ok_or_else(|| {
                Error::Backend(format!("the canvas offers only sRGB formats: {formats:?}"))
            })?;
        Ok(CanvasTarget {
            canvas,
            surface,
            format,
            painter: GrayPainter::new(gpu.device(), format),
            configured: std::cell::Cell::new(None),
        })
    }

    /// Submits the pending forward pass with a render pass that draws `images` into `target`'s canvas as
    /// `layout`: one submission, nothing read back. The canvas shows the picture when the page next paints; the
    /// returned future resolves when the GPU has finished the work (so a caller can time it and not queue more
    /// frames than the GPU draws).
    #[cfg(target_arch = "wasm32")]
    pub fn present(
        &self,
        target: &CanvasTarget,
        images: &GpuTensor,
        layout: TileLayout,
    ) -> Result<impl std::future::Future<Output = Result<()>> + use<>> {
        layout.check(images)?;
        let gpu = self.context();
        let size = (target.canvas.width(), target.canvas.height());
        if size.0 == 0 || size.1 == 0 {
            return Err(Error::Shape("picture: the canvas has no pixels".into()));
        }
        if target.configured.get() != Some(size) {
            target.surface.configure(
                gpu.device(),
                &wgpu::SurfaceConfiguration {
                    usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
                    format: target.format,
                    color_space: Default::default(),
                    width: size.0,
                    height: size.1,
                    desired_maximum_frame_latency: 2,
                    present_mode: wgpu::PresentMode::Fifo,
                    alpha_mode: wgpu::CompositeAlphaMode::Opaque,
                    view_formats: vec![],
                },
            );
            target.configured.set(Some(size));
        }
        let frame = match target.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(frame)
            | wgpu::CurrentSurfaceTexture::Suboptimal(frame) => frame,
            other => {
                target.configured.set(None);
                return Err(Error::Backend(format!(
                    "the canvas gave no texture to draw into ({other:?})"
                )));
            }
        };
        let view = frame.texture.create_view(&Default::default());
        let mut encoder = self.take_encoder("present");
        target
            .painter
            .encode(self, &mut encoder, images, layout, &view);
        gpu.queue().submit([encoder.finish()]);
        self.submitted();
        gpu.queue().present(frame);
        let (done, finished) = futures_channel::oneshot::channel();
        gpu.queue().on_submitted_work_done(move || {
            let _ = done.send(());
        });
        Ok(async move {
            finished
                .await
                .map_err(|_| Error::Backend("the GPU device went away while drawing".into()))
        })
    }

    /// Submits the pending forward pass with a render pass that draws `images` as `layout` into an offscreen
    /// `size` texture (RGBA, 8 bits a channel), and returns its bytes row by row: the canvas path without a
    /// canvas, for tests and for anything that wants the picture's bytes as the screen would show them.
    pub async fn paint_offscreen(
        &self,
        images: &GpuTensor,
        layout: TileLayout,
        size: (u32, u32),
    ) -> Result<Vec<u8>> {
        layout.check(images)?;
        if size.0 == 0 || size.1 == 0 {
            return Err(Error::Shape("picture: an empty target".into()));
        }
        let gpu = self.context();
        let format = wgpu::TextureFormat::Rgba8Unorm;
        let texture = gpu.device().create_texture(&wgpu::TextureDescriptor {
            label: Some("offscreen"),
            size: wgpu::Extent3d {
                width: size.0,
                height: size.1,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
            view_formats: &[],
        });
        let view = texture.create_view(&Default::default());
        let painter = GrayPainter::new(gpu.device(), format);
        let mut encoder = self.take_encoder("offscreen");
        painter.encode(self, &mut encoder, images, layout, &view);
        // Rows of a texture copy are padded to 256 bytes.
        let row = u64::from(size.0) * 4;
        let padded = row.div_ceil(256) * 256;
        let buffer = gpu.device().create_buffer(&wgpu::BufferDescriptor {
            label: Some("offscreen-read"),
            size: padded * u64::from(size.1),
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        encoder.copy_texture_to_buffer(
            texture.as_image_copy(),
            wgpu::TexelCopyBufferInfo {
                buffer: &buffer,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(padded as u32),
                    rows_per_image: None,
                },
            },
            wgpu::Extent3d {
                width: size.0,
                height: size.1,
                depth_or_array_layers: 1,
            },
        );
        gpu.queue().submit([encoder.finish()]);
        self.submitted();
        let bytes = gpu.map_bytes(&buffer).await?;
        count_traffic(|t| t.bytes_read += bytes.len() as u64);
        Ok(bytes
            .chunks(padded as usize)
            .flat_map(|r| &r[..row as usize])
            .copied()
            .collect())
    }
}
