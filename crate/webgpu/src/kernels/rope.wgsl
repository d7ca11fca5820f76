// Rotary positions, llama2.c's interleaved pairs: in each head, (x[2i], x[2i+1]) of row r turns by
// (start + r) / theta^(2i / head_dim). One thread per pair.
struct Params { rows: u32, width: u32, head_dim: u32, start: u32, theta: f32, total: u32, pad0: u32, pad1: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let pair = gid.x + gid.y * groups.x * 256u;
    if (pair >= p.total) {
        return;
    }
    let half_width = p.width / 2u;
    let row = pair / half_width;
    let q = pair % half_width;
    let i = q % (p.head_dim / 2u);
    let angle = f32(p.start + row) / pow(p.theta, f32(2u * i) / f32(p.head_dim));
    let c = cos(angle);
    let s = sin(angle);
    let at = row * p.width + 2u * q;
    let x0 = x[at];
    let x1 = x[at + 1u];
    out[at] = x0 * c - x1 * s;
    out[at + 1u] = x0 * s + x1 * c;
}
