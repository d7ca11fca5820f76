//! Where a model runs. On the automatic choice with a WebGPU adapter, a model loading for the first time on this
//! adapter and build is built on both backends and timed on its page's most frequent call ([`Work`]): one warm-up
//! each, then alternating runs until each has five or half a second has passed; a WebGPU run far slower than the
//! CPU's is not waited for. The faster copy is kept, the other dropped, and the result is stored so the next visit
//! builds only the winner. The CPU runs in the inference worker, so the page's thread only awaits messages and
//! WebGPU read-backs while it measures.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use futures_util::future::{select, Either};
use genscope_core::engine::{Op, Spec};
use genscope_core::nn::HostWeights;
use genscope_webgpu::GpuContext;

use crate::backend::BackendStatus;
use crate::calibration::{median, Calibration, Work};
use crate::engine::Model;
use crate::site::{SiteContext, BUILD};
use crate::worker::Remote;

/// Timed runs per backend at most, and the time budget for all of them (at least one each is always run).
const RUNS: usize = 5;
const BUDGET_MS: f64 = 500.0;
/// How long a WebGPU run is awaited: this many times the CPU's run, and never less than [`FLOOR_MS`] (the
/// warm-up, which compiles shaders, never less than [`WARM_UP_FLOOR_MS`]). A software adapter can take tens of
/// seconds for a GAN's grid; beyond the limit WebGPU has lost, and the page goes on without waiting for it.
const PATIENCE: f64 = 3.0;
const FLOOR_MS: f64 = 50.0;
const WARM_UP_FLOOR_MS: f64 = 2_000.0;

/// Builds `spec` (model `name`) from `weights` where the site's backend says: on the visitor's forced choice, on
/// the CPU without a device, and on the automatic choice where it was measured faster (measuring it now unless
/// this adapter and build already did). Reports each calibration through `site.calibrated`.
pub async fn load(
    site: &SiteContext,
    name: &str,
    spec: Spec,
    weights: HostWeights,
) -> Result<Model, String> {
    let (Some(gpu), BackendStatus::Auto(adapter)) = (&site.gpu, &site.backend) else {
        return Model::load(site.gpu.as_ref(), spec, weights).await;
    };
    let work = Work::of(&spec);
    let key = Calibration::key(&adapter.to_string(), name, work, BUILD);
    // A page may load the same model again before the first load has measured it (a link re-read, a retry):
    // the second waits for the first's result instead of timing both backends while they are busy.
    while IN_FLIGHT.with(|f| f.borrow().contains(&key)) {
        gloo::timers::future::TimeoutFuture::new(50).await;
    }
    if let Some(known) = Calibration::stored(&key) {
        let on = known.gpu_wins().then_some(gpu);
        site.calibrated.emit(known);
        return Model::load(on, spec, weights).await;
    }
    IN_FLIGHT.with(|f| f.borrow_mut().insert(key.clone()));
    let placed = calibrate(site, name, (spec, weights), (gpu, &key)).await;
    IN_FLIGHT.with(|f| f.borrow_mut().remove(&key));
    placed
}

thread_local! {
    /// The calibrations being measured, by storage key.
    static IN_FLIGHT: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
}

/// Builds `spec` on both backends, times it, stores and reports the result, and keeps the faster copy.
async fn calibrate(
    site: &SiteContext,
    name: &str,
    (spec, weights): (Spec, HostWeights),
    (gpu, key): (&Rc<GpuContext>, &str),
) -> Result<Model, String> {
    // The worker copies the weights it is sent, so the CPU copy needs no clone of them.
    let cpu = Remote::load(spec.clone(), &weights).await.map(Model::Cpu)?;
    let Ok(webgpu) = Model::load(Some(gpu), spec.clone(), weights).await else {
        // This model cannot be built on the device (its error would show if WebGPU were forced): the CPU it is.
        return Ok(cpu);
    };
    let webgpu = Rc::new(webgpu);
    let trial = Trial {
        name,
        work: Work::of(&spec),
        spec: &spec,
        cpu: &cpu,
        webgpu: &webgpu,
    };
    let Some(calibration) = trial.measure().await else {
        return Ok(cpu);
    };
    calibration.store(key, BUILD);
    let wins = calibration.gpu_wins();
    site.calibrated.emit(calibration);
    // Won, no cut-short run holds the GPU copy any more (a cut one means WebGPU lost).
    match (wins, Rc::try_unwrap(webgpu)) {
        (true, Ok(webgpu)) => Ok(webgpu),
        _ => Ok(cpu),
    }
}

/// One model's two copies and the work they are timed on.
struct Trial<'a> {
    name: &'a str,
    work: Work,
    spec: &'a Spec,
    cpu: &'a Model,
    webgpu: &'a Rc<Model>,
}

