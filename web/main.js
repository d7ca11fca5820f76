// Starts the wasm app. If it cannot even start (missing or corrupt wasm, old browser), say why instead of
// leaving a blank page. A Rust panic fills the same panel from the panic hook before the instance traps.
import init from '../pkg/genscope_app.js';

// Anything the Content-Security-Policy blocks is recorded, so the end-to-end tests can see that nothing was.
window.genscopeCspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.genscopeCspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});

const panel = document.getElementById('fatal');
document.getElementById('fatal-reload').addEventListener('click', () => location.reload());

try {
  await init();
} catch (error) {
  if (panel.hidden) {
    document.getElementById('fatal-message').textContent = `The app could not start: ${error}`;
    panel.hidden = false;
  }
}

// Offline support (web/sw.js, written into dist/ by `cargo xtask dist`). Once the worker is active it is told what
// this page fetched before the worker controlled it (the model it is showing), so that is cached too.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('./sw.js').then(() => navigator.serviceWorker.ready).then((registration) => {
    const fetched = performance.getEntriesByType('resource')
      .map((entry) => entry.name)
      .filter((url) => new URL(url).origin === location.origin);
    registration.active.postMessage({ cache: fetched });
  }).catch((error) => console.warn('genscope works without offline support here:', error));
}
