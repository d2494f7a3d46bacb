// respite - what the browser halves of web.sh and agentpage.sh share:
// the TAP-like output lines, polling, the API over fetch, the handshake
// with the shell script that owns the daemon, and Debian's chromium
// (headless) through playwright-core.
//
// Environment: BASE (http://127.0.0.1:PORT), WEB_CACHE (where
// node_modules/playwright-core is), CHROMIUM (/usr/bin/chromium), TMPD (a
// scratch directory), SYNC (a directory for the handshakes), SLOW
// (multiplier for every bound).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

export const env = process.env;
const require = createRequire(path.join(env.WEB_CACHE, 'package.json'));
const { chromium } = require('playwright-core');

export const BASE = env.BASE;
export const SLOW = Number(env.SLOW || 1);

// One line a check: "PASS<TAB>description" or "FAIL<TAB>description<TAB>why".
function line(kind, desc, why) {
	const clean = (s) => String(s === undefined ? '' : s)
	    .replace(/[\t\r\n]+/g, ' ').slice(0, 600);
	process.stdout.write(kind + '\t' + clean(desc) +
	    (why !== undefined ? '\t' + clean(why) : '') + '\n');
}
export const pass = (d) => line('PASS', d);
export const fail = (d, why) => line('FAIL', d,
    why === undefined ? 'failed' : why);
export const check = (cond, d, why) => (cond ? pass(d) : fail(d, why));
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// until(fn, ms): poll fn until it returns something truthy; null on timeout.
export async function until(fn, ms) {
	const end = Date.now() + (ms || 10000) * SLOW;
	for (;;) {
		try {
			const v = await fn();
			if (v)
				return v;
		} catch (e) {
			/* not yet */
		}
		if (Date.now() > end)
			return null;
		await sleep(100);
	}
}

// api(path, {method, token, body}): {status, body} (body null if not JSON).
export async function api(p, opts) {
	opts = opts || {};
	const headers = { Accept: 'application/json' };
	if (opts.token)
		headers.Authorization = 'Bearer ' + opts.token;
	let body;
	if (opts.body !== undefined) {
		headers['Content-Type'] = 'application/json';
		body = JSON.stringify(opts.body);
	}
	const r = await fetch(BASE + p, { method: opts.method || 'GET',
	    headers, body });
	let json = null;
	try {
		json = await r.json();
	} catch (e) {
		json = null;
	}
	return { status: r.status, body: json };
}

// Handshakes with the shell script, which owns the daemon: ask, then wait
// for done.
export async function ask(name) {
	fs.writeFileSync(path.join(env.SYNC, name), '');
	return until(() => fs.existsSync(path.join(env.SYNC, name + '.done')),
	    30000);
}

// launch(locale, {viewport, grant, loadErrorsOk}): a page of a fresh
// browser profile; page.errors collects console errors and page errors
// (loadErrorsOk: not "Failed to load resource", for a test that means a
// 401 or a stopped respited); grant: the notifications permission.
export const launched = [];
export async function launch(locale, opts) {
	opts = opts || {};
	const dir = fs.mkdtempSync(path.join(env.TMPD, 'chromium-'));
	const ctx = await chromium.launchPersistentContext(dir, {
		executablePath: env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu',
		    '--disable-quic', '--no-first-run',
		    '--disable-background-networking',
		    '--disable-component-update', '--disable-sync'],
		locale: locale,
		viewport: opts.viewport || { width: 1280, height: 720 },
		timeout: 60000 * SLOW
	});
	launched.push(ctx);
	if (opts.grant)
		await ctx.grantPermissions(['notifications'], { origin: BASE });
	const page = ctx.pages()[0] || await ctx.newPage();
	page.setDefaultTimeout(15000 * SLOW);
	page.errors = [];
	page.on('console', (m) => {
		if (m.type() === 'error' && !(opts.loadErrorsOk &&
		    m.text().startsWith('Failed to load resource')))
			page.errors.push(m.text());
	});
	page.on('pageerror', (e) => page.errors.push('pageerror: ' + e.message));
	page.ctx = ctx;
	return page;
}
