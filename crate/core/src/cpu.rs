//! The CPU backend: candle-core tensors. In the browser it runs as wasm (with SIMD); natively it is also the
//! trainer's backend, because candle records gradients through these very operations.

use candle_core::{DType, Device, Tensor};

use crate::backend::{
    check_upload, conv_dims, linear_dims, matmul_dims, Activation, Backend, Binary, Conv,
};
use crate::{Error, Result};

/// candle-core on the CPU.
#[derive(Clone, Debug, Default)]
pub struct CpuBackend;

impl From<candle_core::Error> for Error {
    fn from(e: candle_core::Error) -> Self {
        Error::Backend(e.to_string())
    }
}

impl Backend for CpuBackend {
    type Tensor = Tensor;

    fn name(&self) -> String {
        if cfg!(target_arch = "wasm32") {
            "wasm CPU".into()
        } else {
            "native CPU".into()
        }
    }

    fn upload(&self, data: &[f32], shape: &[usize]) -> Result<Tensor> {
        check_upload(data.len(), shape)?;
        Ok(Tensor::from_slice(data, shape, &Device::Cpu)?)
    }

    fn shape(&self, tensor: &Tensor) -> Vec<usize> {
        tensor.dims().to_vec()
    }

    async fn read(&self, tensor: &Tensor) -> Result<Vec<f32>> {
        Ok(tensor.to_dtype(DType::F32)?.flatten_all()?.to_vec1()?)
    }

    fn linear(&self, x: &Tensor, weight: &Tensor, bias: Option<&Tensor>) -> Result<Tensor> {
        linear_dims(x.dims(), weight.dims(), bias.map(Tensor::dims))?;
        // The transposed weight is a strided view: candle's gemm reads it without a copy.
        let y = x.matmul(&weight.t()?)?;
        Ok(match bias {
            Some(b) => y.broadcast_add(b)?,
            None => y,
        })
    }

    fn matmul(&self, a: &Tensor, b: &Tensor) -> Result<Tensor> {
        matmul_dims(a.dims(), b.dims())?;
        Ok(a.matmul(b)?)
    }

    fn activate(&self, x: &Tensor, activation: Activation) -> Result<Tensor> {
        Ok(match activation {
            Activation::Relu => x.relu()?,
            Activation::LeakyRelu(slope) => x.maximum(&(x * f64::from(slope))?)?,
            Activation::Gelu => x.gelu()?,
            Activation::Silu => x.silu()?,
            // Written with differentiable primitives so the trainer can backpropagate through it.
            Activation::Sigmoid => (x.neg()?.exp()? + 1.0)?.recip()?,
            Activation::Tanh => x.tanh()?,
            Activation::Exp => x.exp()?,
        })
    }

    fn binary(&self, a: &Tensor, b: &Tensor, op: Binary) -> Result<Tensor> {
        if a.dims() != b.dims() {
            return Err(Error::Shape(format!(
                "{op:?}: {:?} and {:?}",
                a.dims(),
                b.dims()
            )));
        }
        Ok(match op {
            Binary::Add => (a + b)?,
            Binary::Mul => (a * b)?,
        })
    }

    fn reshape(&self, x: &Tensor, shape: &[usize]) -> Result<Tensor> {
        check_upload(x.elem_count(), shape)?;
        Ok(x.reshape(shape)?)
    }

    fn conv2d(&self, x: &Tensor, weight: &Tensor, bias: &Tensor, conv: Conv) -> Result<Tensor> {
        let dims = conv_dims(x.dims(), weight.dims(), bias.dims(), conv, false)?;
        let y = x.conv2d(weight, conv.padding, conv.stride, 1, 1)?;
        Ok(y.broadcast_add(&bias.reshape((1, dims.out_channels, 1, 1))?)?)
    }

    fn conv_transpose2d(
        &self,
        x: &Tensor,
        weight: &Tensor,
        bias: &Tensor,
        conv: Conv,
    ) -> Result<Tensor> {
        let dims = conv_dims(x.dims(), weight.dims(), bias.dims(), conv, true)?;
        let y = x.conv_transpose2d(weight, conv.padding, 0, conv.stride, 1)?;
        Ok(y.broadcast_add(&bias.reshape((1, dims.out_channels, 1, 1))?)?)
    }
}
