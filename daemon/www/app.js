/*
 * respite – the team lead's web page.
 *
 * Plain JavaScript, no framework, no other host: everything comes from
 * the v1 API of the respited that serves this file.
 *
 *   GET  /v1/teams                       who may see what; team figures
 *   GET  /v1/agents?team=T[&cursor=]     the rows, page by page (403 in aggregate mode)
 *   GET  /v1/agents/{id}                 top factor, tickets, hostile, open
 *   GET  /v1/agents/{id}/history         the chart (strain and factors)
 *   GET  /v1/agents/{id}/days, /trend    the agent's weeks and trend
 *   GET  /v1/teams/{team}/days           the team's weeks
 *   GET  /v1/suggestions?...             lead suggestions; an agent's day
 *   POST /v1/suggestions/{id}            accept / dismiss
 *   GET  /v1/stream?team=T               live: agent, level, suggestion
 *
 * The stream is read with fetch() rather than EventSource, which cannot
 * send an Authorization header: a token in the URL would end up in logs
 * and in respited's audit records.  The parser (common.js, shared with
 * the agent's page) follows the SSE rules (id:, event:, data:, retry:,
 * comments) and reconnects with Last-Event-ID, as EventSource would.
 *
 * The token, if the server wants one, lives in sessionStorage only (this
 * tab, until it is closed).
 */
'use strict';

