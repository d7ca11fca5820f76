// Transposed 2-D convolution, gathered per output element (no atomics):
// out[n, o, y, x] = bias[o] + Σ_c Σ_ky Σ_kx x[n, c, iy, ix] · w[c, o, ky, kx]
// over the (iy, ix) with iy·s − p + ky = y and ix·s − p + kx = x.
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
    let s = i32(d.stride);
    var acc = bias[o];
    for (var ky = 0u; ky < d.k_h; ky++) {
        let ty = i32(oy + d.pad) - i32(ky);
        if (ty < 0 || ty % s != 0 || ty / s >= i32(d.in_h)) {
            continue;
        }
        let iy = u32(ty / s);
        for (var kx = 0u; kx < d.k_w; kx++) {
            let tx = i32(ox + d.pad) - i32(kx);
            if (tx < 0 || tx % s != 0 || tx / s >= i32(d.in_w)) {
                continue;
            }
            let ix = u32(tx / s);
            for (var c = 0u; c < d.in_c; c++) {
                let xv = x[((n * d.in_c + c) * d.in_h + iy) * d.in_w + ix];
                let wv = w[((c * d.out_c + o) * d.k_h + ky) * d.k_w + kx];
                acc += xv * wv;
            }
        }
    }
    out[i] = acc;
}
