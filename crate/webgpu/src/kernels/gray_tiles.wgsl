// Draws a batch of gray images, held in a storage buffer as `count × height × width` values, as a grid of tiles
// `columns` wide: one full-screen triangle, each fragment looking up its own pixel. A value v becomes the intensity
// (v + offset) · scale ([0, 1] as it is, or a tanh output in [-1, 1]), quantised to 8 bits exactly as the 2-D canvas
// path does (round(clamp(v) · 255)), so both paths give equal bytes.

struct Layout {
    width: u32,
    height: u32,
    columns: u32,
    count: u32,
    offset: f32,
    scale: f32,
}

@group(0) @binding(0) var<storage, read> images: array<f32>;
@group(0) @binding(1) var<uniform> tiles: Layout;

@vertex
fn vertex(@builtin(vertex_index) i: u32) -> @builtin(position) vec4<f32> {
    // (-1, 1), (3, 1), (-1, -3): one triangle that covers the whole target.
    let x = f32((i << 1u) & 2u);
    let y = f32(i & 2u);
    return vec4<f32>(x * 2.0 - 1.0, 1.0 - y * 2.0, 0.0, 1.0);
}

@fragment
fn fragment(@builtin(position) at: vec4<f32>) -> @location(0) vec4<f32> {
    let x = u32(at.x);
    let y = u32(at.y);
    let column = x / tiles.width;
    let tile = (y / tiles.height) * tiles.columns + column;
    if (column >= tiles.columns || tile >= tiles.count) {
        // Outside every tile: white, the page's paper.
        return vec4<f32>(1.0, 1.0, 1.0, 1.0);
    }
    let pixel = tile * tiles.width * tiles.height + (y % tiles.height) * tiles.width + x % tiles.width;
    let intensity = (images[pixel] + tiles.offset) * tiles.scale;
    let v = round(clamp(intensity, 0.0, 1.0) * 255.0) / 255.0;
    return vec4<f32>(v, v, v, 1.0);
}
