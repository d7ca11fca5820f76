// 2-D convolution, one thread per output element:
// out[n, o, y, x] = bias[o] + Σ_c Σ_ky Σ_kx x[n, c, y·s − p + ky, x·s − p + kx] · w[o, c, ky, kx]
struct Dims {
    batch: u32, in_c: u32, in_h: u32, in_w: u32,
    out_c: u32, out_h: u32, out_w: u32, k_h: u32,
    k_w: u32, stride: u32, pad: u32, total: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> d: Dims;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if (i >= d.total) {
        return;
    }
    let ox = i % d.out_w;
    let oy = (i / d.out_w) % d.out_h;
    let o = (i / (d.out_w * d.out_h)) % d.out_c;
    let n = i / (d.out_w * d.out_h * d.out_c);
    var acc = bias[o];
    for (var c = 0u; c < d.in_c; c++) {
        let x_base = (n * d.in_c + c) * d.in_h * d.in_w;
        let w_base = (o * d.in_c + c) * d.k_h * d.k_w;
        for (var ky = 0u; ky < d.k_h; ky++) {
            // Signed arithmetic: the padded border lies at negative coordinates.
            let iy = i32(oy * d.stride + ky) - i32(d.pad);
            if (iy < 0 || iy >= i32(d.in_h)) {
                continue;
            }
            for (var kx = 0u; kx < d.k_w; kx++) {
                let ix = i32(ox * d.stride + kx) - i32(d.pad);
                if (ix < 0 || ix >= i32(d.in_w)) {
                    continue;
                }
                acc += x[x_base + u32(iy) * d.in_w + u32(ix)] * w[w_base + ky * d.k_w + kx];
            }
        }
    }
    out[i] = acc;
}
