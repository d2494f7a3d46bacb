/*
 * respite – the agent's page (/agent): the break suggestions of
 * respite-notify for agents on any desktop browser.
 *
 * Plain JavaScript, no framework, no other host: everything comes from
 * the v1 API of the respited that serves this file.
 *
 *   GET  /v1/me                          whose token this is
 *   GET  /v1/agents/{id}                 status, strain, factors
 *   GET  /v1/suggestions?agent=&status=open   the open suggestions
 *   GET  /v1/agents/{id}/days            the week (when there are days)
 *   POST /v1/suggestions/{id}            accept (starts the break), snooze, dismiss
 *   POST /v1/agents/{id}/break           the end of the break
 *   GET  /v1/stream?agent=ID             live: suggestion, agent, level
 *
 * The rules are respite-notify's (daemon/notify/companion.c):
 * - every suggestion state has a version that only grows (open 0,
 *   snoozed once 2, open again 3, snoozed twice 4, open again 5, answered
 *   or expired for ever); older news is ignored, and a notification is
 *   raised once per open version, so a replay after a reconnection or a
 *   fetch repeating the stream never notifies twice;
 * - quiet time: while the agent is on a break or offline nothing is
 *   shown or raised; what is open comes back at work;
 * - Start break accepts (respited starts the break); once the agent is
 *   on_break a countdown runs, and at its end the page posts the end of
 *   the break and says "Welcome back"; Snooze only while respited's
 *   snoozes_left allows; Dismiss.
 *
 * The token comes from the address's fragment (#token=…, which browsers
 * never send) and is removed from the address bar at once, or from the
 * form; it lives in sessionStorage only (this tab, until it is closed).
 * The stream is read with fetch() (EventSource cannot send a header) and
 * resumed with Last-Event-ID (common.js, shared with the lead's page).
 */
'use strict';

