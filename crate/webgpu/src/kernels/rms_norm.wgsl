// out[r, :] = x[r, :] / sqrt(mean(x[r, :]²) + eps) * weight. One workgroup per row.
struct Params { rows: u32, dim: u32, eps: f32, pad: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> weight: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

const THREADS: u32 = 64u;
var<workgroup> partial: array<f32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let row = wg.x + wg.y * groups.x;
    if (row >= p.rows) {
        return;
    }
    let base = row * p.dim;
    var acc = 0.0;
    for (var i = li; i < p.dim; i += THREADS) {
        acc += x[base + i] * x[base + i];
    }
    partial[li] = acc;
    workgroupBarrier();
    for (var s = THREADS / 2u; s > 0u; s >>= 1u) {
        if (li < s) {
            partial[li] += partial[li + s];
        }
        workgroupBarrier();
    }
    let inv = inverseSqrt(partial[0] / f32(p.dim) + p.eps);
    for (var i = li; i < p.dim; i += THREADS) {
        out[base + i] = x[base + i] * inv * weight[i];
    }
}
