//! Dispatch geometry shared by all kernels.

/// WebGPU's guaranteed limit on workgroups in one dimension of a dispatch.
pub const MAX_WORKGROUPS_PER_DIM: u32 = 65_535;

/// Lays `groups` workgroups out as an (x, y) grid that stays within [`MAX_WORKGROUPS_PER_DIM`] per dimension.
///
/// Kernels recover the linear workgroup index as `id.x + id.y * num_workgroups.x`; the last row may overshoot
/// `groups`, so kernels bounds-check their element index.
pub fn workgroup_grid(groups: u32) -> (u32, u32) {
    if groups <= MAX_WORKGROUPS_PER_DIM {
        (groups.max(1), 1)
    } else {
        let rows = groups.div_ceil(MAX_WORKGROUPS_PER_DIM);
        (groups.div_ceil(rows), rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_covers_every_group_within_limits() {
        for groups in [0, 1, 255, 65_535, 65_536, 1_000_000, 70_000_000] {
            let (x, y) = workgroup_grid(groups);
            assert!(x <= MAX_WORKGROUPS_PER_DIM && y <= MAX_WORKGROUPS_PER_DIM);
            assert!(u64::from(x) * u64::from(y) >= u64::from(groups), "{groups}");
            // No more than one spare row.
            assert!(
                u64::from(x) * u64::from(y - 1) < u64::from(groups.max(1)),
                "{groups}"
            );
        }
    }
}
