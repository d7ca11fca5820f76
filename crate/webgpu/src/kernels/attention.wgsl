// Causal attention with a KV cache. One workgroup per (query row, head): scores over the cached keys kept in
// workgroup memory, a stable softmax, then the weighted sum of values. Query row r sits at position start + r
// and sees keys 0..=start + r. Optionally writes the probabilities [heads, n, context] (0 past the mask).
struct Params {
    n: u32, heads: u32, kv_heads: u32, head_dim: u32,
    start: u32, context: u32, want_weights: u32, pad: u32,
}

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> keys: array<f32>;
@group(0) @binding(2) var<storage, read> values: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> weights: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

const THREADS: u32 = 64u;
const MAX_CONTEXT: u32 = 1024u;
var<workgroup> scores: array<f32, 1024>;
var<workgroup> partial: array<f32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let g = wg.x + wg.y * groups.x;
    if (g >= p.n * p.heads) {
        return;
    }
    let head = g % p.heads;
    let row = g / p.heads;
    let kv_head = head / (p.heads / p.kv_heads);
    let visible = p.start + row + 1u;
    let q_width = p.heads * p.head_dim;
    let kv_width = p.kv_heads * p.head_dim;
    let q_base = row * q_width + head * p.head_dim;
    let kv_off = kv_head * p.head_dim;
    let scale = inverseSqrt(f32(p.head_dim));

    var local_max = -3.4e38;
    for (var j = li; j < visible; j += THREADS) {
        var dot = 0.0;
        for (var d = 0u; d < p.head_dim; d++) {
            dot += q[q_base + d] * keys[j * kv_width + kv_off + d];
        }
        scores[j] = dot * scale;
        local_max = max(local_max, dot * scale);
    }
    partial[li] = local_max;
    workgroupBarrier();
    for (var s = THREADS / 2u; s > 0u; s >>= 1u) {
        if (li < s) {
            partial[li] = max(partial[li], partial[li + s]);
        }
        workgroupBarrier();
    }
    let row_max = partial[0];
    workgroupBarrier();

    var local_sum = 0.0;
    for (var j = li; j < visible; j += THREADS) {
        let e = exp(scores[j] - row_max);
        scores[j] = e;
        local_sum += e;
    }
    partial[li] = local_sum;
    workgroupBarrier();
    for (var s = THREADS / 2u; s > 0u; s >>= 1u) {
        if (li < s) {
            partial[li] += partial[li + s];
        }
        workgroupBarrier();
    }
    let total = partial[0];

    let w_base = (head * p.n + row) * p.context;
    for (var j = li; j < p.context; j += THREADS) {
        var prob = 0.0;
        if (j < visible) {
            prob = scores[j] / total;
            scores[j] = prob;
        }
        if (p.want_weights != 0u) {
            weights[w_base + j] = prob;
        }
    }
    workgroupBarrier();

    for (var d = li; d < p.head_dim; d += THREADS) {
        var acc = 0.0;
        for (var j = 0u; j < visible; j++) {
            acc += scores[j] * values[j * kv_width + kv_off + d];
        }
        out[q_base + d] = acc;
    }
}
