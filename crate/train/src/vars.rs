//! Trainable parameters: the core crate's models take their tensors from [`Params`]; here they come from candle
//! variables, so candle records gradients through the very code the browser runs.

use candle_core::{DType, Device, Tensor};
use candle_nn::{Init, VarMap};
use genscope_core::cpu::CpuBackend;
use genscope_core::nn::{HostWeights, Params};

/// Parameters as candle variables in a `VarMap` (PyTorch's default init: uniform ±1/√fan-in, zero biases).
pub struct VarParams<'a>(pub &'a VarMap);

impl Params<CpuBackend> for VarParams<'_> {
    fn param(
        &mut self,
        _: &CpuBackend,
        name: &str,
        shape: &[usize],
    ) -> genscope_core::Result<Tensor> {
        let init = if shape.len() == 1 {
            Init::Const(0.0)
        } else {
            let bound = 1.0 / (shape[1..].iter().product::<usize>() as f64).sqrt();
            Init::Uniform {
                lo: -bound,
                up: bound,
            }
        };
        self.0
            .get(shape, name, init, DType::F32, &Device::Cpu)
            .map_err(|e| genscope_core::Error::Backend(e.to_string()))
    }
}

/// Every variable of `varmap` as host weights (f32), ready to be written as safetensors.
pub fn host_weights(varmap: &VarMap) -> anyhow::Result<HostWeights> {
    let mut weights = HostWeights::new();
    for (name, var) in varmap.data().lock().expect("not poisoned").iter() {
        let tensor = var.as_tensor();
        weights.insert(
            name.clone(),
            tensor.dims().to_vec(),
            tensor.flatten_all()?.to_vec1::<f32>()?,
        )?;
    }
    Ok(weights)
}
