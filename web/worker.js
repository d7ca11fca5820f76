// The inference worker: the site's own wasm, started a second time off the page's thread, runs the models on the
// wasm CPU so the page never waits for a forward pass (crate/app/src/worker.rs holds both ends of the protocol).
import init, { genscope_worker_start } from '../pkg/genscope_app.js';

try {
  await init();
  genscope_worker_start();
} catch (error) {
  // The page then runs the models on its own thread and says so in the console.
  self.postMessage([JSON.stringify({ Failed: String(error) }), new Float32Array(0)]);
}
