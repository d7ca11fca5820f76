// out[m, n] = a[m, k] · B + bias, where B is b[k, n], or b[n, k] read transposed (flags bit 0: a linear layer's
// weight in PyTorch's layout). flags bit 1: add bias[n]. 16x16 output tiles staged through workgroup memory.
struct Dims { m: u32, n: u32, k: u32, flags: u32 }

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> dims: Dims;

const TILE: u32 = 16u;
var<workgroup> tile_a: array<array<f32, 16>, 16>;
var<workgroup> tile_b: array<array<f32, 16>, 16>;

fn load_b(kk: u32, col: u32) -> f32 {
    if (kk >= dims.k || col >= dims.n) {
        return 0.0;
    }
    if ((dims.flags & 1u) != 0u) {
        return b[col * dims.k + kk];
    }
    return b[kk * dims.n + col];
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let row = wg.y * TILE + lid.y;
    let col = wg.x * TILE + lid.x;
    var acc = 0.0;
    let tiles = (dims.k + TILE - 1u) / TILE;
    for (var t = 0u; t < tiles; t++) {
        let ka = t * TILE + lid.x;
        var va = 0.0;
        if (row < dims.m && ka < dims.k) {
            va = a[row * dims.k + ka];
        }
        tile_a[lid.y][lid.x] = va;
        // Tile b is loaded so that the thread at (y, x) fetches B[t*16 + y, col(x)].
        tile_b[lid.y][lid.x] = load_b(t * TILE + lid.y, wg.x * TILE + lid.x);
        workgroupBarrier();
        for (var i = 0u; i < TILE; i++) {
            acc += tile_a[lid.y][i] * tile_b[i][lid.x];
        }
        workgroupBarrier();
    }
    if (row < dims.m && col < dims.n) {
        if ((dims.flags & 2u) != 0u) {
            acc += bias[col];
        }
        out[row * dims.n + col] = acc;
    }
}
