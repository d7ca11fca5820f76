// The single-row case of a linear layer (one token, one latent vector): out[n] = a[k] · b[n, k]ᵀ + bias[n].
// One workgroup per output; its 64 threads stride over k and reduce in workgroup memory.
struct Dims { m: u32, n: u32, k: u32, flags: u32 }

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> dims: Dims;

const THREADS: u32 = 64u;
var<workgroup> partial: array<f32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let col = wg.x + wg.y * groups.x;
    var acc = 0.0;
    if (col < dims.n) {
        for (var i = li; i < dims.k; i += THREADS) {
            acc += a[i] * b[col * dims.k + i];
        }
    }
    partial[li] = acc;
    workgroupBarrier();
    for (var s = THREADS / 2u; s > 0u; s >>= 1u) {
        if (li < s) {
            partial[li] += partial[li + s];
        }
        workgroupBarrier();
    }
    if (li == 0u && col < dims.n) {
        var r = partial[0];
        if ((dims.flags & 2u) != 0u) {
            r += bias[col];
        }
        out[col] = r;
    }
}
