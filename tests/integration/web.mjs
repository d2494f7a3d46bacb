// respite - the browser half of tests/integration/web.sh.
//
// Drives Debian's chromium (headless) through playwright-core against a
// running respited and prints one line per check for web.sh to turn into
// TAP: "PASS<TAB>description" or "FAIL<TAB>description<TAB>why".
//
// usage: node web.mjs PHASE     (open, tokens or aggregate)
// Environment: BASE (http://127.0.0.1:PORT), WEB_CACHE (where
// node_modules/playwright-core is), CHROMIUM (/usr/bin/chromium), TMPD (a
// scratch directory), SHOT_DIR (where screenshots go), SYNC (a directory
// for handshakes with web.sh), SLOW (multiplier for every bound),
// END_MS (the shift's end, epoch ms), TOKEN_LEAD, TOKEN_AGENT,
// TOKEN_INGEST (phases tokens and aggregate), TEAM (team-a).
import fs from 'node:fs';
import path from 'node:path';
import { env, BASE, SLOW, pass, fail, check, until, api, ask,
    launched, launch } from './browser-lib.mjs';

const TEAM = env.TEAM || 'team-a';
const phase = process.argv[2];

// What the table shows: one object per row.
function rows(page) {
	return page.$$eval('#agents-body tr', (trs) => trs.map((tr) => {
		const td = tr.querySelectorAll('td');
		return {
			agent: tr.dataset.agent,
			level: tr.dataset.level,
			status: tr.dataset.status,
			levelText: (tr.querySelector('.lvl-text') || {}).textContent,
			strain: tr.querySelector('.strain .n').textContent,
			top: td[3] ? td[3].textContent : '',
			tickets: td[4] ? td[4].textContent : '',
			hostile: td[5] ? td[5].textContent : '',
			open: td[6] ? td[6].textContent : ''
		};
	}));
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const byAgent = (x, y) => (x.agent < y.agent ? -1 : x.agent > y.agent);

async function tableMatchesApi(page, token) {
	const want = (await api('/v1/agents?team=' + TEAM, { token })).body
	    .agents.map((a) => ({ agent: a.agent, level: a.level,
	    status: a.status })).sort(byAgent);
	const got = (await rows(page)).map((r) => ({ agent: r.agent,
	    level: r.level, status: r.status })).sort(byAgent);
	return same(want, got) ? { want, got } : null;
}

const FACTORS = ['intensity', 'occupancy', 'continuous', 'exposure'];
const FACTOR_EN = { intensity: 'intensity', occupancy: 'occupancy',
    continuous: 'continuous work', exposure: 'hostility' };

function topFactor(f) {
	let best = '–', max = 0;
	for (const k of FACTORS)
		if (f[k].points > max) {
			max = f[k].points;
			best = FACTOR_EN[k];
		}
	return best;
}

// What a weeks chart draws: [metric, part, date, value] for every bar.
function weekBars(page, sel) {
	return page.$$eval(sel + ' svg g.wk-row rect.wk-bar', (r) => r.map((x) =>
	    [x.closest('g').dataset.metric, x.classList.contains('wk-taken') ?
	    'taken' : x.classList.contains('wk-suggested') ? 'suggested' : '',
	    x.dataset.date, Number(x.dataset.value)]));
}

// The same from the API's days (resp), those before its last (today's,
// which moves on).
function wantBars(resp, metrics) {
	const out = [];
	for (const d of resp.days.filter((x) => x.date < resp.to))
		for (const m of metrics)
			if (m === 'breaks')
				out.push(['breaks', 'suggested', d.date,
				    d.suggestions.raised], ['breaks', 'taken', d.date,
				    d.suggestions.accepted]);
			else
				out.push([m, '', d.date, d[m]]);
	return out.sort();
}

// ---------------------------------------------------------------- phases

async function phaseOpen() {
	const page = await launch('en-US');
	await page.goto(BASE + '/#team=' + TEAM);
	const shown = await until(() => tableMatchesApi(page), 15000);
	check(shown, 'table: the agents of GET /v1/agents?team=' + TEAM +
	    ' with their levels and status', shown ? '' :
	    JSON.stringify(await rows(page)));
	const r0 = await rows(page);
	check(r0.length > 0 && r0.every((r) => r.levelText === r.level),
	    'table: each level is written out, not only a colour',
	    JSON.stringify(r0.map((r) => [r.level, r.levelText])));

	// The columns that come from GET /v1/agents/{id}.
	const cols = await until(async () => {
		const got = await rows(page);
		if (got.some((r) => r.open === '…' || r.top === '…'))
			return null;
		for (const r of got) {
			const d = (await api('/v1/agents/' + r.agent)).body;
			/*
			 * Strain drifts with the clock between the page's
			 * last refresh and this read: allow 3 points, and a
			 * different top factor only when the strain moved.
			 */
			const drift = Math.abs(Number(r.strain) - d.strain);
			if ((r.top !== topFactor(d.factors) && drift === 0) ||
			    r.tickets !== String(d.metrics.open_tickets) ||
			    r.hostile !== String(d.metrics.hostile_last_hour) ||
			    r.open !== String(d.open_suggestions.length) ||
			    drift > 3)
				return null;
		}
		return got;
	}, 15000);
	check(cols, 'table: top factor, open tickets, hostile (1 h), open ' +
	    'suggestions and strain as GET /v1/agents/{id} says',
	    JSON.stringify(await rows(page)));

	const team = (await api('/v1/teams/' + TEAM)).body;
	const figs = await page.textContent('#figures');
	check(figs.includes(String(team.agents)) &&
	    figs.includes(String(team.open_tickets)),
	    'team figures: agents and open tickets of GET /v1/teams/' + TEAM, figs);

	// Lead suggestions: the open ones, with buttons.
	const lead = (await api('/v1/suggestions?team=' + TEAM +
	    '&audience=lead&status=open')).body.suggestions;
	const leadIds = await until(async () => {
		const ids = await page.$$eval('#lead-open li', (l) =>
		    l.map((x) => x.dataset.id));
		return same(ids.sort(), lead.map((s) => s.id).sort()) &&
		    ids.length > 0 ? ids : null;
	}, 10000);
	check(leadIds, 'lead suggestions: the open ones of the team (' +
	    lead.map((s) => s.kind + ' ' + s.id).join(', ') + ')');
	const btns = await page.$$eval('#lead-open li:first-child button',
	    (b) => b.map((x) => x.tagName + ' ' + x.textContent));
	check(same(btns, ['BUTTON Accept', 'BUTTON Dismiss']),
	    'lead suggestions: real Accept and Dismiss buttons', btns.join(','));

	// Sorting, by mouse and by keyboard.
	// (The table is redrawn on the next animation frame: poll.)
	await page.click('#agents-head button[data-key="agent"]');
	let ids = [];
	check(await until(async () => {
		ids = (await rows(page)).map((r) => r.agent);
		return same(ids, [...ids].sort((a, b) => a.localeCompare(b, 'en'))) &&
		    await page.getAttribute('#agents-head th:nth-child(1)',
		    'aria-sort') === 'ascending';
	}, 5000), 'sort: a click on Agent sorts by name (aria-sort ascending)',
	    ids.join(' '));
	await page.focus('#agents-head button[data-key="strain"]');
	await page.keyboard.press('Enter');
	let strains = [];
	check(await until(async () => {
		strains = (await rows(page)).map((r) => Number(r.strain));
		return same(strains, [...strains].sort((a, b) => b - a)) &&
		    await page.getAttribute('#agents-head th:nth-child(4)',
		    'aria-sort') === 'descending';
	}, 5000), 'sort: Enter on Strain sorts by strain, highest first',
	    strains.join(' '));

	// Agent detail by keyboard: the chart, the suggestions.
	const list = (await api('/v1/agents?team=' + TEAM)).body.agents;
	const sim = list.filter((a) => a.agent.startsWith('agent-'));
	const who = sim.reduce((m, a) => (a.strain > m.strain ? a : m), sim[0]).agent;
	await page.focus('button[data-agent="' + who + '"]');
	await page.keyboard.press('Enter');
	await page.waitForSelector('#detail:not([hidden])');
	check(await page.evaluate(() => document.activeElement.id) === 'detail-h',
	    'detail: opened with Enter, focus on its heading');
	const drawn = await until(async () => {
		const n = await page.$$eval('#chart svg path.area', (p) => p.length);
		const l = await page.$$eval('#chart svg polyline.strain-line',
		    (p) => p.length);
		return n === 4 && l === 1;
	}, 10000);
	check(drawn, 'detail: an SVG chart with the four factors stacked and ' +
	    'the strain line');
	const from = new Date(Date.now() - 12 * 3600e3).toISOString();
	const hist = (await api('/v1/agents/' + who + '/history?step=900&from=' +
	    encodeURIComponent(from))).body;
	const trs = await page.$$eval('#chart-table tbody tr', (x) => x.length);
	check(Math.abs(trs - hist.buckets.length) <= 1,
	    'detail: the chart has the buckets of /v1/agents/{id}/history (' +
	    hist.buckets.length + ')', 'page ' + trs);
	const sug = (await api('/v1/suggestions?agent=' + who + '&limit=100&since=' +
	    encodeURIComponent(new Date(Date.now() - 11.9 * 3600e3)
	    .toISOString()))).body.suggestions;
	const shownSugg = await until(async () => {
		const got = await page.$$eval('#detail-suggs li', (l) =>
		    l.map((x) => x.dataset.id + ' ' + x.querySelector('.sstatus')
		    .textContent));
		return sug.every((s) => got.some((g) => g.startsWith(s.id + ' '))) ?
		    got : null;
	}, 10000);
	check(shownSugg, 'detail: the suggestions of the shift (' + sug.length +
	    ') and how they were answered', JSON.stringify(sug.map((s) => s.id)));

	// The README's picture: a little taller than 1280x720, so that the
	// lead's suggestion under the table is in it too.
	if (env.SHOT_DIR) {
		await page.setViewportSize({ width: 1280, height: 860 });
		await page.mouse.move(0, 0);
		await page.waitForTimeout(500);
		await page.screenshot({ path: path.join(env.SHOT_DIR,
		    'web-team.png') });
		await page.setViewportSize({ width: 1280, height: 720 });
		pass('screenshot: ' + path.join(env.SHOT_DIR, 'web-team.png'));
	}

	await page.keyboard.press('Escape');
	check(await until(async () => await page.isHidden('#detail') &&
	    await page.evaluate(() => document.activeElement.dataset.agent), 5000)
	    === who, 'detail: Escape closes it and gives focus back to the row');

	// Live: a break and hostile messages change rows without a reload.
	await page.evaluate(() => { window.__sameDocument = 1; });
	const brk = list.find((a) => a.status === 'working' && a.agent !== who &&
	    a.agent.startsWith('agent-')).agent;
	fs.writeFileSync(path.join(env.SYNC, 'break-agent'), brk);
	const rb = await api('/v1/agents/' + brk + '/break', { method: 'POST',
	    body: { action: 'start' } });
	check(rb.status === 200, 'live: POST /v1/agents/' + brk + '/break start',
	    JSON.stringify(rb));
	const onBreak = await until(() => page.$eval('#agents-body tr[data-agent="' +
	    brk + '"]', (tr) => tr.dataset.status === 'on_break' &&
	    tr.textContent.includes('on a break')), 10000);
	check(onBreak, 'live: the row of ' + brk + ' says "on a break" at once');
	check(await page.evaluate(() => window.__sameDocument === 1),
	    'live: without reloading the page');
	const said = await until(() => page.$eval('#announce', (a, id) =>
	    a.textContent.includes(id) ? a.textContent : null, brk), 5000);
	check(said, 'live: told to screen readers too (aria-live)',
	    await page.textContent('#announce'));

	const hostile = 'ok4';
	const end = Number(env.END_MS);
	const evs = [1, 2, 3].map((i) => ({ id: 'web-flag-' + i,
	    type: 'message.flagged', agent: hostile, channel: 'chat',
	    severity: 0.95, categories: ['insult'], ts: end }));
	const re = await api('/v1/events', { method: 'POST', body: evs });
	check(re.status === 202, 'live: three hostile messages for ' + hostile,
	    JSON.stringify(re));
	const hz = await until(async () => {
		const d = (await api('/v1/agents/' + hostile)).body;
		const r = (await rows(page)).find((x) => x.agent === hostile);
		return d.metrics.hostile_last_hour >= 3 &&
		    r.hostile === String(d.metrics.hostile_last_hour) &&
		    r.open === String(d.open_suggestions.length) ? r : null;
	}, 15000);
	check(hz, 'live: the row of ' + hostile + ' shows the hostile messages ' +
	    'and the recovery break it raised', JSON.stringify(
	    (await rows(page)).find((x) => x.agent === hostile)));

	// Accepting a lead suggestion.
	if (lead.length > 0) {
		const sid = lead[0].id;
		await page.click('#lead-open li[data-id="' + sid +
		    '"] button[data-action="accept"]');
		const st = await until(async () => {
			const all = (await api('/v1/suggestions?team=' + TEAM +
			    '&audience=lead')).body.suggestions;
			const s = all.find((x) => x.id === sid);
			return s && s.status === 'accepted' ? s : null;
		}, 10000);
		check(st, 'accept: ' + sid + ' is accepted in GET /v1/suggestions');
		const moved = await until(() => page.$eval('#lead-earlier li[data-id="' +
		    sid + '"]', (li) => li.classList.contains('sugg-accepted') &&
		    li.textContent.includes('accepted')), 5000);
		check(moved, 'accept: the page lists it as accepted, without buttons');
	} else
		fail('accept: an open lead suggestion to accept', 'none raised');

	// Weeks: hi's lead has a wellbeing_check with a link to hi's weeks.
	const wb = lead.find((s) => s.kind === 'wellbeing_check' &&
	    s.agent === 'hi');
	check(wb, 'weeks: an open wellbeing_check for hi among the lead ' +
	    'suggestions', JSON.stringify(lead.map((s) => s.kind)));
	const link = '#lead-open li[data-id="' + (wb ? wb.id : '') +
	    '"] button[data-action="weeks"]';
	check(wb && await until(() => page.$(link), 5000),
	    'weeks: the wellbeing_check links to the agent\'s weeks');
	if (wb)
		await page.click(link);
	else
		await page.click('button[data-agent="hi"]');
	await page.waitForSelector('#detail:not([hidden])');
	if (!wb)
		await page.click('#view-weeks');
	check(await until(async () => await page.isHidden('#shift-view') &&
	    !(await page.isHidden('#weeks-view')) &&
	    await page.getAttribute('#view-weeks', 'aria-pressed') === 'true' &&
	    (await page.evaluate(() => location.hash)).includes('view=weeks'),
	    5000), 'weeks: the Weeks view of hi is shown (and in the URL)');
	const hiDays = (await api('/v1/agents/hi/days')).body;
	const hiTrend = (await api('/v1/agents/hi/trend')).body;
	const AG = ['worked_min', 'high_min', 'hostile', 'breaks'];
	const wantHi = wantBars(hiDays, AG);
	let gotHi = [];
	check(hiDays.days.filter((d) => d.date < hiDays.to).length >= 20 &&
	    await until(async () => {
		gotHi = await weekBars(page, '#weeks');
		const done = new Set(hiDays.days.filter((d) =>
		    d.date < hiDays.to).map((d) => d.date));
		return same(gotHi.filter((b) => done.has(b[2])).sort(), wantHi);
	}, 10000), 'weeks: worked time, high strain, hostile messages and ' +
	    'breaks taken of suggested for each of hi\'s ' +
	    hiDays.days.length + ' days, as /v1/agents/hi/days says',
	    JSON.stringify(gotHi.slice(0, 8)) + ' want ' +
	    JSON.stringify(wantHi.slice(0, 8)));
	const wcols = await page.$$eval('#weeks g.wk-worked_min rect',
	    (r) => new Set(r.map((x) => x.dataset.date)).size);
	const span = (Date.parse(hiDays.to) - Date.parse(hiDays.from)) /
	    86400e3 + 1;
	check(wcols === span, 'weeks: one column a day from ' + hiDays.from +
	    ' to ' + hiDays.to + ' (' + span + ')', String(wcols));
	const shownTrend = await until(async () => {
		const risk = await page.getAttribute('#trend [data-risk]',
		    'data-risk');
		const sig = await page.$$eval('#trend li[data-signal]', (l) =>
		    l.map((x) => [x.dataset.signal, x.textContent]));
		return risk === hiTrend.risk && same(sig, hiTrend.signals.map((x) =>
		    [x.name, x.reason])) ? sig : null;
	}, 10000);
	check(shownTrend && hiTrend.risk === 'high', 'weeks: hi\'s trend, ' +
	    hiTrend.risk + ', with the signals and reasons of ' +
	    '/v1/agents/hi/trend', JSON.stringify(hiTrend));
	const wtrs = await page.$$eval('#weeks-table tbody tr', (x) => x.length);
	check(wtrs === hiDays.days.length, 'weeks: the days as a table too',
	    wtrs + ' rows');
	await page.click('#view-shift');
	check(await until(async () => await page.isHidden('#weeks-view') &&
	    !(await page.isHidden('#shift-view')), 5000),
	    'weeks: This shift brings the chart of the shift back');
	await page.keyboard.press('Escape');

	// The team's weeks.
	const teamDays = (await api('/v1/teams/' + TEAM + '/days')).body;
	const TM = ['agents', 'worked_min', 'high_min', 'hostile', 'breaks'];
	const wantTeam = wantBars(teamDays, TM);
	let gotTeam = [];
	check(teamDays.days.filter((d) => d.agents === 2).length >= 20 &&
	    await until(async () => {
		gotTeam = await weekBars(page, '#team-weeks');
		const done = new Set(teamDays.days.filter((d) =>
		    d.date < teamDays.to).map((d) => d.date));
		return same(gotTeam.filter((b) => done.has(b[2])).sort(),
		    wantTeam);
	}, 10000), 'team weeks: agents, worked time, high strain, hostile ' +
	    'and breaks for each day of /v1/teams/' + TEAM + '/days',
	    JSON.stringify(gotTeam.slice(0, 8)));
	check(await page.isHidden('#teamweeks-note'),
	    'team weeks: no privacy note outside aggregate mode');

	// An agent with only today: no baseline, and the page says so.
	const newT = (await api('/v1/agents/' + who + '/trend')).body;
	await page.click('button[data-agent="' + who + '"]');
	await page.waitForSelector('#detail:not([hidden])');
	await page.click('#view-weeks');
	const short = await until(async () => {
		const x = await page.textContent('#trend');
		return x.includes('Not enough history') &&
		    x.includes(String(newT.baseline_days) + ' of the 7') &&
		    await page.getAttribute('#trend [data-risk]', 'data-risk') ===
		    'ok' ? x : null;
	}, 10000);
	check(short && newT.baseline_days < 7, 'weeks: ' + who + ', with ' +
	    newT.baseline_days + ' baseline days, has no trend yet, and the ' +
	    'page says why', await page.textContent('#trend'));
	await page.click('#view-shift');
	await page.keyboard.press('Escape');
	if (env.SHOT_DIR) {
		await page.click('#lead-open li[data-id="' + (wb ? wb.id : '') +
		    '"] button[data-action="weeks"]').catch(() => {});
		await page.waitForTimeout(500);
		await page.locator('#detail').screenshot({ path: path.join(
		    env.SHOT_DIR, 'web-weeks.png') });
		pass('screenshot: ' + path.join(env.SHOT_DIR, 'web-weeks.png'));
		await page.click('#view-shift').catch(() => {});
		await page.keyboard.press('Escape');
	}

	check(page.errors.length === 0, 'no errors in the console (CSP, script)',
	    page.errors.join(' | '));

	// Phone size: one column, nothing wider than the screen.
	await page.setViewportSize({ width: 390, height: 844 });
	await page.waitForTimeout(300);
	const wide = await page.evaluate(() =>
	    document.documentElement.scrollWidth);
	const cardW = await page.$eval('#agents-body tr', (tr) =>
	    tr.getBoundingClientRect().width);
	check(wide <= 390 && cardW <= 390, 'phone: fits 390 px (no sideways ' +
	    'scrolling)', 'scrollWidth ' + wide + ', row ' + cardW);
	if (env.SHOT_DIR)
		await page.screenshot({ path: path.join(env.SHOT_DIR,
		    'web-phone.png'), fullPage: true });

	// German, from the browser's language.
	const de = await launch('de-DE');
	await de.goto(BASE + '/#team=' + TEAM);
	await de.waitForSelector('#agents-body tr[data-agent]');
	const deHead = await de.textContent('#agents-head');
	const deLevel = await until(() => de.$eval('#agents-body tr[data-level]',
	    (tr) => tr.querySelector('.lvl-text').textContent), 5000);
	check(await de.evaluate(() => document.documentElement.lang) === 'de' &&
	    deHead.includes('Belastung') && deHead.includes('Stufe') &&
	    (await de.textContent('h1')).includes('Teamansicht') &&
	    ['ok', 'erhöht', 'hoch', 'kritisch'].includes(deLevel),
	    'German labels for a German browser', deHead + ' / ' + deLevel);
	// German trend reasons, from the signal's name, value and baseline.
	await de.goto(BASE + '/?lang=de#team=' + TEAM + '&agent=hi&view=weeks');
	const hiT = (await api('/v1/agents/hi/trend')).body;
	const deSig = await until(async () => {
		const l = await de.$$eval('#trend li[data-signal]', (x) =>
		    x.map((y) => [y.dataset.signal, y.textContent]));
		return l.length === hiT.signals.length && l.length > 0 ? l : null;
	}, 10000);
	const DE_RE = { long_days: /^\d+ der letzten 7 Tage mit 10\+ Stunden Arbeit \(üblich: [\d,]+\)$/,
	    hostile_exposure: /^\d+ feindselige Nachrichten in den letzten 7 Tagen \(üblich: [\d,]+\)$/,
	    high_strain_days: /^\d+ der letzten 7 Tage mit 30\+ Minuten hoher Belastung \(üblich: [\d,]+\)$/,
	    breaks_skipped: /^\d+ % von \d+ Pausenvorschlägen/ };
	check(deSig && deSig.every(([n, x], i) => DE_RE[n] && DE_RE[n].test(x) &&
	    x.startsWith(String(hiT.signals[i].value) + ' ')) &&
	    (await de.textContent('#trend')).includes('Risiko') &&
	    (await de.getAttribute('#trend [data-risk]', 'data-risk')) === 'high',
	    'German: the trend\'s reasons in German, from name, value and ' +
	    'baseline', JSON.stringify(deSig));
	const wbs = (await api('/v1/suggestions?agent=hi&kind=wellbeing_check'))
	    .body.suggestions;
	const deWb = wbs.length ? await until(() => de.$eval('#lead li[data-id="' +
	    wbs[0].id + '"] .reason', (p) => p.textContent), 10000) : null;
	check(deWb && /der letzten 7 Tage/.test(deWb) &&
	    !/of the last/.test(deWb), 'German: the wellbeing_check\'s reasons ' +
	    'in German too', deWb);
	check(de.errors.length === 0, 'German: no errors in the console',
	    de.errors.join(' | '));
	const enHead = await page.textContent('#agents-head');
	check(enHead.includes('Strain') && enHead.includes('Level'),
	    'English labels for an English browser', enHead);

	// Offline: respited stops, the page says so, and comes back by itself.
	await page.setViewportSize({ width: 1280, height: 720 });
	await ask('stop');
	const off = await until(async () => !(await page.isHidden('#banner')) &&
	    (await page.textContent('#banner')).includes('cannot be reached') &&
	    (await page.getAttribute('#conn', 'class')).includes('conn-offline'),
	    20000);
	check(off, 'offline: a clear message when respited cannot be reached',
	    await page.textContent('#banner'));
	await ask('start');
	const back = await until(async () => await page.isHidden('#banner') &&
	    (await page.getAttribute('#conn', 'class')).includes('conn-live'),
	    30000);
	check(back, 'offline: live again by itself once respited is back',
	    await page.textContent('#conn'));
}

async function signIn(page, tok) {
	await page.fill('#token', tok);
	await page.press('#token', 'Enter');
}

async function phaseTokens() {
	const page = await launch('en-US');
	await page.goto(BASE + '/');
	await page.waitForSelector('#login:not([hidden])');
	check((await page.textContent('#login-why')).includes('needs a token') &&
	    await page.isHidden('#agents-sec'),
	    'tokens: a 401 asks for a token, and shows nothing else');
	check(await page.evaluate(() => document.activeElement.id) === 'token',
	    'tokens: the token field has the focus');
	await signIn(page, 'not-a-token');
	check(await until(async () => (await page.textContent('#login-why'))
	    .includes('not accepted'), 5000),
	    'tokens: an unknown token is refused in plain words');
	await signIn(page, env.TOKEN_AGENT);
	check(await until(async () => (await page.textContent('#login-why'))
	    .includes('may not see team figures'), 5000),
	    'tokens: an agent token gets a 403, explained');
	await signIn(page, env.TOKEN_LEAD);
	const shown = await until(() => tableMatchesApi(page, env.TOKEN_LEAD),
	    15000);
	check(shown, 'tokens: with the lead token, the table of GET /v1/agents');
	const teams = await page.$$eval('#team option', (o) => o.map((x) => x.value));
	check(same(teams, [TEAM]), 'tokens: the lead sees its own team only',
	    teams.join(','));
	const store = await page.evaluate(() => ({ s: sessionStorage.getItem(
	    'respite.token'), l: localStorage.length }));
	check(store.s === env.TOKEN_LEAD && store.l === 0,
	    'tokens: kept in sessionStorage only', JSON.stringify(store));
	await page.reload();
	check(await until(() => tableMatchesApi(page, env.TOKEN_LEAD), 15000) &&
	    await page.isHidden('#login'), 'tokens: a reload keeps the session');
	await page.click('#signout');
	check(await until(async () => !(await page.isHidden('#login')) &&
	    await page.evaluate(() => sessionStorage.length === 0), 5000),
	    'tokens: Forget token asks again and forgets it');
}

async function phaseAggregate() {
	const page = await launch('en-US');
	await page.goto(BASE + '/');
	await page.waitForSelector('#login:not([hidden])');
	await signIn(page, env.TOKEN_LEAD);
	const why = await until(async () => !(await page.isHidden('#privacy')) &&
	    await page.textContent('#privacy'), 15000);
	check(why && why.includes('aggregate') && why.includes('team'),
	    'aggregate: says why there are no agents', why);
	const n = await page.$$eval('#agents-body tr', (x) => x.length);
	check(n === 0 && await page.isHidden('#table-wrap'),
	    'aggregate: no per-agent rows', n + ' rows');
	const r = await api('/v1/agents?team=' + TEAM, { token: env.TOKEN_LEAD });
	check(r.status === 403, 'aggregate: GET /v1/agents is 403 for the lead');
	const team = (await api('/v1/teams/' + TEAM,
	    { token: env.TOKEN_LEAD })).body;
	const figs = await until(async () => {
		const f = await page.textContent('#figures');
		return f.includes(team.agents === null ? '–' :
		    String(team.agents)) ? f : null;
	}, 10000);
	check(figs, 'aggregate: the team figures are shown', figs);
	check(!team.strain || team.strain.max === undefined,
	    'aggregate: no max or p90', JSON.stringify(team.strain));

	// A status change does not reach the lead: the figures are a snapshot
	// held until the next aggregate_refresh_min boundary (MODEL.md).
	const ev = await api('/v1/events', { method: 'POST', token: env.TOKEN_INGEST,
	    body: { type: 'agent.break_end', agent: fs.readFileSync(
	    path.join(env.SYNC, 'break-agent'), 'utf8').trim(),
	    ts: Number(env.END_MS) } });
	const after = (await api('/v1/teams/' + TEAM,
	    { token: env.TOKEN_LEAD })).body;
	check(ev.status === 202 && (after.as_of !== team.as_of ||
	    JSON.stringify(after.status) === JSON.stringify(team.status)),
	    'aggregate: a break ending leaves the figures until the next ' +
	    'boundary', JSON.stringify(team.status) + ' ' +
	    JSON.stringify(after.status));

	// The team's weeks: only the days the API gives a lead (min_group).
	const td = await api('/v1/teams/' + TEAM + '/days',
	    { token: env.TOKEN_LEAD });
	const dates = td.body ? td.body.days.map((d) => d.date).sort() : [];
	let shownDates = [];
	check(td.status === 200 && await until(async () => {
		shownDates = await page.$$eval('#team-weeks g.wk-agents rect.wk-bar',
		    (r) => r.map((x) => x.dataset.date).sort());
		return same(shownDates, dates);
	}, 10000) && td.body.days.every((d) => d.agents >= 5),
	    'aggregate: the team\'s weeks show the days of /v1/teams/' + TEAM +
	    '/days for the lead, none of fewer than min_group agents (' +
	    dates.length + ' of them)', JSON.stringify(shownDates) + ' ' +
	    JSON.stringify(dates));
	const note = await page.isHidden('#teamweeks-note') ? '' :
	    await page.textContent('#teamweeks-note');
	check(note.includes('min_group'), 'aggregate: the team\'s weeks say ' +
	    'why days are missing', note);
	const ad = await api('/v1/agents/hi/days', { token: env.TOKEN_LEAD });
	check(ad.status === 403, 'aggregate: an agent\'s days are 403 for ' +
	    'the lead', String(ad.status));
	if (env.SHOT_DIR)
		await page.screenshot({ path: path.join(env.SHOT_DIR,
		    'web-aggregate.png') });
}

const phases = { open: phaseOpen, tokens: phaseTokens,
    aggregate: phaseAggregate };
let rc = 0;
try {
	if (!phases[phase])
		throw new Error('unknown phase ' + phase);
	await phases[phase]();
} catch (e) {
	fail('phase ' + phase + ' ran to its end', e.stack || e);
	rc = 1;
} finally {
	for (const c of launched)
		await c.close().catch(() => {});
}
process.exit(rc);
