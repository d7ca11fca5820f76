// out[i] = f(x[i]) for the activation selected by op (the order of genscope_core::Activation).
struct Params { len: u32, op: u32, slope: f32, pad: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

// tanh through exp overflows to inf/inf = NaN on some implementations past |v| ~ 44; f32 tanh is ±1 past 9.
fn safe_tanh(v: f32) -> f32 {
    return tanh(clamp(v, -15.0, 15.0));
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if (i >= p.len) {
        return;
    }
    let v = x[i];
    var r: f32;
    switch p.op {
        case 0u: { r = max(v, 0.0); }
        case 1u: { r = select(p.slope * v, v, v > 0.0); }
        case 2u: { r = 0.5 * v * (1.0 + safe_tanh(0.7978845608 * (v + 0.044715 * v * v * v))); }
        case 3u: { r = v / (1.0 + exp(-v)); }
        case 4u: { r = 1.0 / (1.0 + exp(-v)); }
        case 5u: { r = safe_tanh(v); }
        default: { r = exp(v); }
    }
    out[i] = r;
}
