// Rotary positions, llama2.c's interleaved pairs: in each head, (x[2i], x[2i+1]) of row r turns by the angle
// whose cosine and sine the host tabulated at [r, i] (see genscope_core::backend::rope_tables). One thread a pair.
struct Params { rows: u32, width: u32, head_dim: u32, total: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> cos_table: array<f32>;
@group(0) @binding(2) var<storage, read> sin_table: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let pair = gid.x + gid.y * groups.x * 256u;
    if (pair >= p.total) {
        return;
    }
    let half_width = p.width / 2u;
    let row = pair / half_width;
    let q = pair % half_width;
    let pairs_per_head = p.head_dim / 2u;
    let t = row * pairs_per_head + q % pairs_per_head;
    let c = cos_table[t];
    let s = sin_table[t];
    let at = row * p.width + 2u * q;
    let x0 = x[at];
    let x1 = x[at + 1u];
    out[at] = x0 * c - x1 * s;
    out[at + 1u] = x0 * s + x1 * c;
}
