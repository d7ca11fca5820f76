// out[r, d] = table[ids[r], d]. Ids were checked against the vocabulary on the host.
struct Params { rows: u32, dim: u32, total: u32, pad: u32 }

@group(0) @binding(0) var<storage, read> table: array<f32>;
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if (i >= p.total) {
        return;
    }
    let row = i / p.dim;
    out[i] = table[ids[row] * p.dim + i % p.dim];
}
