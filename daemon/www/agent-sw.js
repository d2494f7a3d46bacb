/*
 * respite – the agent page's service worker (scope /agent).
 *
 * Two jobs only:
 * - the offline shell: the page's own files (never an API reply: no data
 *   is kept beyond the session), network first so a new respited's page
 *   is seen at once, the copy only when respited cannot be reached;
 * - notification clicks: the page shows its notifications through this
 *   worker (registration.showNotification, with action buttons where the
 *   browser has them); a click focuses the page and hands it the action.
 *   The worker never sees the token: the page answers the suggestion.
 */
'use strict';

const CACHE = 'respite-agent-shell-1';
const SHELL = ['/agent', '/common.js', '/agent.js', '/common.css',
    '/agent.css', '/icon.svg', '/agent-192.png', '/agent.webmanifest'];

self.addEventListener('install', (e) => {
	e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL))
	    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
	e.waitUntil(caches.keys().then((keys) => Promise.all(keys
	    .filter((k) => k !== CACHE).map((k) => caches.delete(k))))
	    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (e) => {
	const u = new URL(e.request.url);
	if (e.request.method !== 'GET' || u.origin !== self.location.origin ||
	    !SHELL.includes(u.pathname))
		return;		/* the API and everything else: not ours */
	e.respondWith(fetch(e.request).then((res) => {
		if (res.ok) {
			const copy = res.clone();
			caches.open(CACHE).then((c) => c.put(u.pathname, copy));
		}
		return res;
	}).catch(() => caches.match(u.pathname).then((r) => r ||
	    Response.error())));
});

self.addEventListener('notificationclick', (e) => {
	const n = e.notification;
	const msg = { type: 'respite-notification', action: e.action || '',
	    id: (n.data && n.data.id) || n.tag };
	n.close();
	e.waitUntil(self.clients.matchAll({ type: 'window',
	    includeUncontrolled: true }).then((list) => {
		const mine = list.filter((c) =>
		    new URL(c.url).pathname === '/agent');
		if (mine.length === 0)
			return self.clients.openWindow('/agent');
		/* Each page knows its own suggestions and ignores the others'. */
		for (const c of mine)
			c.postMessage(msg);
		const c = mine.find((x) => x.focused) || mine[0];
		return c.focus().catch(() => c);
	}));
});
