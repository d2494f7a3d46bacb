// respite - the browser half of tests/integration/agentpage.sh.
//
// Drives Debian's chromium (headless) through playwright-core against a
// running respited and prints one line per check for agentpage.sh to
// turn into TAP: "PASS<TAB>description" or "FAIL<TAB>description<TAB>why".
//
// Environment: BASE (http://127.0.0.1:PORT), WEB_CACHE (where
// node_modules/playwright-core is), CHROMIUM, TMPD (scratch), SHOT_DIR
// (screenshots), SYNC (handshakes with agentpage.sh, which owns the
// daemon), SLOW (multiplier for every bound), T_ALICE (agent:alice),
// T_ADMIN, T_INGEST.
import path from 'node:path';
import { env, BASE, SLOW, fail, check, until, api, ask,
    launched, launch as launchBrowser } from './browser-lib.mjs';

const events = (evs) => api('/v1/events', { method: 'POST', body: evs,
    token: env.T_INGEST });
const admin = (p, o) => api(p, Object.assign({ token: env.T_ADMIN }, o));

// A phone-sized page; a refused token's 401 and a stopped respited are
// meant, so failed loads are no errors here.
const launch = (locale, grant) => launchBrowser(locale, { grant,
    viewport: { width: 760, height: 900 }, loadErrorsOk: true });

const state = (page) => page.evaluate(() => window.respiteAgent.state());
// The notifications the page's service worker holds (shown, not closed).
const shown = (page) => page.evaluate(async () => {
	const r = await navigator.serviceWorker.getRegistration('/agent');
	if (!r)
		return [];
	return (await r.getNotifications()).map((n) => ({ title: n.title,
	    body: n.body, tag: n.tag, actions: (n.actions || [])
	    .map((a) => a.action) }));
});
const cards = (page) => page.$$eval('#suggs li', (lis) => lis.map((li) => ({
	id: li.dataset.id,
	title: li.querySelector('h3').textContent,
	buttons: [...li.querySelectorAll('button')].map((b) =>
	    b.dataset.action + ':' + b.textContent)
})));

async function openSuggestion(agent) {
	const r = await admin('/v1/suggestions?agent=' + agent + '&status=open');
	return r.body && r.body.suggestions.find((s) => s.audience === 'agent');
}

