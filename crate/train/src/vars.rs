//! Trainable parameters: the core crate's models take their tensors from [`Params`]; here they come from candle
//! variables, so candle records gradients through the very code the browser runs.

use candle_core::{Device, Tensor, Var};
use candle_nn::VarMap;
use genscope_core::cpu::CpuBackend;
use genscope_core::nn::{HostWeights, Params};

use crate::noise::Noise;

/// How one parameter starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Init {
    /// Every element `value` (biases 0, norm gains 1).
    Const(f32),
    /// Uniform in ±`bound`.
    Uniform(f32),
    /// Normal with mean 0 and this standard deviation.
    Normal(f32),
}

/// PyTorch's default: uniform ±1/√fan-in for weights (fan-in = every dimension after the first), zero vectors.
pub fn fan_in_uniform(_name: &str, shape: &[usize]) -> Init {
    if shape.len() == 1 {
        Init::Const(0.0)
    } else {
        Init::Uniform(1.0 / (shape[1..].iter().product::<usize>() as f32).sqrt())
    }
}

/// Parameters as candle variables in a `VarMap`, initialised by `rule` from a seeded stream (in the order the
/// model asks for them, which the model code fixes), so the same seed gives the same starting weights.
pub struct VarParams<'a> {
    vars: &'a VarMap,
    noise: Noise,
    rule: fn(&str, &[usize]) -> Init,
}

impl<'a> VarParams<'a> {
    /// Variables in `vars`, new ones drawn by `rule` from `seed`.
    pub fn new(vars: &'a VarMap, seed: u64, rule: fn(&str, &[usize]) -> Init) -> Self {
        VarParams {
            vars,
            noise: Noise::new(seed),
            rule,
        }
    }
}

impl Params<CpuBackend> for VarParams<'_> {
    fn param(
        &mut self,
        _: &CpuBackend,
        name: &str,
        shape: &[usize],
    ) -> genscope_core::Result<Tensor> {
        let backend = |e: candle_core::Error| genscope_core::Error::Backend(e.to_string());
        let mut vars = self.vars.data().lock().expect("not poisoned");
        if let Some(existing) = vars.get(name) {
            let tensor = existing.as_tensor();
            if tensor.dims() != shape {
                return Err(genscope_core::Error::Backend(format!(
                    "{name}: asked for {shape:?}, the variable is {:?}",
                    tensor.dims()
                )));
            }
            return Ok(tensor.clone());
        }
        let initial = match (self.rule)(name, shape) {
            Init::Const(value) => Tensor::full(value, shape, &Device::Cpu),
            Init::Uniform(bound) => self.noise.uniform(shape, -bound, bound),
            Init::Normal(std) => self.noise.normal(shape).and_then(|t| t * f64::from(std)),
        }
        .map_err(backend)?;
        let var = Var::from_tensor(&initial).map_err(backend)?;
        let tensor = var.as_tensor().clone();
        vars.insert(name.to_string(), var);
        Ok(tensor)
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
