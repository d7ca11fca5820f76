// out[i] = a[i] op b[i]; op 0 adds, op 1 multiplies (the order of genscope_core::Binary).
struct Params { len: u32, op: u32, pad0: u32, pad1: u32 }

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if (i >= p.len) {
        return;
    }
    if (p.op == 0u) {
        out[i] = a[i] + b[i];
    } else {
        out[i] = a[i] * b[i];
    }
}