async function main() {
	// ---- a wrong token
	let page = await launch('en-US', true);
	await page.goto(BASE + '/agent#token=rsp_not-a-token');
	const err = await until(async () => {
		const s = await state(page);
		return s.error === 'token_refused' &&
		    await page.isVisible('#login') &&
		    await page.textContent('#login-why');
	});
	check(err && /not accepted/.test(err),
	    'a wrong token: the sign-in form says it was not accepted', err);
	check(!page.url().includes('#') && !page.url().includes('token'),
	    'the fragment is taken out of the address bar', page.url());
	check(await page.evaluate(() => sessionStorage.getItem('respite.token')) ===
	    null, 'a refused token is not kept');

	// ---- the right one, in the fragment
	await page.goto(BASE + '/agent?minute_ms=1000#token=' + env.T_ALICE);
	let s = await until(async () => {
		const x = await state(page);
		return x.ready && x.agent === 'alice' && x.status === 'working' &&
		    x.worker && x;
	}, 20000);
	check(s, 'the page signs in as alice (GET /v1/me), alice is working, ' +
	    'the service worker is active', JSON.stringify(s));
	// Its offline shell (agent-sw.js SHELL) holds every script and style
	// the page loads: common.js and common.css too (agent.js cannot run
	// without common.js).
	const shell = await page.evaluate(async () => {
		const want = [...document.querySelectorAll('script[src], ' +
		    'link[rel=stylesheet]')].map((e) =>
		    new URL(e.src || e.href).pathname);
		const have = [];
		for (const k of await caches.keys())
			for (const r of await (await caches.open(k)).keys())
				have.push(new URL(r.url).pathname);
		return { want: want, missing: want.filter((p) =>
		    !have.includes(p)) };
	});
	check(shell.want.includes('/common.js') &&
	    shell.want.includes('/common.css') && shell.missing.length === 0,
	    'the offline shell holds the page\'s scripts and styles (' +
	    shell.want.join(', ') + ')', JSON.stringify(shell));
	check(page.url() === BASE + '/agent?minute_ms=1000',
	    'the token is not left in the address bar', page.url());
	check(await page.evaluate(() => sessionStorage.getItem('respite.token')) ===
	    env.T_ALICE, 'the token is kept in sessionStorage (this tab)');

	// ---- stay signed in on this computer (for the installed app)
	check(await page.isVisible('#keep') && !(await page.isChecked('#keep')) &&
	    await page.evaluate(() => localStorage.getItem('respite.token')) ===
	    null, 'by default the token is kept in this tab only');
	let tab = await page.ctx.newPage();
	await tab.goto(BASE + '/agent');
	check(await until(async () => (await state(tab)).error ===
	    'token_needed' && await tab.isVisible('#login')),
	    'so a new window of the same browser (the installed app) asks ' +
	    'for the token');
	await tab.close();
	await page.check('#keep');
	check(await page.evaluate(() => localStorage.getItem('respite.token')) ===
	    env.T_ALICE && /kept on this computer/.test(
	    await page.textContent('#mode')),
	    '"Stay signed in on this computer" keeps it in localStorage and ' +
	    'says so', await page.textContent('#mode'));
	tab = await page.ctx.newPage();
	await tab.goto(BASE + '/agent');
	check(await until(async () => {
		const x = await state(tab);
		return x.ready && x.agent === 'alice';
	}, 20000), '... and a new window then signs in as alice by itself');
	await tab.close();
	check(await page.isHidden('#notif'),
	    'notifications granted: no notice about them');
	check(await page.isVisible('#me') &&
	    /Strain \d+ of 100: (ok|elevated|high|critical)\. respite sees you as working/.test(await page.textContent('#me-state')),
	    'alice sees her own strain', await page.textContent('#me-state'));

	// ---- a hostile message raises a notification
	const r1 = await events([{ type: 'message.flagged', agent: 'alice',
	    channel: 'chat', severity: 0.95, categories: ['insult'] }]);
	check(r1.status === 202, 'a hostile message for alice is accepted',
	    JSON.stringify(r1));
	const sg = await until(() => openSuggestion('alice'));
	check(sg && sg.kind === 'recovery_break' && sg.snoozes_left === 1,
	    'respited raises a recovery break with one snooze left',
	    JSON.stringify(sg));
	// The worker's list of shown notifications is the proof; now and then
	// headless Chromium leaves the first one of a fresh profile out of it
	// although showNotification() resolved (which it does once the
	// notification is shown), so that counts too, and the actions are
	// then read on the next one (below).
	const n1 = await until(async () => {
		const l = await shown(page);
		return l.find((n) => n.tag === sg.id);
	}, 20000);
	const st1 = await state(page);
	const viaWorker = st1.notified.some((x) => x.id === sg.id &&
	    x.how === 'worker') && !st1.closed.includes(sg.id);
	check((n1 && /break/.test(n1.title) && /hostile/.test(n1.body)) ||
	    (!n1 && viaWorker),
	    'a notification for it is shown through the service worker' +
	    (n1 ? '' : ' (showNotification() resolved)'),
	    JSON.stringify(n1) + ' ' + JSON.stringify(await state(page)));
	const maxActions = await page.evaluate(() => Notification.maxActions);
	// The worker's notification, else what the page gave
	// showNotification().
	const acts1 = n1 ? n1.actions : ((st1.notified.find((x) =>
	    x.id === sg.id) || {}).actions || []);
	check(acts1.join() === ['start', 'snooze', 'dismiss']
	    .slice(0, maxActions).join(),
	    'with the actions Start break, Snooze, Dismiss (as many as ' +
	    'the browser shows: ' + maxActions + ')' + (n1 ? '' :
	    ' (as given to showNotification())'), JSON.stringify(n1 || st1));
	let cs = await until(async () => {
		const c = await cards(page);
		return c.length === 1 && c[0].id === sg.id && c;
	});
	check(cs && cs[0].buttons.join() ===
	    'start:Start break,snooze:Snooze,dismiss:Dismiss',
	    'the page lists it with Start break, Snooze, Dismiss',
	    JSON.stringify(cs));
	check(await page.title() === '(1) respite',
	    'the title counts it', await page.title());

	// ---- Snooze, within respited's limit (snooze_max_times = 1)
	await page.click('#suggs li button[data-action="snooze"]');
	let a = await until(async () => {
		const x = (await admin('/v1/suggestions?agent=alice')).body
		    .suggestions.find((y) => y.id === sg.id);
		return x.status === 'snoozed' && x;
	});
	check(a && a.snoozes === 1 && a.snoozes_left === 0,
	    'Snooze on the page snoozes it in respited', JSON.stringify(a));
	check(await until(async () => (await cards(page)).length === 0 &&
	    !(await shown(page)).some((n) => n.tag === sg.id)),
	    'the snoozed suggestion leaves the page and its notification closes');
	// Its snooze ends (1 min) on event time: an event 90 s ahead.
	const r2 = await events([{ type: 'ticket.assigned', agent: 'alice',
	    channel: 'email', ticket: 'e-1', ts: Date.now() + 90000 }]);
	check(r2.status === 202, 'an event after the snooze', JSON.stringify(r2));
	cs = await until(async () => {
		const c = await cards(page);
		return c.length === 1 && c[0].id === sg.id && c;
	});
	check(cs && cs[0].buttons.join() === 'start:Start break,dismiss:Dismiss',
	    'it comes back without Snooze (the limit is reached)',
	    JSON.stringify(cs));
	const n2 = await until(async () =>
	    (await shown(page)).find((n) => n.tag === sg.id));
	check(n2 && n2.actions.join() === ['start', 'dismiss']
	    .slice(0, maxActions).join(),
	    'its new notification has no Snooze either', JSON.stringify(n2));
	s = await state(page);
	check(s.notified.filter((x) => x.id === sg.id).length === 2,
	    'one notification for each open version (2), never twice',
	    JSON.stringify(s.notified));
	const r3 = await api('/v1/suggestions/' + sg.id, { method: 'POST',
	    body: { action: 'snooze' }, token: env.T_ALICE });
	check(r3.status === 409, 'respited refuses a second snooze (409)',
	    JSON.stringify(r3));

	// ---- Start break
	await page.click('#suggs li button[data-action="start"]');
	a = await until(async () => {
		const x = (await admin('/v1/suggestions?agent=alice')).body
		    .suggestions.find((y) => y.id === sg.id);
		return x.status === 'accepted' && x;
	});
	check(a, 'Start break on the page accepts the suggestion',
	    JSON.stringify(await state(page)) + ' banner: ' +
	    await page.textContent('#banner') + ' api: ' + JSON.stringify(
	    (await admin('/v1/suggestions?agent=alice')).body));
	const onBreak = await until(async () =>
	    (await admin('/v1/agents/alice')).body.status === 'on_break');
	check(onBreak, 'alice is on_break');
	const cd = await until(async () => (await state(page)).countdown &&
	    await page.isVisible('#break') &&
	    await page.textContent('#break-left'));
	check(cd && /left/.test(cd), 'the page shows the countdown', cd);
	check(await page.title() === 'respite', 'quiet time: the title counts nothing',
	    await page.title());
	// minute_ms=1000: the break of sg.minutes "minutes" lasts seconds.
	const wb = await until(async () => (await state(page)).welcome > 0 &&
	    await page.isVisible('#welcome') &&
	    await page.textContent('#welcome'), (sg.minutes + 15) * 1000);
	check(wb && /Welcome back/.test(wb),
	    'at the end of the countdown: "Welcome back"', wb);
	check(await until(async () =>
	    (await admin('/v1/agents/alice')).body.status === 'working'),
	    'and the page ended the break in respited (alice is working)');

	// ---- respited restarts: the page resumes
	const before = (await state(page)).lastEventId;
	await ask('stop');
	check(await until(async () => /Offline|Reconnecting/.test(
	    await page.textContent('#conn-text')), 20000),
	    'respited stopped: the page says it is reconnecting',
	    await page.textContent('#conn-text'));
	await ask('start');
	check(await until(async () =>
	    await page.textContent('#conn-text') === 'Live', 40000),
	    'respited back: the page is live again',
	    await page.textContent('#conn-text'));
	await events([{ type: 'message.flagged', agent: 'alice',
	    channel: 'phone', severity: 0.97, categories: ['threat'] }]);
	const sg2 = await until(() => openSuggestion('alice'));
	check(sg2 && sg2.id !== sg.id, 'a new hostile message raises a new suggestion',
	    JSON.stringify(sg2));
	// The worker's list again, or (the quirk above, seen once in some
	// twenty runs after the restart) showNotification() resolved.
	const n3 = await until(async () => sg2 &&
	    (await shown(page)).find((n) => n.tag === sg2.id), 20000);
	const st3 = await state(page);
	const viaWorker3 = sg2 && st3.notified.some((x) => x.id === sg2.id &&
	    x.how === 'worker') && !st3.closed.includes(sg2.id);
	check(n3 || viaWorker3, 'after the restart its notification is ' +
	    'raised on the same page' + (n3 ? '' :
	    ' (showNotification() resolved)'), JSON.stringify(st3));
	s = await state(page);
	check(before !== null && Number(s.lastEventId) > Number(before),
	    'the stream resumed (Last-Event-ID ' + before + ' -> ' +
	    s.lastEventId + ')');
	const days = (await api('/v1/agents/alice/days', { token: env.T_ALICE }))
	    .body;
	if (days && days.days && days.days.length > 0)
		check(await until(async () => await page.isVisible('#week') &&
		    await page.$$eval('#week-table tbody tr', (r) => r.length) ===
		    Math.min(7, days.days.length)),
		    'the week: a row for each day of /v1/agents/alice/days');
	else
		check(await page.isHidden('#week'),
		    'no days in /v1/agents/alice/days: no week shown');
	check(page.errors.length === 0, 'no script errors on the page',
	    page.errors.join(' | '));
	await page.screenshot({ path: path.join(env.SHOT_DIR, 'web-agent.png'),
	    fullPage: true });

	// ---- notifications denied, in German
	const de = await launch('de-DE', false);
	const cdp = await de.ctx.newCDPSession(de);
	try {
		await cdp.send('Browser.setPermission', { permission:
		    { name: 'notifications' }, setting: 'denied', origin: BASE });
	} catch (e) {
		fail('notifications denied through CDP', String(e));
	}
	await de.goto(BASE + '/agent#token=' + env.T_ALICE);
	s = await until(async () => {
		const x = await state(de);
		return x.ready && x.permission === 'denied' && x;
	}, 20000);
	check(s && s.lang === 'de', 'a German browser, notifications denied',
	    JSON.stringify(s));
	const nt = await until(async () => await de.isVisible('#notif') &&
	    await de.textContent('#notif-text'));
	check(nt && /blockiert/.test(nt),
	    'the page says notifications are blocked', nt);
	cs = await until(async () => {
		const c = await cards(de);
		return c.length === 1 && c;
	});
	check(cs && sg2 && cs[0].id === sg2.id && cs[0].buttons.join() ===
	    'start:Pause starten,snooze:Später,dismiss:Verwerfen',
	    'and still lists the suggestion: Pause starten, Später, Verwerfen',
	    JSON.stringify(cs));
	check(await de.title() === '(1) respite', 'the title counts it',
	    await de.title());
	// A click on the notification's Dismiss button: the worker hands it
	// to the page, which answers (a real click needs a screen, so the
	// worker gets the event the browser would give it).
	const sw = page.ctx.serviceWorkers().find((w) =>
	    w.url().endsWith('/agent-sw.js'));
	const how = sw ? await sw.evaluate(async (a) => {
		const id = a.id;
		let ns = await self.registration.getNotifications({ tag: id });
		if (ns.length === 0 && a.listless) {
			// Shown but left out of the list (above): the same
			// notification again, as the page raises it.
			await self.registration.showNotification('respite',
			    { tag: id, data: { id: id, agent: 'alice' },
			    actions: [{ action: 'dismiss', title: 'Dismiss' }] });
			ns = await self.registration.getNotifications({ tag: id });
		}
		if (ns.length === 0)
			return 'no notification';
		try {
			self.dispatchEvent(new NotificationEvent('notificationclick',
			    { notification: ns[0], action: 'dismiss' }));
		} catch (e) {
			/* waitUntil() of an untrusted event: after the hand-over */
		}
		return 'clicked';
	}, { id: sg2.id, listless: !n3 }) : 'no service worker';
	check(how === 'clicked' && await until(async () => {
		const x = (await admin('/v1/suggestions?agent=alice')).body
		    .suggestions.find((y) => y.id === sg2.id);
		return x.status === 'dismissed';
	}), 'Dismiss on the notification: the worker hands it to the page, ' +
	    'which dismisses it in respited', how);
	check(await until(async () => (await cards(de)).length === 0),
	    'the German page drops it too');
	check(await until(async () => (await cards(page)).length === 0 &&
	    !(await shown(page)).some((n) => n.tag === sg2.id)),
	    'the first page drops it and its notification is closed');
	check(de.errors.length === 0, 'no script errors on the German page',
	    de.errors.join(' | '));

	// ---- no service worker (older Safari, some private windows): the
	// plain Notification API, and an admin token acting for ?agent=bob
	const pl = await launch('en-US', true);
	await pl.addInitScript(() => {
		delete Navigator.prototype.serviceWorker;
		window.plainShown = [];
		const N = window.Notification;
		window.Notification = class extends N {
			constructor(title, o) {
				super(title, o);
				window.plainShown.push({ title: title,
				    tag: o && o.tag, actions: o && o.actions });
			}
		};
	});
	await events([{ type: 'agent.login', agent: 'bob', team: 't1' }]);
	await pl.goto(BASE + '/agent?agent=bob#token=' + env.T_ADMIN);
	s = await until(async () => {
		const x = await state(pl);
		return x.ready && x.agent === 'bob' && x;
	}, 20000);
	check(s && !s.worker && !(await pl.evaluate(() =>
	    'serviceWorker' in navigator)),
	    'no service worker: an admin token with ?agent=bob shows bob',
	    JSON.stringify(s));
	await events([{ type: 'message.flagged', agent: 'bob', channel: 'chat',
	    severity: 0.95, categories: ['insult'] }]);
	const sb = await until(() => openSuggestion('bob'));
	const pn = await until(async () => sb && (await pl.evaluate(() =>
	    window.plainShown)).find((n) => n.tag === sb.id));
	check(pn && !pn.actions && /break/.test(pn.title),
	    'a new suggestion raises a plain notification (no buttons on it)',
	    JSON.stringify(pn) + ' ' + JSON.stringify(await state(pl)));
	cs = await until(async () => {
		const c = await cards(pl);
		return c.length === 1 && c;
	});
	check(cs && cs[0].buttons.join() ===
	    'start:Start break,snooze:Snooze,dismiss:Dismiss',
	    '... and the page has all three buttons', JSON.stringify(cs));
	check(pl.errors.length === 0, 'no script errors without a service worker',
	    pl.errors.join(' | '));

	// ---- the token revoked: a clear error, not a blank page
	await ask('revoke');
	const rv = await until(async () => await page.isVisible('#login') &&
	    await page.textContent('#login-why'), 20000);
	check(rv && /not accepted|revoked/.test(rv),
	    'the token revoked: the page says so and shows the form', rv);
	check(await page.evaluate(() => localStorage.getItem('respite.token') ===
	    null && sessionStorage.getItem('respite.token') === null),
	    '... and forgets the token, the one kept on this computer too');
}

try {
	await main();
} catch (e) {
	fail('agentpage.mjs', e.stack || String(e));
	process.exitCode = 1;
} finally {
	for (const c of launched)
		await c.close().catch(() => {});
}
