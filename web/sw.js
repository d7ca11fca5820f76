// genscope's service worker: after the first visit the site opens, and the models it has shown run, with no
// network. `cargo xtask dist` writes this file to dist/sw.js with VERSION (a digest of the build's files) and SHELL
// (the files every page needs: HTML, JS, wasm, CSS, the asset manifest and the model cards) filled in.
//
// - install: the shell goes into a cache named after VERSION.
// - activate: caches of other versions are deleted, so a new build replaces the old one completely.
// - fetch: same-origin GETs are answered from the cache; a miss goes to the network and is cached (model weights
//   and evaluation data are cached as pages use them, not all up front: they are most of the 25 MB).
// - message {cache: [urls]}: the page names what it fetched before this worker took control, so that is cached too.
const VERSION = '__GENSCOPE_VERSION__';
const SHELL = __GENSCOPE_SHELL__;
const CACHE = `genscope-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('genscope-') && name !== CACHE) {
        await caches.delete(name);
      }
    }
    await self.clients.claim();
  })());
});

function cacheable(request) {
  const url = new URL(request.url);
  return request.method === 'GET' && url.origin === self.location.origin && !url.pathname.endsWith('/sw.js');
}

async function answer(request) {
  const cache = await caches.open(CACHE);
  // Routes live in the hash, so every navigation is the one page; the query string never selects a file.
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) {
    return cached;
  }
  const response = await fetch(request);
  if (response.ok) {
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener('fetch', (event) => {
  if (cacheable(event.request)) {
    event.respondWith(answer(event.request));
  }
});

self.addEventListener('message', (event) => {
  const urls = (event.data && event.data.cache) || [];
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    for (const url of urls) {
      const request = new Request(url);
      if (cacheable(request) && !(await cache.match(request, { ignoreSearch: true }))) {
        try {
          const response = await fetch(request);
          if (response.ok) {
            await cache.put(request, response);
          }
        } catch (_) {
          // Offline already: it will be fetched the next time it is used online.
        }
      }
    }
    if (event.source) {
      event.source.postMessage({ cached: urls.length });
    }
  })());
});