impl Trial<'_> {
    /// Times the work on both copies; `None` when either fails to run it.
    ///
    /// WebGPU warms up on one item of a batched work, so that a slow adapter compiles its shaders without
    /// queueing a whole batch. If that one item then takes longer than the CPU's whole batch, WebGPU cannot win
    /// (more work is never faster) and the batch is never sent to it: a software adapter would be busy for many
    /// seconds with it. Performance marks around the runs let a test check that nothing blocked the page's
    /// thread meanwhile.
    async fn measure(&self) -> Option<Calibration> {
        self.mark("start");
        let calibration = self.decide().await;
        self.mark("end");
        calibration
    }

    fn mark(&self, edge: &str) {
        if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
            let name = format!(
                "genscope-calibration {} {} {edge}",
                self.name,
                self.work.code()
            );
            let _ = p.mark(&name);
        }
    }

    /// The calibration from these times.
    fn result(&self, cpu_ms: f64, gpu_ms: f64, gpu_at_least: bool) -> Calibration {
        Calibration {
            model: self.name.to_string(),
            work: self.work,
            cpu_ms,
            gpu_ms,
            gpu_at_least,
        }
    }

    /// The `run`-th call, of the whole work or of its first item.
    fn call(&self, run: usize, one_item: bool) -> (Op, Vec<f32>) {
        self.work.call(self.spec, run, one_item)
    }

    /// [`Trial::measure`] between its marks.
    async fn decide(&self) -> Option<Calibration> {
        let batched = self.work.batched();
        // Warm-up: the CPU's whole work, and WebGPU's (one item of a batch).
        let cpu_ms = time(self.cpu, self.call(0, false)).await?;
        let limit = (PATIENCE * cpu_ms).max(WARM_UP_FLOOR_MS);
        match within(limit, self.webgpu, self.call(0, batched)).await {
            (Some(result), _) => result.ok()?,
            (None, waited) => return Some(self.result(cpu_ms, waited, true)),
        };
        if batched {
            let cpu_ms = time(self.cpu, self.call(1, false)).await?;
            let (probe_ms, cut) = time_within(cpu_ms, self.webgpu, self.call(1, true)).await?;
            if cut || probe_ms >= cpu_ms {
                return Some(self.result(cpu_ms, probe_ms, true));
            }
        }
        self.timed_runs().await
    }

    /// Up to [`RUNS`] alternating runs of the whole work on each backend within [`BUDGET_MS`] (at least one
    /// each).
    async fn timed_runs(&self) -> Option<Calibration> {
        let (mut cpu_ms, mut gpu_ms) = (Vec::new(), Vec::new());
        let start = now();
        let mut cut = false;
        for run in 1..=RUNS {
            let cpu_run = time(self.cpu, self.call(run, false)).await?;
            let gpu_run;
            (gpu_run, cut) = time_within(cpu_run, self.webgpu, self.call(run, false)).await?;
            cpu_ms.push(cpu_run);
            gpu_ms.push(gpu_run);
            if cut || now() - start > BUDGET_MS {
                break;
            }
        }
        // Cut short, WebGPU's figure is how long its last run was awaited.
        let gpu = if cut {
            gpu_ms.last().copied()?
        } else {
            median(&gpu_ms)
        };
        Some(self.result(median(&cpu_ms), gpu, cut))
    }
}

/// Milliseconds `model` takes for `call`; `None` when it fails.
async fn time(model: &Model, (op, input): (Op, Vec<f32>)) -> Option<f64> {
    let before = now();
    model.run(op, &input).await.ok()?;
    Some(now() - before)
}

/// Milliseconds WebGPU takes for `call`, awaited at most [`PATIENCE`] times the CPU's `cpu_ms` (at least
/// [`FLOOR_MS`]), and whether it was cut short there; `None` when it fails.
async fn time_within(cpu_ms: f64, webgpu: &Rc<Model>, call: (Op, Vec<f32>)) -> Option<(f64, bool)> {
    match within((PATIENCE * cpu_ms).max(FLOOR_MS), webgpu, call).await {
        (Some(result), waited) => result.ok().map(|_| (waited, false)),
        (None, waited) => Some((waited, true)),
    }
}

/// What [`within`] gives back: the run's result (`None` when it took longer) and the milliseconds waited.
type Waited = (Option<Result<Vec<Vec<f32>>, String>>, f64);

/// Runs `call` on `model`, awaited for at most `limit_ms`. A run cut short goes on by itself (it holds its own
/// handle on the model), so its buffers are not freed under a queued GPU command.
async fn within(limit_ms: f64, model: &Rc<Model>, (op, input): (Op, Vec<f32>)) -> Waited {
    let model = Rc::clone(model);
    let before = now();
    let run = Box::pin(async move { model.run(op, &input).await });
    let timer = gloo::timers::future::TimeoutFuture::new(limit_ms.ceil() as u32);
    match select(run, timer).await {
        Either::Left((result, _)) => (Some(result), now() - before),
        Either::Right(((), pending)) => {
            wasm_bindgen_futures::spawn_local(async move {
                let _ = pending.await;
            });
            (None, now() - before)
        }
    }
}

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}
