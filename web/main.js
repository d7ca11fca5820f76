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
// this page fetched before the worker controlled it (the model it is showing), so that is cached too; and, until it
// controls the page, whatever the page fetches meanwhile (a fetch that raced the worker's activation).
if ('serviceWorker' in navigator) {
  const sameOrigin = (entries) => entries
    .map((entry) => entry.name)
    .filter((url) => new URL(url).origin === location.origin);
  navigator.serviceWorker.register('./sw.js').then(() => navigator.serviceWorker.ready).then((registration) => {
    registration.active.postMessage({ cache: sameOrigin(performance.getEntriesByType('resource')) });
    const late = new PerformanceObserver((list) => {
      const urls = sameOrigin(list.getEntries());
      if (urls.length > 0 && registration.active) {
        registration.active.postMessage({ cache: urls });
      }
      if (navigator.serviceWorker.controller) {
        late.disconnect();
      }
    });
    late.observe({ type: 'resource' });
  }).catch((error) => console.warn('genscope works without offline support here:', error));
}