(function () {
	// ------------------------------------------------------------ words

	const WORDS = {
		en: {
			title: 'Your breaks',
			title_agent: 'Breaks for {agent}',
			connecting: 'Connecting…', live: 'Live',
			reconnecting: 'Reconnecting…', offline: 'Offline',
			paused: 'Paused',
			sound: 'Sound',
			signout: 'Forget token',
			login_h: 'Sign in with your token',
			token_label: 'Your token',
			agent_label: 'Agent',
			token_use: 'Sign in',
			token_hint: 'The token is kept only in this browser tab and sent to this respited alone. Closing the tab forgets it, unless you choose to stay signed in on this computer (for the installed app).',
			keep: 'Stay signed in on this computer',
			token_needed: 'This respited needs a token. Paste the agent token you were given (an administrator makes one with “respitectl token add --role agent:YOU”), or open the link with #token=… you were sent.',
			token_refused: 'The token was not accepted: it is unknown or has been revoked. Ask for a new one and paste it here.',
			token_role: 'This is not an agent’s token (it is a {role} token). This page is for agents; team leads have the page at /.',
			agent_needed: 'Which agent? This token may act for any agent: type the agent’s id.',
			agent_bad: 'An agent id is 1 to 64 letters, digits, “.”, “_”, “@” or “-”.',
			notif_h: 'Notifications',
			notif_ask: 'Allow notifications, so that a suggestion reaches you while this page is behind your other windows.',
			notif_allow: 'Allow notifications',
			notif_denied: 'Notifications are blocked for this page, so suggestions show only here: the tab’s title counts them (“(1) respite”). To get notifications, allow them in the browser’s site settings for this address.',
			notif_insecure: 'This browser allows notifications only on https:// (or on this computer’s own address): suggestions show only here, counted in the tab’s title. Ask your administrator for the https:// address of respite.',
			notif_none: 'This browser has no notifications: suggestions show only here, counted in the tab’s title.',
			suggs_h: 'Suggestions for you',
			suggs_none: 'Nothing right now. A suggestion appears here, and as a notification, when a break would help.',
			quiet_break: 'You are on a break: nothing from respite until you are back.',
			quiet_offline: 'You are not at work in respite’s eyes (logged out, or not seen yet): suggestions appear once you are.',
			quiet_waiting: '{n} suggestion(s) wait until you are back at work.',
			summary: 'Time for a {m}-minute break',
			summary_any: 'Time for a break',
			start: 'Start break', snooze: 'Snooze', dismiss: 'Dismiss',
			snoozes_left: '{n} snooze(s) left',
			snoozes_left1: 'One snooze left',
			no_snooze: 'No more snoozing: this one can only be started or dismissed.',
			sending: 'Sending…',
			k_recovery_break: 'Take a moment for yourself before the next contact.',
			k_rest_break: 'A proper break is due.',
			k_micro_break: 'A short pause now keeps you fresh.',
			r_none: 'respite suggests a break.',
			r_continuous: 'You have been working for {d} without a break.',
			r_day_none: 'You have worked {d} today without a break.',
			r_day: 'You have worked {d} today, with only {b} of breaks.',
			r_hostile1: 'A customer was hostile to you just now.',
			r_hostileN: 'A customer was hostile to you just now, the {n} time in the last hour.',
			r_hostiles: 'You have had {n} hostile message(s) in the last hour.',
			min1: '1 minute', minN: '{n} minutes', h1: '1 hour', hN: '{n} hours',
			break_h: 'On a break',
			break_left: '{t} left',
			break_back: 'Back at {time}. Nothing from respite will pop up until then.',
			break_elsewhere: 'You are on a break.',
			break_end: 'End break now',
			welcome_h: 'Welcome back',
			welcome_text: 'Your {m}-minute break is over.',
			close: 'Close',
			me_h: 'Your strain now',
			me_strain: 'Strain {strain} of 100:',
			me_status: 'respite sees you as {status}.',
			st_working: 'working', st_on_break: 'on a break', st_offline: 'offline',
			lv_ok: 'ok', lv_elevated: 'elevated', lv_high: 'high', lv_critical: 'critical',
			f_intensity: 'Workload in the last hour: {v}× what can be kept up.',
			f_occupancy: 'Busy with contacts {v} % of the last hour.',
			f_continuous: '{v} of work since your last break.',
			f_exposure: 'Hostile messages recently (exposure {v}; it fades over the hour).',
			f_points: '{v} points',
			f_nothing: 'Nothing weighs on you now.',
			me_today: 'Last hour: {t} contact(s), {h} hostile message(s). On a break today: {b} min.',
			week_h: 'Your week',
			w_date: 'Day', w_worked: 'Worked', w_breaks: 'Breaks',
			w_contacts: 'Contacts', w_hostile: 'Hostile', w_strain: 'Strain (mean / peak)',
			w_suggs: 'Taken / suggested',
			offline_msg: 'respited cannot be reached. The page keeps trying by itself.',
			rate_msg: 'Too many requests for this token; trying again in {s} s.',
			error_msg: 'respited answered {status}: {msg}',
			gone_msg: 'This suggestion is no longer open.',
			answer_failed: 'Your answer could not be sent ({msg}); the buttons are back.',
			mode_open: 'Open mode: this respited asks no token (it listens on this computer only).',
			mode_token: 'Signed in with a token kept in this browser tab only.',
			mode_keep: 'Signed in with a token kept on this computer until you choose “Forget token”.',
			badge: '({n}) respite',
			page_title: 'respite'
		},
		de: {
			title: 'Ihre Pausen',
			title_agent: 'Pausen für {agent}',
			connecting: 'Verbinde…', live: 'Live',
			reconnecting: 'Verbinde neu…', offline: 'Keine Verbindung',
			paused: 'Pausiert',
			sound: 'Ton',
			signout: 'Token vergessen',
			login_h: 'Mit Token anmelden',
			token_label: 'Ihr Token',
			agent_label: 'Person',
			token_use: 'Anmelden',
			token_hint: 'Das Token bleibt nur in diesem Browser-Tab und geht nur an diesen respited. Schließen des Tabs vergisst es, außer Sie wählen, auf diesem Computer angemeldet zu bleiben (für die installierte App).',
			keep: 'Auf diesem Computer angemeldet bleiben',
			token_needed: 'Dieser respited verlangt ein Token. Fügen Sie Ihr Token ein (die Administration erzeugt es mit „respitectl token add --role agent:SIE“) oder öffnen Sie den Link mit #token=…, den Sie bekommen haben.',
			token_refused: 'Das Token wurde nicht angenommen: Es ist unbekannt oder wurde widerrufen. Bitte ein neues anfordern und hier einfügen.',
			token_role: 'Das ist kein Token für Mitarbeitende (sondern ein {role}-Token). Diese Seite ist für Mitarbeitende; Teamleitungen haben die Seite unter /.',
			agent_needed: 'Für wen? Dieses Token darf für alle handeln: bitte die Kennung der Person eingeben.',
			agent_bad: 'Eine Kennung hat 1 bis 64 Buchstaben, Ziffern, „.“, „_“, „@“ oder „-“.',
			notif_h: 'Benachrichtigungen',
			notif_ask: 'Erlauben Sie Benachrichtigungen, damit ein Vorschlag Sie auch erreicht, wenn diese Seite hinter anderen Fenstern liegt.',
			notif_allow: 'Benachrichtigungen erlauben',
			notif_denied: 'Benachrichtigungen sind für diese Seite blockiert, Vorschläge erscheinen nur hier: Der Titel des Tabs zählt sie („(1) respite“). Für Benachrichtigungen erlauben Sie sie in den Website-Einstellungen des Browsers für diese Adresse.',
			notif_insecure: 'Dieser Browser erlaubt Benachrichtigungen nur unter https:// (oder auf der eigenen Adresse dieses Rechners): Vorschläge erscheinen nur hier, gezählt im Titel des Tabs. Fragen Sie die Administration nach der https://-Adresse von respite.',
			notif_none: 'Dieser Browser kann nicht benachrichtigen: Vorschläge erscheinen nur hier, gezählt im Titel des Tabs.',
			suggs_h: 'Vorschläge für Sie',
			suggs_none: 'Gerade nichts. Ein Vorschlag erscheint hier und als Benachrichtigung, wenn eine Pause guttun würde.',
			quiet_break: 'Sie sind in der Pause: Bis Sie zurück sind, meldet sich respite nicht.',
			quiet_offline: 'Für respite sind Sie gerade nicht bei der Arbeit (abgemeldet oder noch nicht gesehen): Vorschläge erscheinen, sobald Sie es sind.',
			quiet_waiting: '{n} Vorschlag/Vorschläge warten, bis Sie wieder arbeiten.',
			summary: 'Zeit für eine Pause von {m} Minuten',
			summary_any: 'Zeit für eine Pause',
			start: 'Pause starten', snooze: 'Später', dismiss: 'Verwerfen',
			snoozes_left: 'noch {n}-mal verschiebbar',
			snoozes_left1: 'noch einmal verschiebbar',
			no_snooze: 'Nicht mehr verschiebbar: Dieser Vorschlag lässt sich nur starten oder verwerfen.',
			sending: 'Wird gesendet…',
			k_recovery_break: 'Nehmen Sie sich vor dem nächsten Kontakt einen Moment für sich.',
			k_rest_break: 'Eine richtige Pause ist fällig.',
			k_micro_break: 'Eine kurze Pause jetzt hält Sie frisch.',
			r_none: 'respite schlägt eine Pause vor.',
			r_continuous: 'Sie arbeiten seit {d} ohne Pause.',
			r_day_none: 'Sie haben heute {d} ohne Pause gearbeitet.',
			r_day: 'Sie haben heute {d} gearbeitet, mit nur {b} Pause.',
			r_hostile1: 'Jemand war gerade feindselig zu Ihnen.',
			r_hostileN: 'Jemand war gerade feindselig zu Ihnen, zum {n}. Mal in der letzten Stunde.',
			r_hostiles: 'Sie hatten in der letzten Stunde {n} feindselige Nachricht(en).',
			min1: '1 Minute', minN: '{n} Minuten', h1: '1 Stunde', hN: '{n} Stunden',
			break_h: 'In der Pause',
			break_left: 'noch {t}',
			break_back: 'Zurück um {time}. Bis dahin meldet sich respite nicht.',
			break_elsewhere: 'Sie sind in der Pause.',
			break_end: 'Pause jetzt beenden',
			welcome_h: 'Willkommen zurück',
			welcome_text: 'Ihre Pause von {m} Minuten ist vorbei.',
			close: 'Schließen',
			me_h: 'Ihre Belastung jetzt',
			me_strain: 'Belastung {strain} von 100:',
			me_status: 'respite sieht Sie als: {status}.',
			st_working: 'arbeitet', st_on_break: 'in Pause', st_offline: 'abgemeldet',
			lv_ok: 'ok', lv_elevated: 'erhöht', lv_high: 'hoch', lv_critical: 'kritisch',
			f_intensity: 'Arbeitsdichte in der letzten Stunde: {v}× dessen, was auf Dauer tragbar ist.',
			f_occupancy: '{v} % der letzten Stunde mit Kontakten beschäftigt.',
			f_continuous: '{v} Arbeit seit Ihrer letzten Pause.',
			f_exposure: 'Feindselige Nachrichten in letzter Zeit (Belastung {v}; sie klingt im Lauf der Stunde ab).',
			f_points: '{v} Punkte',
			f_nothing: 'Gerade belastet Sie nichts.',
			me_today: 'Letzte Stunde: {t} Kontakt(e), {h} feindselige Nachricht(en). Pause heute: {b} min.',
			week_h: 'Ihre Woche',
			w_date: 'Tag', w_worked: 'Gearbeitet', w_breaks: 'Pausen',
			w_contacts: 'Kontakte', w_hostile: 'Feindselig', w_strain: 'Belastung (Mittel / Spitze)',
			w_suggs: 'Genommen / vorgeschlagen',
			offline_msg: 'respited ist nicht erreichbar. Die Seite versucht es selbst weiter.',
			rate_msg: 'Zu viele Anfragen mit diesem Token; neuer Versuch in {s} s.',
			error_msg: 'respited antwortet {status}: {msg}',
			gone_msg: 'Dieser Vorschlag ist nicht mehr offen.',
			answer_failed: 'Ihre Antwort ließ sich nicht senden ({msg}); die Knöpfe sind wieder da.',
			mode_open: 'Offener Modus: Dieser respited verlangt kein Token (er ist nur auf diesem Rechner erreichbar).',
			mode_token: 'Angemeldet mit einem Token, das nur in diesem Browser-Tab liegt.',
			mode_keep: 'Angemeldet mit einem Token, das auf diesem Computer bleibt, bis Sie „Token vergessen“ wählen.',
			badge: '({n}) respite',
			page_title: 'respite'
		}
	};

	const C = window.respiteCommon;	// common.js
	const { LANG, fmtTime, fmt1, fmt2, $, el, enc, sleep, store, load,
	    banner, clearBanner } = C;
	const query = new URLSearchParams(location.search);
	const t = C.words(WORDS);
	const fmtDate = new Intl.DateTimeFormat(LANG,
	    { weekday: 'short', day: 'numeric', month: 'numeric', timeZone: 'UTC' });

	// ------------------------------------------------------------ state

	const TOKEN_KEY = 'respite.token';
	const AGENT_KEY = 'respite.agent';
	const BREAK_KEY = 'respite.break';	// the countdown, across reloads
	const SOUND_KEY = 'respite.sound';
	const PENDING_BREAK_MS = 10000;	// accept -> on_break at most this
	const FETCH_RETRY_MS = 5000;
	const ANSWER_TRIES = 4;
	const NAME_RE = /^[A-Za-z0-9._@-]{1,64}$/;
	// A minute of the countdown: 60 s, shorter only for the tests
	// (?minute_ms=, like respite-notify's minute_ms).
	const MINUTE_MS = (() => {
		const v = parseInt(query.get('minute_ms') || '', 10);
		return v >= 50 && v <= 60000 ? v : 60000;
	})();

	// Stay signed in on this computer: only when the agent asks for it
	// (the installed app opens without the tab's sessionStorage), the
	// token is also kept in localStorage, until "Forget token" or until
	// respited refuses it.
	function kept() {
		try {
			return localStorage.getItem(TOKEN_KEY) || '';
		} catch (e) {
			return '';
		}
	}
	function keepToken(v) {
		try {
			if (v)
				localStorage.setItem(TOKEN_KEY, v);
			else
				localStorage.removeItem(TOKEN_KEY);
		} catch (e) {
			/* private mode: kept in this tab only */
		}
	}

	// The fragment first: read it, then take it out of the address bar
	// (and so out of the history) before anything else happens.
	let token = load(TOKEN_KEY) || kept();
	let keep = kept() !== '';
	let wantAgent = query.get('agent') || load(AGENT_KEY);
	(function readFragment() {
		const h = new URLSearchParams(location.hash.replace(/^#/, ''));
		if (h.has('token')) {
			token = h.get('token').trim();
			store(TOKEN_KEY, token);
			if (keep)
				keepToken(token);
		}
		if (h.has('agent'))
			wantAgent = h.get('agent');
		if (location.hash)
			history.replaceState(null, '', location.pathname +
			    location.search);
	})();

	const S = {
		gen: 0,
		agent: '',		// whose page this is
		open: false,		// open mode (role admin, no token)
		status: 'unknown',	// working, on_break, offline, unknown
		ready: false,		// the first fetch is done
		suggs: new Map(),	// id -> suggestion state
		detail: null,		// GET /v1/agents/{id}
		days: null,
		stream: null,
		fetching: false, refetch: false,
		cd: null,		// { end, minutes } the break's countdown
		pb: null,		// { minutes, timer } an accepted break
		welcome: 0,		// minutes of the break just over
		notified: [],		// for the test: ids and versions raised
		closed: [],		// ... and the ids of those closed
		answers: [],		// ... and the answers given, how they went
		lastError: ''
	};

	// ------------------------------------------------------------ API, badge

	const { api, stream } = C.client({ token: () => token });

	function setConn(state) {
		C.setConn(state, t(state));
	}
	function announce(text) {
		$('announce').textContent = text;
	}

	// ------------------------------------------------------------ sign in

	function showLogin(why, vars, askAgent) {
		stopStream();
		S.gen++;
		if (why === 'token_refused' || why === 'token_role')
			setToken('');
		for (const id of ['notif', 'break', 'welcome', 'suggs-sec', 'me',
		    'week'])
			$(id).hidden = true;
		$('login').hidden = false;
		$('login-why').textContent = t(why, vars);
		$('login-why').className = why === 'token_needed' ||
		    why === 'agent_needed' ? '' : 'error';
		$('agent-field').hidden = !askAgent;
		$('token').parentNode.querySelector('label[for=token]').hidden =
		    askAgent && !token;
		$('token').hidden = askAgent && !token;
		$('signout').hidden = !token;
		S.lastError = why;
		setConn('paused');
		clearBanner();
		closeAllNotifications();
		updateTitle();
		(askAgent ? $('agent-id') : $('token')).focus();
	}

	function setToken(v) {
		token = v;
		store(TOKEN_KEY, v);
		if (!v)
			setKeep(false);
		else if (keep)
			keepToken(v);
		$('signout').hidden = !v;
	}

	function setKeep(on) {
		keep = on && token !== '';
		keepToken(keep ? token : '');
		$('keep').checked = keep;
		$('login-keep').checked = keep;
		$('keep-field').hidden = !token || S.open;
		if (S.agent && $('login').hidden)
			$('mode').textContent = t(S.open ? 'mode_open' :
			    keep ? 'mode_keep' : 'mode_token');
	}

	// ------------------------------------------------------------ start

	async function start() {
		const gen = ++S.gen;
		let me;
		try {
			me = await api('/v1/me');
		} catch (e) {
			if (gen !== S.gen)
				return;
			if (e.status === 401) {
				showLogin(token ? 'token_refused' : 'token_needed');
			} else if (e.status === 0) {
				banner('offline', t('offline_msg'));
				setConn('offline');
				setTimeout(() => gen === S.gen && start(),
				    FETCH_RETRY_MS);
			} else {
				banner('error', t('error_msg', { status: e.status,
				    msg: e.message }));
				setTimeout(() => gen === S.gen && start(),
				    FETCH_RETRY_MS);
			}
			return;
		}
		if (gen !== S.gen)
			return;
		let agent;
		if (me.role === 'agent')
			agent = me.agent;
		else if (me.role === 'admin') {
			agent = wantAgent;
			if (!agent || !NAME_RE.test(agent)) {
				showLogin(agent ? 'agent_bad' : 'agent_needed', null,
				    true);
				return;
			}
		} else {
			showLogin('token_role', { role: me.role });
			return;
		}
		clearBanner();
		if (S.agent !== agent) {
			S.suggs.clear();
			S.ready = false;
			S.status = 'unknown';
			S.detail = null;
			S.days = null;
			S.lastEventId = null;
		}
		S.agent = agent;
		store(AGENT_KEY, me.role === 'admin' ? agent : '');
		S.open = me.role === 'admin' && !token;
		$('login').hidden = true;
		$('who').textContent = t('title_agent', { agent: agent });
		$('mode').textContent = t(S.open ? 'mode_open' :
		    keep ? 'mode_keep' : 'mode_token');
		$('keep').checked = keep;
		$('keep-field').hidden = !token || S.open;
		$('signout').hidden = !token;
		$('suggs-sec').hidden = false;
		$('me').hidden = false;
		S.lastError = '';
		renderNotif();
		resumeCountdown();
		startStream(gen);
	}

	// ------------------------------------------------------------ suggestions

	// The order of a suggestion's states (companion.c version_of()).
	function versionOf(status, snoozes) {
		if (status === 'open')
			return snoozes === 0 ? 0 : 2 * snoozes + 1;
		if (status === 'snoozed')
			return 2 * snoozes;
		return Infinity;
	}
	const STATUSES = ['open', 'snoozed', 'accepted', 'dismissed', 'expired'];

	function quiet() {
		return S.status !== 'working';
	}

	// A suggestion object from anywhere: the fetch, the stream or a reply.
	function applySuggestion(o) {
		if (!o || typeof o.id !== 'string' || o.agent !== S.agent ||
		    (o.audience && o.audience !== 'agent') ||
		    !STATUSES.includes(o.status))
			return;
		const v = versionOf(o.status, o.snoozes | 0);
		let s = S.suggs.get(o.id);
		const known = s !== undefined;
		if (!s) {
			s = { id: o.id, version: -1, shown: -1, busy: false,
			    tries: 0 };
			S.suggs.set(o.id, s);
		}
		if (v <= s.version)
			return;		// old news, or news we have
		const prev = s.status;
		s.kind = o.kind || '';
		s.priority = o.priority || 'normal';
		s.reason = o.reason || '';
		s.minutes = o.minutes | 0;
		s.snoozes = o.snoozes | 0;
		s.snoozesLeft = o.snoozes_left !== undefined ?
		    Math.max(0, o.snoozes_left | 0) : Math.max(0, 2 - s.snoozes);
		s.snoozedUntil = o.snoozed_until || null;
		s.status = o.status;
		s.version = v;
		// One we knew open that is now accepted starts a break (ours or
		// one accepted elsewhere); one first heard of as accepted does not.
		if (o.status === 'accepted' && known && prev !== 'accepted')
			breakAccepted(s);
		refresh(s);
	}

	// Should s be up (listed with its buttons, notified)?  Make it so.
	function refresh(s) {
		const want = S.ready && s.status === 'open' && !quiet();
		if (want && s.shown !== s.version) {
			s.shown = s.version;
			raise(s);
		} else if (!want) {
			if (s.status === 'open')
				s.shown = -1;	// hidden by quiet time: back at work
			closeNotification(s.id);
		}
		scheduleRender();
	}
	function refreshAll() {
		for (const s of S.suggs.values())
			refresh(s);
		scheduleRender();
	}

	// ------------------------------------------------------------ words

	function duration(min) {
		const h = Math.floor(min / 60), m = min % 60;
		const ms = m === 1 ? t('min1') : t('minN', { n: m });
		if (h === 0)
			return ms;
		const hs = h === 1 ? t('h1') : t('hN', { n: h });
		return m === 0 ? hs : hs + ' ' + ms;
	}
	function ordinal(n) {
		if (LANG === 'de')
			return String(n);
		const r = n % 100 >= 11 && n % 100 <= 13 ? 'th' :
		    n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' :
		    n % 10 === 3 ? 'rd' : 'th';
		return n + r;
	}
	// respited's reason in plain words (ntext.c ntext_plain_reason()).
	function plainReason(reason) {
		let m;
		if (!reason)
			return t('r_none');
		if ((m = /^(\d+) minutes of work without a break$/.exec(reason)))
			return t('r_continuous', { d: duration(+m[1]) });
		if ((m = /^worked (\d+)h(\d+) today with (\d+) minutes of breaks$/
		    .exec(reason)) && +m[2] < 60)
			return +m[3] === 0 ?
			    t('r_day_none', { d: duration(+m[1] * 60 + +m[2]) }) :
			    t('r_day', { d: duration(+m[1] * 60 + +m[2]),
			    b: duration(+m[3]) });
		if ((m = /^a hostile message of severity [\d.]+ \((\d+) in the last hour, exposure [\d.]+\)$/
		    .exec(reason)))
			return +m[1] > 1 ? t('r_hostileN', { n: ordinal(+m[1]) }) :
			    t('r_hostile1');
		if ((m = /^(\d+) hostile messages in the last hour \(exposure [\d.]+\)$/
		    .exec(reason)))
			return t('r_hostiles', { n: +m[1] });
		let s = reason.charAt(0).toUpperCase() + reason.slice(1);
		if (!/[.!?]$/.test(s))
			s += '.';
		return s;
	}
	function summaryOf(s) {
		return s.minutes > 0 ? t('summary', { m: s.minutes }) :
		    t('summary_any');
	}
	function bodyOf(s) {
		const k = 'k_' + s.kind;
		return plainReason(s.reason) + (WORDS.en[k] ? ' ' + t(k) :
		    ' ' + t('k_micro_break'));
	}

	// ------------------------------------------------------------ notifications

	let swReg = null;
	function notifState() {
		if (!('Notification' in window))
			return window.isSecureContext === false ? 'insecure' : 'none';
		return Notification.permission;	// default, granted, denied
	}

	function renderNotif() {
		const st = notifState();
		const box = $('notif');
		box.hidden = st === 'granted' || !S.agent;
		$('notif-allow').hidden = st !== 'default';
		$('notif-text').textContent = t({ default: 'notif_ask',
		    denied: 'notif_denied', insecure: 'notif_insecure',
		    none: 'notif_none' }[st] || 'notif_none');
	}

	// Raise the notification of suggestion s (a new open version).
	async function raise(s) {
		const rec = { id: s.id, version: s.version, at: Date.now(),
		    how: 'page' };
		S.notified.push(rec);
		beep();
		announce(summaryOf(s) + '. ' + bodyOf(s));
		if (notifState() !== 'granted')
			return;
		const title = summaryOf(s);
		const opts = { body: bodyOf(s), tag: s.id, icon: '/agent-192.png',
		    badge: '/agent-192.png', lang: LANG,
		    requireInteraction: true, renotify: true,
		    data: { id: s.id, agent: S.agent } };
		if (swReg && swReg.active) {
			// As many as the browser shows (Chrome: 2), in this
			// order; the page itself always has all three.
			opts.actions = [{ action: 'start', title: t('start') }];
			if (s.snoozesLeft > 0)
				opts.actions.push({ action: 'snooze',
				    title: t('snooze') });
			opts.actions.push({ action: 'dismiss', title: t('dismiss') });
			opts.actions = opts.actions.slice(0,
			    Notification.maxActions || 0);
			rec.actions = opts.actions.map((a) => a.action);
			try {
				await swReg.showNotification(title, opts);
				rec.how = 'worker';
				return;
			} catch (e) {
				rec.how = 'worker failed: ' + e.message;
			}
		}
		try {
			delete opts.actions;
			const n = new Notification(title, opts);
			rec.how += ', plain';
			plain.set(s.id, n);
			n.onclick = () => {
				window.focus();
				n.close();
			};
		} catch (e) {
			/* Chrome on Android: only through the worker */
		}
	}
	const plain = new Map();	// id -> Notification (no worker)

	async function closeNotification(id) {
		const n = plain.get(id);
		if (n) {
			n.close();
			plain.delete(id);
		}
		if (swReg) {
			try {
				for (const x of await swReg.getNotifications({ tag: id })) {
					x.close();
					S.closed.push(id);
				}
			} catch (e) {
				/* none */
			}
		}
	}
	function closeAllNotifications() {
		for (const id of [...plain.keys(), ...S.suggs.keys()])
			closeNotification(id);
	}

	// Optional sound (off by default): a short soft tone, no file.
	let audio = null;
	function beep() {
		if (!$('sound').checked)
			return;
		try {
			audio = audio || new AudioContext();
			const o = audio.createOscillator(), g = audio.createGain();
			o.frequency.value = 660;
			g.gain.setValueAtTime(0.001, audio.currentTime);
			g.gain.exponentialRampToValueAtTime(0.2, audio.currentTime + 0.05);
			g.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.6);
			o.connect(g).connect(audio.destination);
			o.start();
			o.stop(audio.currentTime + 0.65);
		} catch (e) {
			/* no audio */
		}
	}

	function updateTitle() {
		const n = [...S.suggs.values()].filter((s) => s.status === 'open' &&
		    !quiet()).length;
		document.title = n > 0 ? t('badge', { n: n }) : t('page_title');
	}

	// ------------------------------------------------------------ answers

	async function answer(id, action) {
		const s = S.suggs.get(id);
		const rec = { id: id, action: action, at: Date.now(),
		    busy: s ? s.busy : null, status: s ? s.status : null };
		S.answers.push(rec);
		if (!s || s.busy || s.status !== 'open')
			return;
		if (action === 'snooze' && s.snoozesLeft <= 0)
			return;
		s.busy = true;
		s.tries = 0;
		scheduleRender();
		closeNotification(id);
		const body = { action: action === 'start' ? 'accept' : action };
		for (;;) {
			try {
				const r = await api('/v1/suggestions/' + enc(id),
				    { method: 'POST', body: body });
				rec.result = 200;
				s.busy = false;
				applySuggestion(r);
				break;
			} catch (e) {
				rec.result = e.status;
				s.busy = false;
				if (e.status === 409 && action === 'snooze' &&
				    s.status === 'open') {
					// No snooze left: back without Snooze.
					s.snoozesLeft = 0;
					s.shown = -1;
					refresh(s);
					fetchAll();
				} else if (e.status === 409) {
					banner('info', t('gone_msg'));
					setTimeout(() => clearBanner('info'), 5000);
					fetchAll();
				} else if (e.status === 401) {
					showLogin('token_refused');
				} else if ((e.status === 0 || e.status >= 500) &&
				    ++s.tries < ANSWER_TRIES) {
					s.busy = true;
					await sleep(1000 * (1 << s.tries));
					if (s.status === 'open')
						continue;
					s.busy = false;
				} else {
					banner('error', t('answer_failed',
					    { msg: e.message }));
					s.shown = -1;
					refresh(s);
				}
				break;
			}
		}
		scheduleRender();
	}

	// ------------------------------------------------------------ the break

	function breakAccepted(s) {
		const minutes = s.minutes > 0 ? s.minutes : 5;
		if (S.status === 'on_break') {
			cdStart(minutes);
			return;
		}
		pbClear();
		S.pb = { minutes: minutes, timer: setTimeout(() => {
			S.pb = null;
		}, PENDING_BREAK_MS) };
	}
	function pbClear() {
		if (S.pb)
			clearTimeout(S.pb.timer);
		S.pb = null;
	}

	let cdTimer = 0;
	function cdStart(minutes) {
		pbClear();
		S.cd = { end: Date.now() + minutes * MINUTE_MS, minutes: minutes };
		store(BREAK_KEY, JSON.stringify({ agent: S.agent, end: S.cd.end,
		    minutes: minutes }));
		S.welcome = 0;
		cdTick();
	}
	function cdStop() {
		clearTimeout(cdTimer);
		cdTimer = 0;
		S.cd = null;
		store(BREAK_KEY, null);
	}
	// A reload during the break: its countdown goes on.
	function resumeCountdown() {
		if (S.cd)
			return;
		try {
			const b = JSON.parse(load(BREAK_KEY) || 'null');
			if (b && b.agent === S.agent && b.end > 0) {
				S.cd = { end: b.end, minutes: b.minutes };
				cdTick();
			}
		} catch (e) {
			store(BREAK_KEY, null);
		}
	}
	function cdTick() {
		clearTimeout(cdTimer);
		if (!S.cd)
			return;
		const left = S.cd.end - Date.now();
		if (left <= 0) {
			cdFinish(true);
			return;
		}
		scheduleRender();
		cdTimer = setTimeout(cdTick, Math.min(1000, left));
	}
	function cdFinish(natural) {
		const minutes = S.cd ? S.cd.minutes : 0;
		cdStop();
		breakEnd(0);
		if (natural) {
			S.welcome = minutes;
			announce(t('welcome_h') + '. ' + t('welcome_text',
			    { m: minutes }));
			if (notifState() === 'granted' && document.hidden) {
				try {
					const opts = { body: t('welcome_text',
					    { m: minutes }), tag: 'respite-welcome',
					    icon: '/agent-192.png', silent: true };
					if (swReg && swReg.active)
						swReg.showNotification(t('welcome_h'), opts);
					else
						new Notification(t('welcome_h'), opts);
				} catch (e) {
					/* the page says it */
				}
			}
		}
		scheduleRender();
	}
	async function breakEnd(tries) {
		try {
			await api('/v1/agents/' + enc(S.agent) + '/break',
			    { method: 'POST', body: { action: 'end' } });
		} catch (e) {
			// 409: it had already ended.
			if ((e.status === 0 || e.status >= 500) && tries < 5) {
				await sleep(1000 * (1 << (tries + 1)));
				breakEnd(tries + 1);
			}
		}
	}

	function applyStatus(st) {
		if (st === S.status)
			return;
		S.status = st;
		if (st === 'on_break' && S.pb)
			cdStart(S.pb.minutes);
		else if (st !== 'on_break' && S.cd)
			cdStop();	// ended elsewhere: no word
		if (st === 'working')
			pbClear();
		refreshAll();
	}

	// ------------------------------------------------------------ fetching

	// The agent's status and open suggestions (again): after each
	// (re)connection of the stream, so nothing falls between the two.
	async function fetchAll() {
		if (S.fetching) {
			S.refetch = true;
			return;
		}
		S.fetching = true;
		const gen = S.gen;
		try {
			let a = null;
			try {
				a = await api('/v1/agents/' + enc(S.agent));
			} catch (e) {
				if (e.status !== 404)
					throw e;
			}
			if (gen !== S.gen)
				return;
			S.detail = a;
			applyStatus(a ? a.status : 'offline');
			const l = await api('/v1/suggestions?agent=' + enc(S.agent) +
			    '&status=open&limit=1000');
			if (gen !== S.gen)
				return;
			S.ready = true;
			for (const o of l.suggestions)
				applySuggestion(o);
			// Open ones respited no longer lists were answered
			// elsewhere while we were away: the stream replay
			// says how; until then they are not shown as open.
			refreshAll();
			loadDays(gen);
		} catch (e) {
			if (gen !== S.gen)
				return;
			if (e.status === 401) {
				showLogin('token_refused');
				return;
			}
			if (e.status === 403) {
				showLogin('token_role', { role: 'other' });
				return;
			}
			setTimeout(() => gen === S.gen && fetchAll(), FETCH_RETRY_MS);
		} finally {
			S.fetching = false;
			if (S.refetch && gen === S.gen) {
				S.refetch = false;
				fetchAll();
			}
			scheduleRender();
		}
	}

	let detailTimer = 0;
	function scheduleDetail() {
		if (detailTimer)
			return;
		const gen = S.gen;
		detailTimer = setTimeout(async () => {
			detailTimer = 0;
			try {
				const a = await api('/v1/agents/' + enc(S.agent));
				if (gen === S.gen) {
					S.detail = a;
					scheduleRender();
					loadDays(gen);
				}
			} catch (e) {
				/* the next event tries again */
			}
		}, 500);
	}

	let daysAt = 0;
	async function loadDays(gen) {
		// At most once a minute while there are days; a day changes
		// slowly (and the week not at all).
		if (S.days && S.days.length > 0 && Date.now() - daysAt < 60000)
			return;
		daysAt = Date.now();
		try {
			const d = await api('/v1/agents/' + enc(S.agent) + '/days');
			if (gen === S.gen) {
				S.days = d && Array.isArray(d.days) ? d.days.slice(-7) :
				    null;
				scheduleRender();
			}
		} catch (e) {
			/* no days (an older respited, or none yet) */
		}
	}

	// ------------------------------------------------------------ the stream

	function stopStream() {
		if (S.stream) {
			S.stream.ctl.abort();
			S.stream = null;
		}
	}
	function startStream(gen) {
		stopStream();
		S.stream = stream({ gen: gen, agent: S.agent,
		    lastId: S.lastEventId || null }, LIVE);
	}
	// What the stream means to this page.
	const LIVE = {
		path: (st) => '/v1/stream?agent=' + enc(st.agent),
		setConn: setConn,
		opened: () => fetchAll(),
		refused: (e) => e.status === 401 ? showLogin('token_refused') :
		    showLogin('token_role', { role: 'other' }),
		offline: () => t('offline_msg'),
		event: onEvent,
		id: (id) => {
			S.lastEventId = id;
		},
		maxFails: 3,
		onLine: false
	};

	// An event of the stream, its data parsed (common.js).
	function onEvent(type, d) {
		if (!d || d.agent !== S.agent)
			return;
		if (type === 'suggestion')
			applySuggestion(d);
		else if (type === 'agent')
			applyStatus(d.status);
		else if (type === 'level' && S.detail) {
			S.detail.level = d.level;
			S.detail.strain = d.strain;
		}
		scheduleDetail();
		scheduleRender();
	}

	// ------------------------------------------------------------ render

	let renderQueued = false;
	function scheduleRender() {
		if (renderQueued)
			return;
		renderQueued = true;
		requestAnimationFrame(() => {
			renderQueued = false;
			render();
		});
		// A page behind other windows gets no animation frames.
		setTimeout(() => {
			if (renderQueued) {
				renderQueued = false;
				render();
			}
		}, 250);
	}

	function render() {
		if (!S.agent || !$('login').hidden)
			return;
		renderNotif();
		renderBreak();
		renderSuggs();
		renderMe();
		renderWeek();
		updateTitle();
	}

	function renderBreak() {
		const box = $('break');
		if (S.cd) {
			const left = Math.max(0, S.cd.end - Date.now());
			const secs = Math.ceil(left / (MINUTE_MS / 60));
			const mm = Math.floor(secs / 60), ss = secs % 60;
			box.hidden = false;
			$('break-h').textContent = t('break_h');
			$('break-left').textContent = t('break_left', { t: mm + ':' +
			    String(ss).padStart(2, '0') });
			$('break-back').textContent = t('break_back', { time:
			    fmtTime.format(new Date(S.cd.end)) });
			$('break-end').hidden = false;
		} else if (S.status === 'on_break') {
			box.hidden = false;
			$('break-h').textContent = t('break_h');
			$('break-left').textContent = '';
			$('break-back').textContent = t('break_elsewhere');
			$('break-end').hidden = false;
		} else
			box.hidden = true;
		$('welcome').hidden = !(S.welcome > 0);
		if (S.welcome > 0)
			$('welcome-text').textContent = t('welcome_text',
			    { m: S.welcome });
	}

	function renderSuggs() {
		const open = [...S.suggs.values()].filter((s) =>
		    s.status === 'open').sort((a, b) => (a.id < b.id ? -1 : 1));
		const shown = quiet() ? [] : open;
		const ul = $('suggs');
		// Keep a card that did not change: focus stays on its button.
		const have = new Map([...ul.children].map((li) =>
		    [li.dataset.id, li]));
		const kids = shown.map((s) => {
			const key = s.version + '/' + s.busy + '/' + s.snoozesLeft;
			const li = have.get(s.id);
			if (li && li.dataset.key === key)
				return li;
			return card(s, key);
		});
		ul.replaceChildren(...kids);
		$('suggs-none').hidden = shown.length > 0 || quiet();
		const q = $('quiet');
		if (quiet() && S.ready) {
			let text = t(S.status === 'on_break' ? 'quiet_break' :
			    'quiet_offline');
			if (open.length > 0)
				text += ' ' + t('quiet_waiting', { n: open.length });
			q.textContent = text;
			q.hidden = false;
		} else
			q.hidden = true;
	}

	function card(s, key) {
		const actions = el('div', { class: 'actions' },
		    el('button', { type: 'button', class: 'primary',
		    'data-action': 'start', disabled: s.busy,
		    onclick: () => answer(s.id, 'start'), text: t('start') }),
		    s.snoozesLeft > 0 ? el('button', { type: 'button',
		    'data-action': 'snooze', disabled: s.busy,
		    onclick: () => answer(s.id, 'snooze'), text: t('snooze') }) :
		    null,
		    el('button', { type: 'button', 'data-action': 'dismiss',
		    disabled: s.busy, onclick: () => answer(s.id, 'dismiss'),
		    text: t('dismiss') }));
		return el('li', { class: 'sugg prio-' + s.priority,
		    'data-id': s.id, 'data-key': key },
		    el('h3', { text: summaryOf(s) }),
		    el('p', { text: bodyOf(s) }),
		    actions,
		    el('p', { class: 'note', text: s.busy ? t('sending') :
		    s.snoozesLeft === 1 ? t('snoozes_left1') :
		    s.snoozesLeft > 1 ? t('snoozes_left', { n: s.snoozesLeft }) :
		    t('no_snooze') }));
	}

	function renderMe() {
		const a = S.detail;
		if (!a) {
			$('me-state').textContent = t('me_status',
			    { status: t('st_offline') });
			$('factors').replaceChildren();
			$('me-today').textContent = '';
			return;
		}
		$('me-state').replaceChildren(
		    t('me_strain', { strain: a.strain }) + ' ',
		    el('span', { class: 'lvl lvl-' + a.level,
		    text: t('lv_' + a.level) }), '. ',
		    t('me_status', { status: t('st_' + a.status) }));
		const f = a.factors || {};
		const items = [];
		const fmtv = { intensity: (v) => fmt2.format(v),
		    occupancy: (v) => fmt1.format(v * 100),
		    continuous: (v) => duration(Math.round(v)),
		    exposure: (v) => fmt2.format(v) };
		for (const k of ['continuous', 'exposure', 'intensity',
		    'occupancy']) {
			if (!f[k] || !(f[k].points > 0))
				continue;
			items.push({ pts: f[k].points, li: el('li', null,
			    t('f_' + k, { v: fmtv[k](f[k].value) }), ' ',
			    el('span', { class: 'pts', text: '(' + t('f_points',
			    { v: fmt1.format(f[k].points) }) + ')' })) });
		}
		items.sort((x, y) => y.pts - x.pts);
		$('factors').replaceChildren(...(items.length ? items.map((x) =>
		    x.li) : [el('li', { text: t('f_nothing') })]));
		const m = a.metrics || {};
		$('me-today').textContent = t('me_today', {
		    t: m.tickets_last_hour | 0, h: m.hostile_last_hour | 0,
		    b: m.minutes_on_break_today | 0 });
	}

	function renderWeek() {
		const days = S.days;
		$('week').hidden = !days || days.length === 0;
		if (!days || days.length === 0)
			return;
		const th = (k) => el('th', { scope: 'col', text: t(k) });
		const head = el('tr', null, th('w_date'), th('w_worked'),
		    th('w_breaks'), th('w_contacts'), th('w_hostile'),
		    th('w_strain'), th('w_suggs'));
		const rows = days.map((d) => {
			const c = d.contacts || {};
			const contacts = Object.values(c).reduce((n, x) => n + x, 0);
			const sg = d.suggestions || {};
			return el('tr', null,
			    el('th', { scope: 'row', text: fmtDate.format(
			    new Date(d.date + 'T12:00:00Z')) }),
			    el('td', { text: duration(d.worked_min | 0) }),
			    el('td', { text: (d.break_min | 0) + ' min' }),
			    el('td', { text: String(contacts) }),
			    el('td', { text: String(d.hostile | 0) }),
			    el('td', { text: Math.round(d.strain_mean) + ' / ' +
			    d.strain_peak }),
			    el('td', { text: (sg.accepted | 0) + ' / ' +
			    (sg.raised | 0) }));
		});
		$('week-table').replaceChildren(el('thead', null, head),
		    el('tbody', null, ...rows));
	}

	// ------------------------------------------------------------ init

	async function registerWorker() {
		if (!('serviceWorker' in navigator))
			return;
		try {
			swReg = await navigator.serviceWorker.register('/agent-sw.js',
			    { scope: '/agent' });
			await navigator.serviceWorker.ready;
			swReg = await navigator.serviceWorker.getRegistration('/agent') ||
			    swReg;
		} catch (e) {
			swReg = null;
		}
	}

	function init() {
		C.translate(t);
		document.title = t('page_title');
		$('sound').checked = load(SOUND_KEY) === '1';
		$('login-keep').checked = keep;
		setConn('connecting');
		$('login-form').addEventListener('submit', (e) => {
			e.preventDefault();
			const v = $('token').value.trim();
			const a = $('agent-id').value.trim();
			$('token').value = '';
			if (v)
				setToken(v);
			if (a)
				wantAgent = a;
			setKeep($('login-keep').checked);
			start();
		});
		$('keep').addEventListener('change', () =>
		    setKeep($('keep').checked));
		$('signout').addEventListener('click', () => {
			setToken('');
			store(AGENT_KEY, null);
			cdStop();
			S.agent = '';
			S.suggs.clear();
			showLogin('token_needed');
		});
		$('notif-allow').addEventListener('click', async () => {
			try {
				await Notification.requestPermission();
			} catch (e) {
				/* the state says it */
			}
			renderNotif();
			refreshAll();
		});
		$('sound').addEventListener('change', () => {
			store(SOUND_KEY, $('sound').checked ? '1' : null);
			if ($('sound').checked) {
				try {
					audio = audio || new AudioContext();
				} catch (e) {
					audio = null;
				}
			}
		});
		$('break-end').addEventListener('click', () => {
			if (S.cd)
				cdFinish(false);
			else
				breakEnd(0);
		});
		$('welcome-close').addEventListener('click', () => {
			S.welcome = 0;
			scheduleRender();
		});
		if ('serviceWorker' in navigator)
			navigator.serviceWorker.addEventListener('message', (e) => {
				const m = e.data || {};
				if (m.type !== 'respite-notification' ||
				    !S.suggs.has(m.id))
					return;
				window.focus();
				if (m.action === 'start' || m.action === 'snooze' ||
				    m.action === 'dismiss')
					answer(m.id, m.action);
				else {
					const li = document.querySelector(
					    '#suggs li[data-id="' + CSS.escape(m.id) + '"] button');
					if (li)
						li.focus();
				}
			});
		if (navigator.permissions)
			navigator.permissions.query({ name: 'notifications' })
			    .then((p) => {
				p.onchange = () => {
					renderNotif();
					refreshAll();
				};
			}).catch(() => {});
		window.addEventListener('online', () => {
			if (S.stream)
				startStream(S.gen);
		});
		registerWorker().finally(() => start());
	}

	// For the browser test: the page's own view of what it shows.
	window.respiteAgent = {
		state: () => ({ agent: S.agent, status: S.status, ready: S.ready,
		    open: S.open, lang: LANG, permission: notifState(),
		    worker: !!(swReg && swReg.active),
		    suggestions: [...S.suggs.values()].map((s) => ({ id: s.id,
		    status: s.status, version: s.version, snoozes: s.snoozes,
		    snoozesLeft: s.snoozesLeft })),
		    notified: S.notified.slice(), closed: S.closed.slice(),
		    answers: S.answers.slice(),
		    countdown: S.cd ?
		    { end: S.cd.end, minutes: S.cd.minutes } : null,
		    welcome: S.welcome, lastEventId: S.lastEventId || null,
		    error: S.lastError })
	};

	C.ready(init);
})();