(function () {
	// ------------------------------------------------------------ words

	const WORDS = {
		en: {
			skip: 'Skip to the team table',
			title: 'Team view',
			team: 'Team',
			refresh: 'Refresh',
			signout: 'Forget token',
			connecting: 'Connecting…',
			live: 'Live',
			reconnecting: 'Reconnecting…',
			offline: 'Offline',
			paused: 'Paused',
			login_h: 'Sign in with your token',
			token_label: 'Lead token',
			token_use: 'Use this token',
			token_hint: 'The token is kept only in this browser tab (session storage) and sent to this respited alone. Closing the tab forgets it.',
			token_needed: 'This respited needs a token. Paste the lead token you were given (an administrator makes one with “respitectl token add --role lead:TEAM”).',
			token_refused: 'The token was not accepted: it is unknown or has been revoked. Paste another one.',
			token_role: 'This token may not see team figures (it is an agent or ingest token). Use a lead or admin token.',
			summary_h: 'Team now',
			lead_h: 'Suggestions for you',
			lead_none: 'Nothing to decide right now.',
			lead_earlier: 'Earlier in the last 12 hours',
			agents_h: 'Agents',
			agents_none: 'No agents in this team yet.',
			agents_cap: 'Agents of team {team}, sorted by {col} ({dir}). Select an agent for the chart of the shift.',
			asc: 'ascending', desc: 'descending',
			close: 'Close',
			chart_table: 'The chart as a table',
			factors_now: 'What the strain is made of now',
			agent_suggs: 'Suggestions this shift (last 12 hours)',
			agent_suggs_none: 'No suggestions in this time.',
			col_agent: 'Agent', col_status: 'Status', col_level: 'Level',
			col_strain: 'Strain', col_top: 'Top factor',
			col_tickets: 'Open tickets', col_hostile: 'Hostile (1\u00a0h)',
			col_open: 'Open suggestions',
			col_time: 'Time',
			st_working: 'working', st_on_break: 'on a break', st_offline: 'offline',
			lv_ok: 'ok', lv_elevated: 'elevated', lv_high: 'high', lv_critical: 'critical',
			f_intensity: 'intensity', f_occupancy: 'occupancy',
			f_continuous: 'continuous work', f_exposure: 'hostility',
			f_none: '–',
			fv_intensity: '{v}× the sustainable load',
			fv_occupancy: '{v} % busy in the last hour',
			fv_continuous: '{v} min without a break',
			fv_exposure: 'exposure {v}',
			points: '{v} points',
			k_micro_break: 'Micro break', k_rest_break: 'Rest break',
			k_recovery_break: 'Recovery break', k_rebalance: 'Rebalance',
			k_team_overload: 'Team overload', k_wellbeing_check: 'Wellbeing check',
			s_open: 'open', s_accepted: 'accepted', s_snoozed: 'snoozed',
			s_dismissed: 'dismissed', s_expired: 'expired',
			p_low: 'low', p_normal: 'normal', p_high: 'high priority', p_urgent: 'urgent',
			accept: 'Accept', dismiss: 'Dismiss',
			answered_at: '{status} at {time}',
			snoozed_until: 'snoozed until {time}',
			move_tickets: 'move {n} ticket(s) from {from} to {to}',
			move_channel: '{to} takes {channel} from {from} for {n} min',
			fig_agents: 'Agents', fig_agents_v: '{n}',
			fig_agents_sub: '{w} working · {b} on a break · {o} offline',
			fig_strain: 'Strain (mean)', fig_strain_sub: 'median {p50} · p90 {p90} · max {max}',
			fig_strain_sub_agg: 'median {p50}',
			fig_levels: 'Levels',
			fig_hostile: 'Hostile messages (1 h)',
			fig_tickets: 'Open tickets',
			fig_lead: 'Open lead suggestions',
			withheld: 'withheld',
			suppressed: 'Team figures are withheld: fewer agents were working at the last snapshot than the privacy setting requires (min_group).',
			aggregate: 'Privacy mode “aggregate”: this respited shows team leads figures of the whole team only, never one agent’s strain or metrics. Its administrator chose this ([privacy] lead_view = aggregate). Status changes and suggestions for you still arrive live.',
			no_agents_403: 'This token may not list the agents of this team: {msg}',
			no_teams: 'respited knows no team yet: agents appear here once their events carry a team.',
			offline_msg: 'respited cannot be reached. The page keeps trying by itself; the figures shown are from {time}.',
			rate_msg: 'Too many requests for this token; trying again in {s} s.',
			unavail_msg: 'respited is unavailable just now ({msg}); trying again.',
			error_msg: 'respited answered {status}: {msg}',
			gone_msg: 'This suggestion is no longer open; the list is refreshed.',
			forbidden_answer: 'This token may not answer that suggestion: {msg}',
			mode_open: 'Open mode: this respited asks no token (it listens on this machine only).',
			mode_token: 'Signed in with a token kept in this browser tab only.',
			ann_level: '{agent}: level {level} (was {previous}), strain {strain}.',
			ann_status: '{agent}: {status}.',
			ann_new: 'New suggestion: {what}.',
			ann_answered: '{what}: {status}.',
			ann_more: 'and {n} more updates.',
			detail_state: '{status} · strain {strain} · open tickets {tickets} · hostile messages in the last hour {hostile} · on a break today {brk} min',
			chart_title: 'Strain of {agent}, {from} to {to}',
			chart_desc: 'Now {now}; highest {max} at {at}. The coloured areas are the four factors, stacked; the line is the strain; the strip below shows the level.',
			chart_strain: 'strain',
			chart_level: 'level (strip below)',
			loading: 'loading',
			no_history: 'No history for this agent in the last 12 hours.',
			detail_403: 'This token may not read this agent.',
			view_group: 'View',
			view_shift: 'This shift',
			view_weeks: 'Weeks',
			trend_h: 'Trend: the last 7 days against the usual',
			weeks_h: 'Day by day',
			weeks_table: 'The days as a table',
			teamweeks_h: 'The team’s weeks',
			teamweeks_agg: 'Privacy mode “aggregate”: days on which fewer agents worked than the privacy setting requires (min_group) are left out, and no one agent’s days are shown.',
			teamweeks_403: 'This token may not read the team’s days: {msg}',
			no_days: 'No working days recorded in this time.',
			weeks_403: 'This token may not read this agent’s days.',
			weeks_title: 'Days of {who}, {from} to {to}',
			weeks_desc: 'One column a day, a gap before each Monday; {rows}. Days without work are a short mark on the line.',
			wk_agents: 'agents who worked',
			wk_worked: 'worked time',
			wk_high: 'minutes at high strain',
			wk_hostile: 'hostile messages',
			wk_breaks: 'breaks taken of suggested',
			wk_max: 'up to {v}',
			wk_limit: '10 h',
			wk_today: 'today, so far',
			wk_suggested: 'suggested',
			wk_taken: 'taken',
			col_date: 'Day', col_worked: 'Worked', col_break: 'On a break',
			col_high: 'High strain', col_hostile_d: 'Hostile',
			col_breaks: 'Breaks taken / suggested', col_strain_mean: 'Strain (mean)',
			col_strain_peak: 'Strain (peak)', col_agents: 'Agents',
			hm: '{h}:{m} h', min: '{v} min',
			risk_label: 'Risk:',
			risk_ok: 'ok', risk_elevated: 'elevated', risk_high: 'high',
			trend_short: 'Not enough history for a trend yet: {n} of the 7 days it needs before the last week.',
			trend_calm: 'Nothing out of the ordinary for this agent.',
			trend_basis: 'The last {w} completed days against the {b} days with records in the 4 weeks before them (the agent’s own usual, not the team’s).',
			see_weeks: 'Weeks of {agent}',
			updated: 'Updated {time}'
		},
		de: {
			skip: 'Zur Teamtabelle springen',
			title: 'Teamansicht',
			team: 'Team',
			refresh: 'Aktualisieren',
			signout: 'Token vergessen',
			connecting: 'Verbinde…',
			live: 'Live',
			reconnecting: 'Verbinde neu…',
			offline: 'Keine Verbindung',
			paused: 'Pausiert',
			login_h: 'Mit Token anmelden',
			token_label: 'Token (Teamleitung)',
			token_use: 'Token verwenden',
			token_hint: 'Das Token bleibt nur in diesem Browser-Tab (Session Storage) und geht nur an diesen respited. Schließen des Tabs vergisst es.',
			token_needed: 'Dieser respited verlangt ein Token. Fügen Sie das Token für die Teamleitung ein (eine Administratorin erzeugt es mit „respitectl token add --role lead:TEAM“).',
			token_refused: 'Das Token wurde nicht angenommen: Es ist unbekannt oder wurde widerrufen. Bitte ein anderes einfügen.',
			token_role: 'Dieses Token darf keine Teamzahlen sehen (es ist ein Agenten- oder Ingest-Token). Bitte ein Token für Teamleitung oder Administration verwenden.',
			summary_h: 'Team jetzt',
			lead_h: 'Vorschläge für Sie',
			lead_none: 'Gerade ist nichts zu entscheiden.',
			lead_earlier: 'Früher in den letzten 12 Stunden',
			agents_h: 'Mitarbeitende',
			agents_none: 'Noch niemand in diesem Team.',
			agents_cap: 'Mitarbeitende von Team {team}, sortiert nach {col} ({dir}). Eine Person auswählen für den Verlauf der Schicht.',
			asc: 'aufsteigend', desc: 'absteigend',
			close: 'Schließen',
			chart_table: 'Das Diagramm als Tabelle',
			factors_now: 'Woraus die Belastung jetzt besteht',
			agent_suggs: 'Vorschläge dieser Schicht (letzte 12 Stunden)',
			agent_suggs_none: 'Keine Vorschläge in dieser Zeit.',
			col_agent: 'Name', col_status: 'Status', col_level: 'Stufe',
			col_strain: 'Belastung', col_top: 'Hauptfaktor',
			col_tickets: 'Offene Tickets', col_hostile: 'Feindselig (1\u00a0h)',
			col_open: 'Offene Vor\u00adschläge',
			col_time: 'Zeit',
			st_working: 'arbeitet', st_on_break: 'in Pause', st_offline: 'abgemeldet',
			lv_ok: 'ok', lv_elevated: 'erhöht', lv_high: 'hoch', lv_critical: 'kritisch',
			f_intensity: 'Arbeitsdichte', f_occupancy: 'Auslastung',
			f_continuous: 'Dauerarbeit', f_exposure: 'Feindseligkeit',
			f_none: '–',
			fv_intensity: '{v}× der tragbaren Last',
			fv_occupancy: '{v} % beschäftigt in der letzten Stunde',
			fv_continuous: '{v} min ohne Pause',
			fv_exposure: 'Belastung durch Anfeindung {v}',
			points: '{v} Punkte',
			k_micro_break: 'Kurzpause', k_rest_break: 'Ruhepause',
			k_recovery_break: 'Erholungspause', k_rebalance: 'Umverteilen',
			k_team_overload: 'Team überlastet', k_wellbeing_check: 'Nachfragen, wie es geht',
			s_open: 'offen', s_accepted: 'angenommen', s_snoozed: 'verschoben',
			s_dismissed: 'verworfen', s_expired: 'abgelaufen',
			p_low: 'niedrig', p_normal: 'normal', p_high: 'hohe Priorität', p_urgent: 'dringend',
			accept: 'Annehmen', dismiss: 'Verwerfen',
			answered_at: '{status} um {time}',
			snoozed_until: 'verschoben bis {time}',
			move_tickets: '{n} Ticket(s) von {from} an {to} geben',
			move_channel: '{to} übernimmt {channel} von {from} für {n} min',
			fig_agents: 'Mitarbeitende', fig_agents_v: '{n}',
			fig_agents_sub: '{w} arbeiten · {b} in Pause · {o} abgemeldet',
			fig_strain: 'Belastung (Mittel)', fig_strain_sub: 'Median {p50} · p90 {p90} · max {max}',
			fig_strain_sub_agg: 'Median {p50}',
			fig_levels: 'Stufen',
			fig_hostile: 'Feindselige Nachrichten (1 h)',
			fig_tickets: 'Offene Tickets',
			fig_lead: 'Offene Vorschläge für Sie',
			withheld: 'zurückgehalten',
			suppressed: 'Teamzahlen werden zurückgehalten: Beim letzten Stand arbeiteten weniger Personen, als die Datenschutzeinstellung verlangt (min_group).',
			aggregate: 'Datenschutzmodus „aggregate“: Dieser respited zeigt Teamleitungen nur Zahlen des ganzen Teams, nie die Belastung oder Kennzahlen einer einzelnen Person. So hat es die Administration eingestellt ([privacy] lead_view = aggregate). Statuswechsel und Vorschläge für Sie kommen weiter live.',
			no_agents_403: 'Dieses Token darf die Mitarbeitenden dieses Teams nicht sehen: {msg}',
			no_teams: 'respited kennt noch kein Team: Personen erscheinen hier, sobald ihre Ereignisse ein Team nennen.',
			offline_msg: 'respited ist nicht erreichbar. Die Seite versucht es selbst weiter; die Zahlen sind vom {time}.',
			rate_msg: 'Zu viele Anfragen mit diesem Token; neuer Versuch in {s} s.',
			unavail_msg: 'respited ist gerade nicht verfügbar ({msg}); neuer Versuch folgt.',
			error_msg: 'respited antwortet {status}: {msg}',
			gone_msg: 'Dieser Vorschlag ist nicht mehr offen; die Liste wird neu geladen.',
			forbidden_answer: 'Dieses Token darf den Vorschlag nicht beantworten: {msg}',
			mode_open: 'Offener Modus: Dieser respited verlangt kein Token (er ist nur auf diesem Rechner erreichbar).',
			mode_token: 'Angemeldet mit einem Token, das nur in diesem Browser-Tab liegt.',
			ann_level: '{agent}: Stufe {level} (vorher {previous}), Belastung {strain}.',
			ann_status: '{agent}: {status}.',
			ann_new: 'Neuer Vorschlag: {what}.',
			ann_answered: '{what}: {status}.',
			ann_more: 'und {n} weitere Änderungen.',
			detail_state: '{status} · Belastung {strain} · offene Tickets {tickets} · feindselige Nachrichten in der letzten Stunde {hostile} · Pause heute {brk} min',
			chart_title: 'Belastung von {agent}, {from} bis {to}',
			chart_desc: 'Jetzt {now}; höchstens {max} um {at}. Die Flächen sind die vier Faktoren, gestapelt; die Linie ist die Belastung; der Streifen darunter zeigt die Stufe.',
			chart_strain: 'Belastung',
			chart_level: 'Stufe (Streifen unten)',
			loading: 'lädt',
			no_history: 'Kein Verlauf für diese Person in den letzten 12 Stunden.',
			detail_403: 'Dieses Token darf diese Person nicht sehen.',
			view_group: 'Ansicht',
			view_shift: 'Diese Schicht',
			view_weeks: 'Wochen',
			trend_h: 'Trend: die letzten 7 Tage gegenüber dem Üblichen',
			weeks_h: 'Tag für Tag',
			weeks_table: 'Die Tage als Tabelle',
			teamweeks_h: 'Die Wochen des Teams',
			teamweeks_agg: 'Datenschutzmodus „aggregate“: Tage, an denen weniger Personen gearbeitet haben, als die Datenschutzeinstellung verlangt (min_group), fehlen, und die Tage einzelner Personen werden nicht gezeigt.',
			teamweeks_403: 'Dieses Token darf die Tage des Teams nicht sehen: {msg}',
			no_days: 'Keine Arbeitstage in dieser Zeit.',
			weeks_403: 'Dieses Token darf die Tage dieser Person nicht sehen.',
			weeks_title: 'Tage von {who}, {from} bis {to}',
			weeks_desc: 'Eine Spalte je Tag, eine Lücke vor jedem Montag; {rows}. Tage ohne Arbeit sind ein kurzer Strich auf der Linie.',
			wk_agents: 'Personen, die gearbeitet haben',
			wk_worked: 'Arbeitszeit',
			wk_high: 'Minuten mit hoher Belastung',
			wk_hostile: 'feindselige Nachrichten',
			wk_breaks: 'Pausen genommen von vorgeschlagen',
			wk_max: 'bis {v}',
			wk_limit: '10 Std.',
			wk_today: 'heute, bisher',
			wk_suggested: 'vorgeschlagen',
			wk_taken: 'genommen',
			col_date: 'Tag', col_worked: 'Gearbeitet', col_break: 'In Pause',
			col_high: 'Hohe Belastung', col_hostile_d: 'Feindselig',
			col_breaks: 'Pausen genommen / vorgeschlagen', col_strain_mean: 'Belastung (Mittel)',
			col_strain_peak: 'Belastung (Spitze)', col_agents: 'Personen',
			hm: '{h}:{m} Std.', min: '{v} min',
			risk_label: 'Risiko:',
			risk_ok: 'ok', risk_elevated: 'erhöht', risk_high: 'hoch',
			trend_short: 'Noch zu wenig Verlauf für einen Trend: {n} der 7 Tage, die er vor der letzten Woche braucht.',
			trend_calm: 'Nichts Ungewöhnliches bei dieser Person.',
			trend_basis: 'Die letzten {w} abgeschlossenen Tage gegenüber den {b} Tagen mit Aufzeichnungen in den 4 Wochen davor (das Übliche dieser Person, nicht das des Teams).',
			see_weeks: 'Wochen von {agent}',
			rs_high_strain_days: '{v} der letzten {w} Tage mit {x}+ Minuten hoher Belastung (üblich: {b})',
			rs_hostile_exposure: '{v} feindselige Nachrichten in den letzten {w} Tagen (üblich: {b})',
			rs_breaks_skipped: '{v} % von {n} Pausenvorschlägen in den letzten {w} Tagen verworfen oder abgelaufen (üblich: {b} %)',
			rs_breaks_skipped_nn: '{v} % der Pausenvorschläge in den letzten {w} Tagen verworfen oder abgelaufen (üblich: {b} %)',
			rs_long_hours: '{v} der letzten {w} Tage mit {x}+ Stunden Arbeit (üblich: {b})',
			rs_long_stretch: '{v} der letzten {w} Tage mit {x}+ Stunden am Stück ohne Pause (üblich: {b})',
			updated: 'Stand {time}'
		}
	};

	const C = window.respiteCommon;	// common.js
	const { LANG, fmtTime, fmt1: fmtNum1, fmt2: fmtNum2, $, el, enc,
	    banner, clearBanner, bannerKind, ApiError } = C;
	const t = C.words(WORDS);

	function hhmm(iso) {
		const d = new Date(iso);
		return isNaN(d) ? '–' : fmtTime.format(d);
	}
	// The time, with the day when it is not within the last 20 hours (a
	// wellbeing_check is stamped with the end of a day gone by).
	const fmtWhen = new Intl.DateTimeFormat(LANG, { weekday: 'short',
	    day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
	function when(iso) {
		const d = new Date(iso);
		if (isNaN(d))
			return '–';
		return Date.now() - d > 20 * 3600e3 ? fmtWhen.format(d) :
		    fmtTime.format(d);
	}

	// ------------------------------------------------------------ state

	const TOKEN_KEY = 'respite.token';
	const HISTORY_MS = 12 * 3600 * 1000;
	const LEVELS = ['ok', 'elevated', 'high', 'critical'];
	const STATUSES = ['working', 'on_break', 'offline'];
	const FACTORS = ['intensity', 'occupancy', 'continuous', 'exposure'];
	const COLUMNS = [
		{ key: 'agent', label: 'col_agent' },
		{ key: 'status', label: 'col_status' },
		{ key: 'level', label: 'col_level' },
		{ key: 'strain', label: 'col_strain', num: true },
		{ key: 'top', label: 'col_top' },
		{ key: 'tickets', label: 'col_tickets', num: true },
		{ key: 'hostile', label: 'col_hostile', num: true },
		{ key: 'open', label: 'col_open', num: true }
	];

	let token = C.load(TOKEN_KEY);

	const S = {
		gen: 0,			// bumped on every (re)start: late replies are dropped
		open: false,		// the server asked no token
		teams: [],
		team: '',
		figures: null,		// GET /v1/teams/{team}
		aggregate: false,	// /v1/agents was refused for privacy
		agents: new Map(),	// id -> row state
		rows: new Map(),	// id -> <tr>
		lead: new Map(),	// id -> lead suggestion
		sort: { key: 'strain', dir: -1 },
		detail: null,		// { id, agent, history, suggs, days, trend, gen }
		view: 'shift',		// the agent's: 'shift' or 'weeks'
		teamDays: null,		// GET /v1/teams/{team}/days
		stream: null,
		lastGood: null,		// Date of the last good reply
		started: false
	};

	const SVGNS = 'http://www.w3.org/2000/svg';
	function svg(tag, attrs) {
		const e = document.createElementNS(SVGNS, tag);
		for (const [k, v] of Object.entries(attrs || {}))
			if (k === 'text')
				e.textContent = v;
			else
				e.setAttribute(k, v);
		return e;
	}

	// ------------------------------------------------------------ API

	const { api, stream } = C.client({ token: () => token,
	    answered: answered });

	// After every good reply: respited answers again, so a banner that
	// said it did not goes.
	function answered() {
		S.lastGood = new Date();
		if (bannerKind() === 'offline' || bannerKind() === 'unavailable' ||
		    bannerKind() === 'rate')
			clearBanner();
	}

	// ------------------------------------------------------------ badge, announcements

	let annQueue = [];
	let annTimer = 0;
	function announce(msg) {
		annQueue.push(msg);
		if (annTimer)
			return;
		annTimer = setTimeout(() => {
			const q = annQueue;
			annQueue = [];
			annTimer = 0;
			let text = q.slice(0, 3).join(' ');
			if (q.length > 3)
				text += ' ' + t('ann_more', { n: q.length - 3 });
			$('announce').textContent = text;
		}, 800);
	}

	function setConn(state) {
		C.setConn(state, t(state));
	}

	// ------------------------------------------------------------ errors

	let retryTimer = 0;
	function retryLater(ms) {
		clearTimeout(retryTimer);
		retryTimer = setTimeout(() => start(), ms);
	}

	/*
	 * What a failed request means for the whole page.  Returns true if
	 * it was handled here (the caller stops), false if the caller should
	 * say something of its own (a 403 or 404 on one agent, say).
	 */
	function pageError(e) {
		if (e.name === 'AbortError')
			return true;
		if (!(e instanceof ApiError)) {
			banner('error', String(e));
			console.error(e);
			return true;
		}
		switch (e.status) {
		case 0:
			banner('offline', t('offline_msg', { time: S.lastGood ?
			    fmtTime.format(S.lastGood) : '–' }));
			setConn('offline');
			retryLater(5000);
			return true;
		case 401:
			showLogin(token ? 'token_refused' : 'token_needed');
			return true;
		case 429:
			banner('rate', t('rate_msg', { s: e.retryAfter || 1 }));
			retryLater(1000 * (e.retryAfter || 1));
			return true;
		case 503:
			banner('unavailable', t('unavail_msg', { msg: e.message }));
			retryLater(5000);
			return true;
		default:
			return false;
		}
	}

	// ------------------------------------------------------------ sign in

	function showLogin(why) {
		stopStream();
		S.gen++;
		if (why === 'token_refused' || why === 'token_role')
			setToken('');
		for (const id of ['summary', 'lead', 'agents-sec', 'detail',
		    'teamweeks'])
			$(id).hidden = true;
		$('team-pick').hidden = true;
		$('refresh').hidden = true;
		$('login').hidden = false;
		$('login-why').textContent = t(why);
		$('login-why').className = why === 'token_needed' ? '' : 'error';
		$('signout').hidden = !token;
		setConn('paused');
		clearBanner();
		$('mode').textContent = '';
		$('token').focus();
	}

	function setToken(v) {
		token = v;
		C.store(TOKEN_KEY, v);
		$('signout').hidden = !v;
	}

	// ------------------------------------------------------------ start

	function hashParams() {
		return new URLSearchParams(location.hash.replace(/^#/, ''));
	}
	function setHash() {
		const p = new URLSearchParams();
		if (S.team)
			p.set('team', S.team);
		if (S.detail)
			p.set('agent', S.detail.id);
		if (S.detail && S.view === 'weeks')
			p.set('view', 'weeks');
		history.replaceState(null, '', '#' + p.toString());
	}

	async function start() {
		clearTimeout(retryTimer);
		const gen = ++S.gen;
		let teams;
		try {
			teams = await api('/v1/teams');
		} catch (e) {
			if (gen !== S.gen)
				return;
			if (e instanceof ApiError && e.status === 403) {
				showLogin('token_role');
				return;
			}
			if (!pageError(e))
				banner('error', t('error_msg', { status: e.status,
				    msg: e.message }));
			return;
		}
		if (gen !== S.gen)
			return;
		S.open = !token;
		$('login').hidden = true;
		$('refresh').hidden = false;
		$('signout').hidden = !token;
		$('mode').textContent = t(S.open ? 'mode_open' : 'mode_token');
		S.teams = teams.teams.map((x) => x.team);
		const want = hashParams().get('team');
		if (!S.teams.includes(S.team))
			S.team = S.teams.includes(want) ? want : (S.teams[0] || '');
		renderTeamPicker();
		if (!S.team) {
			banner('info', t('no_teams'));
			setConn('paused');
			retryLater(15000);
			return;
		}
		if (bannerKind() === 'info' || bannerKind() === 'error')
			clearBanner();
		// Read before loadTeam() writes the team into the URL.
		const deep = hashParams();
		await loadTeam(gen);
		if (gen === S.gen && !S.started) {
			S.started = true;
			const a = deep.get('agent');
			if (a && !S.aggregate && S.agents.has(a))
				openDetail(a, false, deep.get('view') === 'weeks' ?
				    'weeks' : 'shift');
		}
	}

	function renderTeamPicker() {
		const sel = $('team');
		sel.replaceChildren(...S.teams.map((x) =>
		    el('option', { value: x, text: x, selected: x === S.team })));
		$('team-pick').hidden = S.teams.length === 0;
		// One team: its name, not a menu with one entry.
		sel.hidden = S.teams.length < 2;
		$('team-one').hidden = S.teams.length !== 1;
		$('team-one').textContent = S.teams.length === 1 ? S.teams[0] : '';
	}

	async function loadTeam(gen) {
		if (gen !== S.gen)
			return;
		startStream(gen);
		$('summary').hidden = false;
		$('lead').hidden = false;
		$('agents-sec').hidden = false;
		$('teamweeks').hidden = false;
		setHash();
		await Promise.all([loadFigures(gen), loadAgents(gen, true),
		    loadLead(gen), loadTeamWeeks(gen)]);
	}

	function switchTeam(team) {
		S.team = team;
		S.agents.clear();
		S.rows.clear();
		S.lead.clear();
		S.figures = null;
		S.teamDays = null;
		$('agents-body').replaceChildren();
		$('team-weeks').replaceChildren();
		$('team-weeks-table').replaceChildren();
		closeDetail(false);
		start();
	}

	// ------------------------------------------------------------ team figures

	async function loadFigures(gen) {
		let f;
		try {
			f = await api('/v1/teams/' + enc(S.team));
		} catch (e) {
			if (gen === S.gen && !pageError(e) && e.status === 404)
				return;	// a team that is gone: the next start() drops it
			return;
		}
		if (gen !== S.gen)
			return;
		S.figures = f;
		renderFigures();
	}

	function figure(label, value, sub, cls) {
		return el('div', { class: 'fig' + (cls ? ' ' + cls : '') },
		    el('dt', { text: label }),
		    el('dd', null, el('span', { class: 'big', text: value }),
		    sub ? el('span', { class: 'small', text: sub }) : null));
	}

	function renderFigures() {
		const f = S.figures;
		if (!f)
			return;
		const st = f.status || {};
		// Aggregate privacy mode: a snapshot, figures may be withheld
		// (null), and there is never a max or p90.
		const shown = (v) => v === null || v === undefined ?
		    t('withheld') : String(v);
		const kids = [figure(t('fig_agents'), f.agents === null ? '–' :
		    String(f.agents), f.status ? t('fig_agents_sub', { w: st.working,
		    b: st.on_break, o: st.offline }) : null)];
		if (f.strain) {
			kids.push(figure(t('fig_strain'), fmtNum1.format(f.strain.mean),
			    t(f.strain.max === undefined ? 'fig_strain_sub_agg' :
			    'fig_strain_sub', f.strain)));
		} else
			kids.push(figure(t('fig_strain'), t('withheld'), null,
			    'withheld'));
		if (f.levels) {
			const bar = el('span', { class: 'lvlbar', role: 'img',
			    'aria-label': LEVELS.map((l) => t('lv_' + l) + ' ' +
			    f.levels[l]).join(', ') });
			const total = LEVELS.reduce((n, l) => n + f.levels[l], 0);
			for (const l of LEVELS) {
				if (!f.levels[l])
					continue;
				const seg = el('span', { class: 'seg lvl-fill-' + l,
				    title: t('lv_' + l) + ': ' + f.levels[l] });
				seg.style.flexGrow = String(f.levels[l]);
				bar.append(seg);
			}
			const lst = el('span', { class: 'small' }, LEVELS
			    .map((l) => t('lv_' + l) + ' ' + f.levels[l]).join(' · '));
			kids.push(el('div', { class: 'fig fig-levels' },
			    el('dt', { text: t('fig_levels') }),
			    el('dd', null, total ? bar : null, lst)));
		}
		kids.push(figure(t('fig_hostile'), shown(f.hostile_last_hour)));
		kids.push(figure(t('fig_tickets'), shown(f.open_tickets)));
		kids.push(figure(t('fig_lead'), String(f.open_lead_suggestions),
		    null, f.open_lead_suggestions > 0 ? 'attention' : ''));
		$('figures').replaceChildren(...kids);
		$('suppressed').hidden = !f.suppressed;
		$('suppressed').textContent = f.suppressed ? t('suppressed') : '';
	}

	let figTimer = 0;
	function scheduleFigures() {
		if (figTimer)
			return;
		const gen = S.gen;
		figTimer = setTimeout(() => {
			figTimer = 0;
			loadFigures(gen);
		}, 1500);
	}

	// ------------------------------------------------------------ agents

	async function loadAgents(gen, all) {
		let list;
		try {
			// In pages: follow next_cursor to the end.
			list = await api('/v1/agents?team=' + enc(S.team));
			while (list.next_cursor) {
				const more = await api('/v1/agents?team=' +
				    enc(S.team) + '&cursor=' + enc(list.next_cursor));
				more.agents = list.agents.concat(more.agents);
				list = more;
			}
		} catch (e) {
			if (gen !== S.gen)
				return;
			if (e instanceof ApiError && e.status === 403) {
				setAggregate(e.message);
				return;
			}
			pageError(e);
			return;
		}
		if (gen !== S.gen)
			return;
		setAggregate(null);
		const seen = new Set();
		for (const a of list.agents) {
			seen.add(a.agent);
			const old = S.agents.get(a.agent);
			if (!old) {
				S.agents.set(a.agent, Object.assign({ detail: null }, a));
				needDetail(a.agent, 0);
			} else {
				const changed = old.status !== a.status ||
				    old.level !== a.level || old.strain !== a.strain;
				Object.assign(old, a);
				if (changed || all)
					needDetail(a.agent, 0);
			}
		}
		for (const id of [...S.agents.keys()])
			if (!seen.has(id))
				S.agents.delete(id);
		renderTable();
	}

	function setAggregate(msg) {
		const p = $('privacy');
		if (msg === null) {
			S.aggregate = false;
			p.hidden = true;
			$('table-wrap').hidden = false;
			renderTeamWeeks();
			return;
		}
		S.aggregate = true;
		S.agents.clear();
		S.rows.clear();
		$('agents-body').replaceChildren();
		$('table-wrap').hidden = true;
		closeDetail(false);
		p.hidden = false;
		p.textContent = /aggregate/.test(msg) ? t('aggregate') :
		    t('no_agents_403', { msg: msg });
		renderTeamWeeks();
	}

	// GET /v1/agents/{id} for the columns the list lacks; at most 4 at once.
	const detailWanted = new Map();	// id -> timer
	const detailQueue = [];
	let detailRunning = 0;

	function needDetail(id, delay) {
		if (S.aggregate || detailWanted.has(id))
			return;
		detailWanted.set(id, setTimeout(() => {
			detailQueue.push(id);
			pumpDetail();
		}, delay));
	}

	function pumpDetail() {
		while (detailRunning < 4 && detailQueue.length > 0) {
			const id = detailQueue.shift();
			const gen = S.gen;
			detailRunning++;
			fetchAgent(id, gen).finally(() => {
				detailWanted.delete(id);
				detailRunning--;
				pumpDetail();
			});
		}
	}

	async function fetchAgent(id, gen) {
		let d;
		try {
			d = await api('/v1/agents/' + enc(id));
		} catch (e) {
			if (gen !== S.gen || pageError(e))
				return;
			if (e.status === 404 || e.status === 403) {
				S.agents.delete(id);
				renderTable();
			}
			return;
		}
		if (gen !== S.gen || d.team !== S.team)
			return;
		const a = S.agents.get(id) || { agent: id };
		Object.assign(a, {
			team: d.team, status: d.status, strain: d.strain,
			level: d.level, updated_at: d.updated_at,
			detail: {
				top: topFactor(d.factors),
				tickets: d.metrics.open_tickets,
				hostile: d.metrics.hostile_last_hour,
				open: (d.open_suggestions || []).length
			}
		});
		S.agents.set(id, a);
		renderTable();
		if (S.detail && S.detail.id === id) {
			S.detail.agent = d;
			renderDetailState();
		}
	}

	function topFactor(factors) {
		let best = null, max = 0;
		for (const f of FACTORS) {
			const p = factors && factors[f] ? factors[f].points : 0;
			if (p > max) {
				max = p;
				best = f;
			}
		}
		return best;
	}

	function sortValue(a, key) {
		const d = a.detail;
		switch (key) {
		case 'agent': return a.agent;
		case 'status': return STATUSES.indexOf(a.status);
		case 'level': return LEVELS.indexOf(a.level) * 1000 + (a.strain || 0);
		case 'strain': return a.strain === null || a.strain === undefined ? -1 : a.strain;
		case 'top': return d && d.top ? t('f_' + d.top) : '~';
		case 'tickets': return d ? d.tickets : -1;
		case 'hostile': return d ? d.hostile : -1;
		case 'open': return d ? d.open : -1;
		}
		return 0;
	}

	function sortedAgents() {
		const { key, dir } = S.sort;
		return [...S.agents.values()].sort((x, y) => {
			const a = sortValue(x, key), b = sortValue(y, key);
			let c = 0;
			if (typeof a === 'string' || typeof b === 'string')
				c = String(a).localeCompare(String(b), LANG);
			else
				c = a - b;
			if (c === 0)
				return x.agent.localeCompare(y.agent, LANG);
			return c * dir;
		});
	}

	function renderHead() {
		const tr = $('agents-head');
		tr.replaceChildren(...COLUMNS.map((c) => {
			const active = S.sort.key === c.key;
			const th = el('th', { scope: 'col', class: c.num ? 'num' : null,
			    'aria-sort': active ? (S.sort.dir > 0 ? 'ascending' :
			    'descending') : 'none' });
			th.append(el('button', { type: 'button', class: 'sort',
			    'data-key': c.key, onclick: () => setSort(c.key) },
			    t(c.label), el('span', { class: 'arrow', 'aria-hidden': 'true',
			    text: active ? (S.sort.dir > 0 ? '▲' : '▼') : '↕' })));
			return th;
		}));
		const col = COLUMNS.find((c) => c.key === S.sort.key);
		$('agents-cap').textContent = t('agents_cap', { team: S.team,
		    col: t(col.label), dir: t(S.sort.dir > 0 ? 'asc' : 'desc') });
	}

	function setSort(key) {
		if (S.sort.key === key)
			S.sort.dir = -S.sort.dir;
		else
			S.sort = { key: key, dir: COLUMNS.find((c) => c.key === key)
			    .num || key === 'level' ? -1 : 1 };
		renderHead();
		renderTable();
		const b = document.querySelector('#agents-head button[data-key="' +
		    key + '"]');
		if (b)
			b.focus();
	}

	function levelBadge(level) {
		if (!level)
			return el('span', { class: 'muted', text: '–' });
		const n = LEVELS.indexOf(level);
		const bars = el('span', { class: 'bars', 'aria-hidden': 'true' });
		for (let i = 0; i < 4; i++)
			bars.append(el('i', { class: i <= n ? 'on' : null }));
		return el('span', { class: 'lvl lvl-' + level }, bars,
		    el('span', { class: 'lvl-text', text: t('lv_' + level) }));
	}

	function statusBadge(status) {
		return el('span', { class: 'st st-' + status },
		    el('span', { class: 'st-icon', 'aria-hidden': 'true' }),
		    t('st_' + status));
	}

	function cell(label, num, ...kids) {
		return el('td', { class: num ? 'num' : null, 'data-label': label },
		    ...kids);
	}

	function pending() {
		return el('span', { class: 'muted', 'aria-label': t('loading'),
		    text: '…' });
	}

	function fillRow(tr, a) {
		const d = a.detail;
		const meter = el('span', { class: 'meter', 'aria-hidden': 'true' },
		    el('span', { class: 'fill lvl-fill-' + (a.level || 'ok') }));
		meter.firstChild.style.width = Math.max(0, Math.min(100,
		    a.strain || 0)) + '%';
		const name = el('button', { type: 'button', class: 'agent-link',
		    'data-agent': a.agent, 'aria-expanded': S.detail && S.detail.id === a.agent ? 'true' :
		    'false', 'aria-controls': 'detail',
		    onclick: () => openDetail(a.agent, true) }, a.agent);
		const cells = [
			el('th', { scope: 'row', 'data-label': t('col_agent') }, name),
			cell(t('col_status'), false, statusBadge(a.status)),
			cell(t('col_level'), false, levelBadge(a.level)),
			cell(t('col_strain'), true, el('span', { class: 'strain' },
			    meter, el('span', { class: 'n', text:
			    a.strain === null || a.strain === undefined ? '–' :
			    String(a.strain) }))),
			el('td', { class: 'topf', 'data-label': t('col_top') },
			    d ? (d.top ? t('f_' + d.top) : t('f_none')) : pending()),
			cell(t('col_tickets'), true, d ? String(d.tickets) : pending()),
			cell(t('col_hostile'), true, d ? el('span', { class:
			    d.hostile > 0 ? 'hostile' : null, text: String(d.hostile) }) :
			    pending()),
			cell(t('col_open'), true, d ? String(d.open) : pending())
		];
		// Keep the focused button across the update.
		const focused = tr.contains(document.activeElement);
		tr.replaceChildren(...cells);
		if (focused)
			name.focus();
		tr.className = 'row-' + (a.level || 'none') +
		    (a.status === 'offline' ? ' is-offline' : '') +
		    (S.detail && S.detail.id === a.agent ? ' is-selected' : '');
		tr.dataset.agent = a.agent;
		tr.dataset.level = a.level || '';
		tr.dataset.status = a.status || '';
	}

	let renderPending = false;
	function renderTable() {
		if (renderPending)
			return;
		renderPending = true;
		requestAnimationFrame(() => {
			renderPending = false;
			doRenderTable();
		});
	}

	function doRenderTable() {
		if (!$('agents-head').firstChild)
			renderHead();
		const body = $('agents-body');
		const list = sortedAgents();
		const active = document.activeElement;
		for (const id of [...S.rows.keys()])
			if (!S.agents.has(id)) {
				S.rows.get(id).remove();
				S.rows.delete(id);
			}
		list.forEach((a, i) => {
			let tr = S.rows.get(a.agent);
			const sig = JSON.stringify([a.status, a.level, a.strain,
			    a.detail, S.detail && S.detail.id === a.agent, LANG]);
			if (!tr) {
				tr = el('tr');
				S.rows.set(a.agent, tr);
			}
			if (tr.dataset.sig !== sig) {
				const was = tr.dataset.sig;
				fillRow(tr, a);
				tr.dataset.sig = sig;
				if (was && a.flash) {
					tr.classList.remove('flash');
					void tr.offsetWidth;	// restart the animation
					tr.classList.add('flash');
				}
			}
			a.flash = false;
			if (body.children[i] !== tr)
				body.insertBefore(tr, body.children[i] || null);
		});
		if (active && active !== document.activeElement &&
		    body.contains(active))
			active.focus();
		$('agents-none').hidden = S.aggregate || list.length > 0;
	}

	// ------------------------------------------------------------ lead suggestions

	async function loadLead(gen) {
		const since = new Date(Date.now() - HISTORY_MS).toISOString()
		    .replace(/\.\d+Z$/, 'Z');
		const q = '/v1/suggestions?team=' + enc(S.team) +
		    '&audience=lead&limit=100';
		let r;
		try {
			// The last 12 hours, and whatever is still open or snoozed.
			r = await Promise.all([api(q + '&since=' + enc(since)),
			    api(q + '&status=open'), api(q + '&status=snoozed')]);
		} catch (e) {
			if (gen === S.gen)
				pageError(e);
			return;
		}
		if (gen !== S.gen)
			return;
		S.lead.clear();
		for (const part of r)
			for (const s of part.suggestions)
				S.lead.set(s.id, s);
		renderLead();
	}

	function kindLabel(s) {
		return t('k_' + s.kind);
	}

	function moveText(s) {
		if (s.kind !== 'rebalance' || !s.move)
			return null;
		if (s.move.channel)
			return t('move_channel', { from: s.from, to: s.to,
			    channel: s.move.channel, n: s.move.minutes });
		return t('move_tickets', { from: s.from, to: s.to,
		    n: s.move.tickets });
	}

	function whatText(s) {
		const m = moveText(s);
		return kindLabel(s) + (m ? ' (' + m + ')' : '');
	}

	function statusText(s) {
		if (s.status === 'snoozed' && s.snoozed_until)
			return t('snoozed_until', { time: hhmm(s.snoozed_until) });
		if (s.status !== 'open' && s.answered_at)
			return t('answered_at', { status: t('s_' + s.status),
			    time: hhmm(s.answered_at) });
		if (s.status === 'expired' && s.updated_at)
			return t('answered_at', { status: t('s_expired'),
			    time: hhmm(s.updated_at) });
		return t('s_' + s.status);
	}

	function suggItem(s, actions) {
		const li = el('li', { class: 'sugg sugg-' + s.status + ' prio-' +
		    s.priority, 'data-id': s.id });
		const head = el('div', { class: 'sugg-head' },
		    el('strong', { text: kindLabel(s) }),
		    el('span', { class: 'prio', text: t('p_' + s.priority) }),
		    el('time', { datetime: s.created_at, text: when(s.created_at) }),
		    el('span', { class: 'sstatus', text: statusText(s) }));
		li.append(head);
		const m = moveText(s);
		if (m)
			li.append(el('p', { class: 'move', text: m }));
		if (s.reason)
			li.append(el('p', { class: 'reason', text: suggReason(s) }));
		if (s.kind === 'wellbeing_check' && s.agent && !S.aggregate)
			li.append(el('p', null, el('button', { type: 'button',
			    class: 'link', 'data-action': 'weeks',
			    onclick: () => openDetail(s.agent, true, 'weeks') },
			    t('see_weeks', { agent: s.agent }))));
		if (actions) {
			const a = el('div', { class: 'actions' });
			a.append(el('button', { type: 'button', class: 'primary',
			    'data-action': 'accept', onclick: () => answer(s, 'accept') },
			    t('accept')));
			a.append(el('button', { type: 'button',
			    'data-action': 'dismiss', onclick: () => answer(s, 'dismiss') },
			    t('dismiss')));
			li.append(a);
		}
		return li;
	}

	function renderLead() {
		const all = [...S.lead.values()].sort((a, b) =>
		    b.created_at.localeCompare(a.created_at));
		const open = all.filter((s) => s.status === 'open' ||
		    s.status === 'snoozed');
		const done = all.filter((s) => s.status !== 'open' &&
		    s.status !== 'snoozed');
		const focusedId = document.activeElement &&
		    document.activeElement.closest ? (document.activeElement
		    .closest('#lead-open li') || {}).dataset : null;
		$('lead-open').replaceChildren(...open.map((s) => suggItem(s,
		    s.status === 'open')));
		$('lead-none').hidden = open.length > 0;
		$('lead-earlier').replaceChildren(...done.map((s) => suggItem(s,
		    false)));
		$('lead-earlier-box').hidden = done.length === 0;
		if (focusedId && focusedId.id) {
			const li = document.querySelector('#lead-open li[data-id="' +
			    focusedId.id + '"] button');
			if (li)
				li.focus();
		}
	}

	async function answer(s, action) {
		const li = document.querySelector('#lead-open li[data-id="' +
		    s.id + '"]');
		if (li)
			for (const b of li.querySelectorAll('button'))
				b.disabled = true;
		let r;
		try {
			r = await api('/v1/suggestions/' + enc(s.id),
			    { method: 'POST', body: { action: action } });
		} catch (e) {
			if (pageError(e))
				return;
			if (e.status === 409 || e.status === 404)
				banner('error', t('gone_msg'));
			else if (e.status === 403)
				banner('error', t('forbidden_answer', { msg: e.message }));
			else
				banner('error', t('error_msg', { status: e.status,
				    msg: e.message }));
			loadLead(S.gen);
			return;
		}
		S.lead.set(r.id, r);
		// Focus moves on to the next open suggestion, or the heading.
		const next = li && (li.nextElementSibling || li.previousElementSibling);
		const nextId = next ? next.dataset.id : null;
		renderLead();
		const target = nextId ? document.querySelector(
		    '#lead-open li[data-id="' + nextId + '"] button') : null;
		if (target)
			target.focus();
		else {
			$('lead-h').tabIndex = -1;
			$('lead-h').focus();
		}
		announce(t('ann_answered', { what: whatText(r),
		    status: t('s_' + r.status) }));
		scheduleFigures();
	}

	// ------------------------------------------------------------ the stream

	function stopStream() {
		if (S.stream) {
			S.stream.ctl.abort();
			S.stream = null;
		}
	}

	function startStream(gen) {
		if (S.stream && S.stream.team === S.team && S.stream.gen !== null &&
		    !S.stream.ctl.signal.aborted) {
			S.stream.gen = gen;
			return;
		}
		stopStream();
		S.stream = stream({ team: S.team, gen: gen }, LIVE);
	}

	// What the stream means to this page.
	const LIVE = {
		path: (st) => '/v1/stream?team=' + enc(st.team),
		setConn: setConn,
		opened: (resumed) => {
			if (resumed)
				resync();
		},
		refused: (e) => {
			if (e.status === 401)
				pageError(e);
			else
				setConn('paused');
		},
		offline: () => t('offline_msg', { time: S.lastGood ?
		    fmtTime.format(S.lastGood) : '–' }),
		event: onEvent,
		maxFails: 4,
		onLine: true
	};

	// An event of the stream, its data parsed (common.js).
	function onEvent(type, d) {
		if (d.team && d.team !== S.team)
			return;
		const a = d.agent ? S.agents.get(d.agent) : null;
		switch (type) {
		case 'agent':
			if (!S.aggregate) {
				if (a) {
					if (a.status !== d.status)
						announce(t('ann_status', { agent: d.agent,
						    status: t('st_' + d.status) }));
					a.status = d.status;
					a.flash = true;
				} else {
					S.agents.set(d.agent, { agent: d.agent,
					    team: d.team, status: d.status, strain: null,
					    level: null, detail: null, flash: true });
				}
				needDetail(d.agent, 300);
				renderTable();
			}
			scheduleFigures();
			break;
		case 'level':
			if (a) {
				a.level = d.level;
				a.strain = d.strain;
				a.flash = true;
				announce(t('ann_level', { agent: d.agent,
				    level: t('lv_' + d.level),
				    previous: t('lv_' + d.previous), strain: d.strain }));
				needDetail(d.agent, 300);
				renderTable();
			}
			scheduleFigures();
			break;
		case 'suggestion':
			if (d.audience === 'lead' || !d.agent) {
				const had = S.lead.get(d.id);
				S.lead.set(d.id, d);
				if (!had && d.status === 'open')
					announce(t('ann_new', { what: whatText(d) }));
				renderLead();
			} else if (a) {
				needDetail(d.agent, 300);
			}
			scheduleFigures();
			break;
		default:
			return;
		}
		if (S.detail && d.agent === S.detail.id)
			scheduleDetail();
	}

	// After a gap in the stream (resumed with Last-Event-ID, which replays
	// the stored items), read the figures once more: time went by.
	function resync() {
		const gen = S.gen;
		loadFigures(gen);
		loadAgents(gen, false);
		loadLead(gen);
	}

	// ------------------------------------------------------------ agent detail

	function openDetail(id, focus, view) {
		const gen = S.gen;
		if (view)
			S.view = view;
		S.detail = { id: id, agent: null, history: null, suggs: null,
		    days: null, trend: null, gen: gen,
		    opener: focus ? document.activeElement : null };
		const sec = $('detail');
		sec.hidden = false;
		$('main').classList.add('with-detail');
		$('detail-h').textContent = id;
		$('detail-state').textContent = t('loading') + '…';
		$('chart').replaceChildren();
		$('legend').replaceChildren();
		$('factors').replaceChildren();
		$('detail-suggs').replaceChildren();
		$('chart-table').replaceChildren();
		$('trend').replaceChildren();
		$('weeks').replaceChildren();
		$('weeks-table').replaceChildren();
		showView();
		setHash();
		renderTable();
		if (focus) {
			$('detail-h').focus();
			sec.scrollIntoView({ block: 'nearest' });
		}
		loadDetail(true);
		if (S.view === 'weeks')
			loadWeeks(S.detail);
	}

	function closeDetail(focusBack) {
		if (!S.detail)
			return;
		const id = S.detail.id;
		S.detail = null;
		$('detail').hidden = true;
		$('main').classList.remove('with-detail');
		setHash();
		renderTable();
		if (focusBack) {
			requestAnimationFrame(() => {
				const b = document.querySelector(
				    '#agents-body button[data-agent="' + CSS.escape(id) + '"]');
				if (b)
					b.focus();
			});
		}
	}

	let detailTimer = 0;
	let historyAt = 0;
	function scheduleDetail() {
		if (detailTimer)
			return;
		detailTimer = setTimeout(() => {
			detailTimer = 0;
			loadDetail(Date.now() - historyAt > 60000);
		}, 1000);
	}

	async function loadDetail(withHistory) {
		const D = S.detail;
		if (!D)
			return;
		const id = D.id;
		const from = new Date(Date.now() - HISTORY_MS).toISOString()
		    .replace(/\.\d+Z$/, 'Z');
		const jobs = [
			api('/v1/agents/' + enc(id)).then((d) => { D.agent = d; }),
			api('/v1/suggestions?agent=' + enc(id) + '&limit=100&since=' +
			    enc(from)).then((r) => { D.suggs = r.suggestions; })
		];
		if (withHistory) {
			historyAt = Date.now();
			jobs.push(api('/v1/agents/' + enc(id) + '/history?step=900&from=' +
			    enc(from)).then((h) => { D.history = h; }));
		}
		try {
			await Promise.all(jobs);
		} catch (e) {
			if (S.detail !== D || pageError(e))
				return;
			$('detail-state').textContent = e.status === 403 ||
			    e.status === 404 ? t('detail_403') : t('error_msg',
			    { status: e.status, msg: e.message });
			return;
		}
		if (S.detail !== D)
			return;
		renderDetailState();
		if (withHistory)
			renderChart(D);
		renderAgentSuggs(D);
	}

	function renderDetailState() {
		const D = S.detail;
		if (!D || !D.agent)
			return;
		const a = D.agent, m = a.metrics;
		$('detail-h').textContent = a.agent + (a.team ? ' · ' + a.team : '');
		const state = $('detail-state');
		state.replaceChildren(levelBadge(a.level), ' ',
		    t('detail_state', { status: t('st_' + a.status),
		    level: t('lv_' + a.level), strain: a.strain,
		    tickets: m.open_tickets, hostile: m.hostile_last_hour,
		    brk: m.minutes_on_break_today }));
		const dl = $('factors');
		const rows = FACTORS.map((f) => {
			const x = a.factors[f];
			const v = f === 'occupancy' ? Math.round(x.value * 100) :
			    f === 'continuous' ? Math.round(x.value) :
			    fmtNum2.format(x.value);
			const bar = el('span', { class: 'fbar', 'aria-hidden': 'true' },
			    el('span', { class: 'ffill f-' + f }));
			bar.firstChild.style.width = Math.round(x.position * 100) + '%';
			return el('div', { class: 'factor' },
			    el('dt', null, el('span', { class: 'sw sw-' + f,
			    'aria-hidden': 'true' }), t('f_' + f)),
			    el('dd', null, bar, el('span', { class: 'fpts',
			    text: t('points', { v: fmtNum1.format(x.points) }) }),
			    el('span', { class: 'small', text: t('fv_' + f, { v: v }) })));
		});
		dl.replaceChildren(...rows);
	}

	function renderAgentSuggs(D) {
		const list = D.suggs || [];
		$('detail-suggs').replaceChildren(...list.map((s) =>
		    suggItem(s, false)));
		$('detail-sugg-none').hidden = list.length > 0;
	}

	// A small chart of our own: the four factors' points stacked (they add
	// up to the strain), the strain as a line, the level as a strip below.
	function renderChart(D) {
		const h = D.history;
		const box = $('chart');
		const legend = $('legend');
		const tbl = $('chart-table');
		const b = (h && h.buckets) || [];
		if (b.length === 0) {
			box.replaceChildren(el('p', { class: 'muted',
			    text: t('no_history') }));
			legend.replaceChildren();
			tbl.replaceChildren();
			return;
		}
		// Drawn at the size it is shown, so its text stays readable.
		const W = Math.max(300, Math.min(900, box.clientWidth || 640));
		const H = Math.round(Math.max(170, Math.min(260, W * 0.45)));
		const L = 30, R = 8, T = 8, B = 34;
		const iw = W - L - R, ih = H - T - B;
		const t0 = Date.parse(b[0].t), t1 = Date.parse(b[b.length - 1].t);
		const span = Math.max(1, t1 - t0);
		const X = (ms) => L + (ms - t0) / span * iw;
		const Y = (v) => T + ih - Math.max(0, Math.min(100, v)) / 100 * ih;
		const xs = b.map((k) => X(Date.parse(k.t)));
		let max = -1, maxAt = b[0].t;
		for (const k of b)
			if (k.strain > max) {
				max = k.strain;
				maxAt = k.t;
			}
		const titleId = 'chart-title', descId = 'chart-desc';
		const root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H,
		    role: 'img', 'aria-labelledby': titleId + ' ' + descId,
		    class: 'chart-svg', preserveAspectRatio: 'xMidYMid meet' });
		root.append(svg('title', { id: titleId, text: t('chart_title',
		    { agent: D.id, from: hhmm(b[0].t), to: hhmm(b[b.length - 1].t) }) }));
		root.append(svg('desc', { id: descId, text: t('chart_desc',
		    { now: b[b.length - 1].strain, max: max, at: hhmm(maxAt) }) }));
		// grid
		for (let v = 0; v <= 100; v += 20) {
			root.append(svg('line', { x1: L, x2: W - R, y1: Y(v), y2: Y(v),
			    class: 'grid' }));
			root.append(svg('text', { x: L - 6, y: Y(v) + 4, class: 'ylab',
			    'text-anchor': 'end', text: String(v) }));
		}
		// stacked factor areas
		const hasFactors = b.every((k) => k.factors);
		if (hasFactors) {
			const base = b.map(() => 0);
			for (const f of FACTORS) {
				const top = b.map((k, i) => base[i] + (k.factors[f].points || 0));
				let d = '';
				top.forEach((v, i) => {
					d += (i ? 'L' : 'M') + xs[i].toFixed(1) + ' ' + Y(v).toFixed(1);
				});
				for (let i = b.length - 1; i >= 0; i--)
					d += 'L' + xs[i].toFixed(1) + ' ' + Y(base[i]).toFixed(1);
				root.append(svg('path', { d: d + 'Z', class: 'area f-' + f }));
				top.forEach((v, i) => { base[i] = v; });
			}
		}
		// strain line
		root.append(svg('polyline', { class: 'strain-line', points:
		    b.map((k, i) => xs[i].toFixed(1) + ',' + Y(k.strain).toFixed(1))
		    .join(' ') }));
		// level strip
		const sy = T + ih + 4;
		b.forEach((k, i) => {
			const x0 = i === 0 ? L : (xs[i - 1] + xs[i]) / 2;
			const x1 = i === b.length - 1 ? W - R : (xs[i] + xs[i + 1]) / 2;
			root.append(svg('rect', { x: x0.toFixed(1), y: sy,
			    width: Math.max(0.5, x1 - x0).toFixed(1), height: 7,
			    class: 'lvl-fill-' + k.level }));
		});
		// time axis: whole hours, at most 8 labels
		const hour = 3600000;
		const stepH = Math.max(1, Math.ceil(span / hour / 8));
		let tick = Math.ceil(t0 / hour) * hour;
		for (; tick <= t1; tick += stepH * hour) {
			const x = X(tick);
			root.append(svg('line', { x1: x, x2: x, y1: T + ih + 12,
			    y2: T + ih + 16, class: 'tick' }));
			root.append(svg('text', { x: x, y: H - 6, class: 'xlab',
			    'text-anchor': 'middle', text: fmtTime.format(new Date(tick)) }));
		}
		box.replaceChildren(root);
		box.dataset.width = String(W);
		legend.replaceChildren(
		    ...(hasFactors ? FACTORS : []).map((f) => el('li', null,
		    el('span', { class: 'sw sw-' + f, 'aria-hidden': 'true' }),
		    t('f_' + f))),
		    el('li', null, el('span', { class: 'sw sw-line',
		    'aria-hidden': 'true' }), t('chart_strain')),
		    el('li', null, el('span', { class: 'sw sw-strip',
		    'aria-hidden': 'true' }), t('chart_level')));
		// the same as a table
		const head = el('tr', null, el('th', { scope: 'col', text: t('col_time') }),
		    el('th', { scope: 'col', text: t('col_strain') }),
		    el('th', { scope: 'col', text: t('col_level') }),
		    ...(hasFactors ? FACTORS : []).map((f) => el('th', { scope: 'col',
		    text: t('f_' + f) })));
		const rows = b.map((k) => el('tr', null,
		    el('th', { scope: 'row', text: hhmm(k.t) }),
		    el('td', { class: 'num', text: String(k.strain) }),
		    el('td', { text: t('lv_' + k.level) }),
		    ...(hasFactors ? FACTORS : []).map((f) => el('td', { class: 'num',
		    text: fmtNum1.format(k.factors[f].points) }))));
		tbl.replaceChildren(el('thead', null, head), el('tbody', null, ...rows));
	}

	// ------------------------------------------------------------ weeks

	/*
	 * The agent's weeks (GET /v1/agents/{id}/days and /trend) and the
	 * team's (GET /v1/teams/{team}/days): one column a day over the
	 * request's dates, as small multiples that share the columns, each
	 * row on its own scale.  Dates are the API's calendar days (the
	 * agent's zone; the team's): worked out in UTC, never the browser's.
	 */
	const DAY_MS = 86400000;
	const fmtDay = new Intl.DateTimeFormat(LANG, { weekday: 'short',
	    day: 'numeric', month: 'short', timeZone: 'UTC' });
	const fmtMonday = new Intl.DateTimeFormat(LANG, { day: 'numeric',
	    month: 'numeric', timeZone: 'UTC' });

	function dateMs(s) {
		const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || '');
		return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : NaN;
	}
	function dayLabel(s) {
		const ms = dateMs(s);
		return isNaN(ms) ? s : fmtDay.format(new Date(ms));
	}
	function dateRange(from, to) {
		const out = [];
		const end = dateMs(to);
		for (let m = dateMs(from); m <= end && out.length < 400; m += DAY_MS)
			out.push(new Date(m).toISOString().slice(0, 10));
		return out;
	}
	function hoursMin(v) {
		return t('hm', { h: Math.floor(v / 60), m: String(v % 60)
		    .padStart(2, '0') });
	}
	const asMin = (v) => t('min', { v: v });
	const asNum = (v) => String(v);

	const WEEK_ROWS = {
		agent: ['worked_min', 'high_min', 'hostile', 'breaks'],
		team: ['agents', 'worked_min', 'high_min', 'hostile', 'breaks']
	};
	const WEEK_METRIC = {
		agents: { label: 'wk_agents', fmt: asNum },
		worked_min: { label: 'wk_worked', fmt: hoursMin },
		high_min: { label: 'wk_high', fmt: asMin },
		hostile: { label: 'wk_hostile', fmt: asNum },
		breaks: { label: 'wk_breaks', fmt: asNum }
	};
	const sugg = (d, k) => (d.suggestions && d.suggestions[k]) || 0;

	/*
	 * Draw the days of resp ({from, to, days}) into box (SVG) and tbl (the
	 * same as a table); kind 'agent' or 'team', who names them.
	 */
	function renderWeeks(box, tbl, resp, kind, who) {
		const days = (resp && resp.days) || [];
		if (days.length === 0) {
			box.replaceChildren(el('p', { class: 'muted', text: t('no_days') }));
			tbl.replaceChildren();
			box.dataset.width = '';
			return;
		}
		const dates = dateRange(resp.from || days[0].date,
		    resp.to || days[days.length - 1].date);
		const byDate = new Map(days.map((d) => [d.date, d]));
		const rows = WEEK_ROWS[kind];
		const W = Math.max(280, Math.min(900, box.clientWidth || 360));
		const L = 2, R = 2, LAB = 15, RH = kind === 'team' ? 34 : 40;
		const GAP = 8, AXIS = 16, WGAP = 4;
		const monday = (s) => new Date(dateMs(s)).getUTCDay() === 1;
		let gaps = 0;
		dates.forEach((s, i) => { if (i > 0 && monday(s)) gaps++; });
		const cw = (W - L - R - gaps * WGAP) / dates.length;
		const xs = [];
		let x = L;
		dates.forEach((s, i) => {
			if (i > 0 && monday(s))
				x += WGAP;
			xs.push(x);
			x += cw;
		});
		const bw = Math.max(1, cw - Math.min(3, cw * 0.25));
		const H = rows.length * (LAB + RH + GAP) + AXIS;
		const n = (box.id || 'w') + '-';
		const root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img',
		    'aria-labelledby': n + 'title ' + n + 'desc',
		    class: 'weeks-svg', preserveAspectRatio: 'xMidYMid meet' });
		root.append(svg('title', { id: n + 'title', text: t('weeks_title',
		    { who: who, from: dayLabel(dates[0]),
		    to: dayLabel(dates[dates.length - 1]) }) }));
		root.append(svg('desc', { id: n + 'desc', text: t('weeks_desc',
		    { rows: rows.map((r) => t(WEEK_METRIC[r].label)).join(', ') }) }));
		const today = dates[dates.length - 1];
		rows.forEach((key, k) => {
			const m = WEEK_METRIC[key];
			const y0 = k * (LAB + RH + GAP);
			const yb = y0 + LAB + RH;
			const g = svg('g', { class: 'wk-row wk-' + key,
			    'data-metric': key });
			let max = 0;
			for (const d of days)
				max = Math.max(max, key === 'breaks' ?
				    sugg(d, 'raised') : d[key] || 0);
			let top = Math.max(1, max);
			if (key === 'worked_min' && kind === 'agent')
				top = Math.max(top, 600);	// ArbZG: 10 h a day
			const Y = (v) => yb - Math.min(v, top) / top * RH;
			g.append(svg('text', { x: L, y: y0 + 11, class: 'wk-label',
			    text: t(m.label) + ' · ' + t('wk_max',
			    { v: m.fmt(max) }) }));
			g.append(svg('line', { x1: L, x2: W - R, y1: yb, y2: yb,
			    class: 'wk-base' }));
			if (key === 'worked_min' && kind === 'agent') {
				g.append(svg('line', { x1: L, x2: W - R, y1: Y(600),
				    y2: Y(600), class: 'wk-limit' }));
				g.append(svg('text', { x: W - R, y: Y(600) - 2,
				    'text-anchor': 'end', class: 'wk-limit-text',
				    text: t('wk_limit') }));
			}
			dates.forEach((s, i) => {
				const d = byDate.get(s);
				if (!d) {
					g.append(svg('rect', { x: xs[i].toFixed(1),
					    y: yb - 1.5, width: bw.toFixed(1), height: 1.5,
					    class: 'wk-none', 'data-date': s }));
					return;
				}
				const live = s === today && d.final === false;
				const cls = live ? ' wk-live' : '';
				const tip = dayLabel(s) + (live ? ' (' + t('wk_today') +
				    ')' : '') + ': ';
				if (key === 'breaks') {
					const raised = sugg(d, 'raised');
					const taken = sugg(d, 'accepted');
					const r1 = svg('rect', { x: xs[i].toFixed(1),
					    y: Y(raised).toFixed(1), width: bw.toFixed(1),
					    height: (yb - Y(raised)).toFixed(1),
					    class: 'wk-bar wk-suggested' + cls,
					    'data-date': s, 'data-value': raised });
					const r2 = svg('rect', { x: xs[i].toFixed(1),
					    y: Y(taken).toFixed(1), width: bw.toFixed(1),
					    height: (yb - Y(taken)).toFixed(1),
					    class: 'wk-bar wk-taken' + cls,
					    'data-date': s, 'data-value': taken });
					const tt = tip + taken + ' ' + t('wk_taken') + ', ' +
					    raised + ' ' + t('wk_suggested');
					r1.append(svg('title', { text: tt }));
					r2.append(svg('title', { text: tt }));
					g.append(r1, r2);
					return;
				}
				const v = d[key] || 0;
				const r = svg('rect', { x: xs[i].toFixed(1),
				    y: Y(v).toFixed(1), width: bw.toFixed(1),
				    height: Math.max(v > 0 ? 1 : 0, yb - Y(v)).toFixed(1),
				    class: 'wk-bar' + cls, 'data-date': s,
				    'data-value': v });
				r.append(svg('title', { text: tip + m.fmt(v) }));
				g.append(r);
			});
			root.append(g);
		});
		// Mondays (and the first day) under the columns.
		const ya = H - 3;
		dates.forEach((s, i) => {
			if (i !== 0 && !monday(s))
				return;
			if (i === 0 && !monday(s) && dates.length - i > 3 &&
			    dates.slice(1, 3).some(monday))
				return;		// too close to the next label
			root.append(svg('text', { x: xs[i].toFixed(1), y: ya,
			    class: 'wk-axis', text: fmtMonday.format(
			    new Date(dateMs(s))) }));
		});
		box.replaceChildren(root);
		box.dataset.width = String(W);

		// The same as a table, newest first.
		const cols = [['col_date'], ...(kind === 'team' ? [['col_agents']] :
		    []), ['col_worked'], ['col_break'], ['col_high'],
		    ['col_hostile_d'], ['col_breaks'], ['col_strain_mean'],
		    ...(kind === 'agent' ? [['col_strain_peak']] : [])];
		const head = el('tr', null, ...cols.map((c) => el('th',
		    { scope: 'col', text: t(c[0]) })));
		const body = [...days].sort((a, b) => b.date.localeCompare(a.date))
		    .map((d) => el('tr', { 'data-date': d.date },
		    el('th', { scope: 'row', text: dayLabel(d.date) }),
		    ...(kind === 'team' ? [el('td', { class: 'num',
		    text: String(d.agents) })] : []),
		    el('td', { class: 'num', text: hoursMin(d.worked_min || 0) }),
		    el('td', { class: 'num', text: asMin(d.break_min || 0) }),
		    el('td', { class: 'num', text: asMin(d.high_min || 0) }),
		    el('td', { class: 'num', text: String(d.hostile || 0) }),
		    el('td', { class: 'num', text: sugg(d, 'accepted') + ' / ' +
		    sugg(d, 'raised') }),
		    el('td', { class: 'num', text: d.strain_mean === null ||
		    d.strain_mean === undefined ? '–' :
		    fmtNum1.format(d.strain_mean) }),
		    ...(kind === 'agent' ? [el('td', { class: 'num',
		    text: String(d.strain_peak) })] : [])));
		tbl.replaceChildren(el('thead', null, head),
		    el('tbody', null, ...body));
	}

	/*
	 * The trend's reasons are English in the API.  In German they are
	 * said again from the signal's name, value and baseline; the
	 * thresholds (30 minutes, 10 hours, ...) are configuration keys and
	 * are read from the English reason when it has its usual shape.
	 */
	const REASONS = [
		{ key: 'high_strain_days', re: /^(\d+) of the last (\d+) days with ([\d.]+)\+ minutes at high strain \(usual: ([\d.]+)\)$/,
		    get: (m) => ({ v: +m[1], w: +m[2], x: +m[3], b: +m[4] }) },
		{ key: 'hostile_exposure', re: /^(\d+) hostile messages in the last (\d+) days \(usual: ([\d.]+)\)$/,
		    get: (m) => ({ v: +m[1], w: +m[2], b: +m[3] }) },
		{ key: 'breaks_skipped', re: /^(\d+) % of (\d+) break suggestions in the last (\d+) days dismissed or expired \(usual: (\d+) %\)$/,
		    get: (m) => ({ v: +m[1], n: +m[2], w: +m[3], b: +m[4] }) },
		{ key: 'long_hours', re: /^(\d+) of the last (\d+) days with ([\d.]+)\+ hours worked \(usual: ([\d.]+)\)$/,
		    get: (m) => ({ v: +m[1], w: +m[2], x: +m[3], b: +m[4] }) },
		{ key: 'long_stretch', re: /^(\d+) of the last (\d+) days with a stretch of ([\d.]+)\+ hours without a break \(usual: ([\d.]+)\)$/,
		    get: (m) => ({ v: +m[1], w: +m[2], x: +m[3], b: +m[4] }) }
	];
	const REASON_X = { high_strain_days: 30, long_hours: 10, long_stretch: 6 };

	function parseReason(text) {
		for (const r of REASONS) {
			const m = r.re.exec(String(text || '').trim());
			if (m)
				return Object.assign({ key: r.key }, r.get(m));
		}
		return null;
	}

	function germanReason(key, f) {
		if (key === 'breaks_skipped' && (f.n === undefined || f.n === null))
			key = 'breaks_skipped_nn';
		return t('rs_' + key, { v: fmtNum1.format(f.v), w: f.w,
		    x: fmtNum1.format(f.x), n: f.n, b: fmtNum1.format(f.b) });
	}

	// A trend signal in the page's language.
	function signalText(sg, windowDays) {
		if (LANG === 'en')
			return sg.reason || sg.name;
		const p = parseReason(sg.reason);
		let key = sg.name;
		if (key === 'long_days')
			key = p && p.key === 'long_stretch' ? 'long_stretch' :
			    'long_hours';
		if (!WORDS.de['rs_' + key] && key !== 'breaks_skipped')
			return sg.reason || sg.name;
		return germanReason(key, { v: sg.value, w: windowDays || 7,
		    b: sg.baseline, n: p ? p.n : undefined,
		    x: p && p.x !== undefined ? p.x : REASON_X[key] });
	}

	// A suggestion's reason; a wellbeing_check's are the trend's.
	function suggReason(s) {
		if (LANG === 'en' || s.kind !== 'wellbeing_check')
			return s.reason;
		return String(s.reason).split('; ').map((part) => {
			const p = parseReason(part);
			return p ? germanReason(p.key, p) : part;
		}).join('; ');
	}

	function renderTrend(tr) {
		const box = $('trend');
		const risk = el('span', { class: 'lvl risk lvl-' + (tr.risk === 'ok' ?
		    'ok' : tr.risk), 'data-risk': tr.risk,
		    text: t('risk_' + tr.risk) });
		const kids = [el('p', { class: 'trend-risk' }, t('risk_label'), ' ',
		    risk)];
		if (tr.baseline_days < 7)
			kids.push(el('p', { class: 'muted', text: t('trend_short',
			    { n: tr.baseline_days }) }));
		else if (!tr.signals || tr.signals.length === 0)
			kids.push(el('p', { class: 'muted', text: t('trend_calm') }));
		else
			kids.push(el('ul', { class: 'signals' }, ...tr.signals.map((sg) =>
			    el('li', { 'data-signal': sg.name,
			    text: signalText(sg, tr.window_days) }))));
		kids.push(el('p', { class: 'small', text: t('trend_basis',
		    { w: tr.window_days, b: tr.baseline_days }) }));
		box.replaceChildren(...kids);
	}

	async function loadWeeks(D) {
		if (!D)
			return;
		const id = D.id;
		try {
			const r = await Promise.all([
			    api('/v1/agents/' + enc(id) + '/days'),
			    api('/v1/agents/' + enc(id) + '/trend')]);
			D.days = r[0];
			D.trend = r[1];
		} catch (e) {
			if (S.detail !== D || pageError(e))
				return;
			$('trend').replaceChildren(el('p', { class: 'muted',
			    text: e.status === 403 || e.status === 404 ?
			    t('weeks_403') : t('error_msg', { status: e.status,
			    msg: e.message }) }));
			return;
		}
		if (S.detail !== D)
			return;
		renderTrend(D.trend);
		renderWeeks($('weeks'), $('weeks-table'), D.days, 'agent', id);
	}

	function showView() {
		const weeks = S.view === 'weeks';
		$('weeks-view').hidden = !weeks;
		$('shift-view').hidden = weeks;
		$('view-shift').setAttribute('aria-pressed', String(!weeks));
		$('view-weeks').setAttribute('aria-pressed', String(weeks));
	}

	function setView(view) {
		S.view = view;
		showView();
		setHash();
		if (!S.detail)
			return;
		if (view === 'weeks')
			loadWeeks(S.detail);
		else if (S.detail.history)
			renderChart(S.detail);
	}

	async function loadTeamWeeks(gen) {
		let r;
		try {
			r = await api('/v1/teams/' + enc(S.team) + '/days');
		} catch (e) {
			if (gen !== S.gen || pageError(e))
				return;
			$('team-weeks').replaceChildren(el('p', { class: 'muted',
			    text: t('teamweeks_403', { msg: e.message }) }));
			return;
		}
		if (gen !== S.gen)
			return;
		S.teamDays = r;
		renderTeamWeeks();
	}

	function renderTeamWeeks() {
		const note = $('teamweeks-note');
		note.hidden = !S.aggregate;
		note.textContent = S.aggregate ? t('teamweeks_agg') : '';
		if (S.teamDays)
			renderWeeks($('team-weeks'), $('team-weeks-table'), S.teamDays,
			    'team', S.team);
	}

	// ------------------------------------------------------------ wiring

	function translateStatic() {
		C.translate(t);
		document.title = 'respite – ' + t('title');
		document.querySelector('.views').setAttribute('aria-label',
		    t('view_group'));
	}

	function tick() {
		// Every minute: the list and the figures (strain moves with time);
		// every five: every agent's columns.  Not while the tab is hidden.
		if (document.hidden || !S.team || $('login').hidden === false)
			return;
		const gen = S.gen;
		minutes++;
		loadFigures(gen);
		loadAgents(gen, minutes % 5 === 0);
		if (minutes % 5 === 0) {
			loadLead(gen);
			loadTeamWeeks(gen);
		}
		if (S.detail)
			loadDetail(true);
		if (S.detail && S.view === 'weeks')
			loadWeeks(S.detail);
	}
	let minutes = 0;

	function init() {
		translateStatic();
		if (window.ResizeObserver) {
			let rt = 0;
			new ResizeObserver(() => {
				clearTimeout(rt);
				rt = setTimeout(() => {
					const box = $('chart');
					if (S.detail && S.detail.history && box.clientWidth &&
					    String(box.clientWidth) !== box.dataset.width)
						renderChart(S.detail);
				}, 150);
			}).observe($('chart'));
			let wt = 0;
			const ro = new ResizeObserver(() => {
				clearTimeout(wt);
				wt = setTimeout(() => {
					const a = $('weeks'), b = $('team-weeks');
					if (S.detail && S.detail.days && a.clientWidth &&
					    String(a.clientWidth) !== a.dataset.width)
						renderWeeks(a, $('weeks-table'), S.detail.days,
						    'agent', S.detail.id);
					if (S.teamDays && b.clientWidth &&
					    String(b.clientWidth) !== b.dataset.width)
						renderTeamWeeks();
				}, 150);
			});
			ro.observe($('weeks'));
			ro.observe($('team-weeks'));
		}
		renderHead();
		setConn('connecting');
		$('login-form').addEventListener('submit', (e) => {
			e.preventDefault();
			const v = $('token').value.trim();
			if (!v)
				return;
			$('token').value = '';
			setToken(v);
			start();
		});
		$('signout').addEventListener('click', () => {
			setToken('');
			switchTeam('');
			S.teams = [];
		});
		$('refresh').addEventListener('click', () => {
			const gen = S.gen;
			if (!S.team) {
				start();
				return;
			}
			loadFigures(gen);
			loadAgents(gen, true);
			loadLead(gen);
			loadTeamWeeks(gen);
			if (S.detail)
				loadDetail(true);
			if (S.detail && S.view === 'weeks')
				loadWeeks(S.detail);
		});
		$('team').addEventListener('change', (e) => switchTeam(e.target.value));
		$('detail-close').addEventListener('click', () => closeDetail(true));
		$('view-shift').addEventListener('click', () => setView('shift'));
		$('view-weeks').addEventListener('click', () => setView('weeks'));
		document.addEventListener('keydown', (e) => {
			if (e.key === 'Escape' && S.detail &&
			    $('detail').contains(document.activeElement))
				closeDetail(true);
		});
		document.addEventListener('visibilitychange', () => {
			if (!document.hidden && S.lastGood &&
			    Date.now() - S.lastGood > 60000)
				tick();
		});
		window.addEventListener('online', () => start());
		window.addEventListener('offline', () => setConn('offline'));
		setInterval(tick, 60000);
		start();
	}

	// For the browser test: the page's own view of what it shows.
	window.respitePage = {
		state: () => ({ team: S.team, aggregate: S.aggregate,
		    open: S.open, agents: [...S.agents.values()].map((a) =>
		    ({ agent: a.agent, level: a.level, status: a.status,
		    strain: a.strain, detail: a.detail })),
		    lead: [...S.lead.values()], lastEventId: S.stream ?
		    S.stream.lastId : null, lang: LANG, view: S.view })
	};

	C.ready(init);
})();
