/*
 * respite – what the team lead's page (app.js) and the agent's page
 * (agent.js) share: the language and its words, building elements, the
 * session's storage, requests to the v1 API with the token, the banner,
 * the connection badge, and the live stream.
 *
 * Each page loads this file before its own script (both with defer, so
 * in that order); it defines window.respiteCommon and nothing else.
 * Where the pages differ, the page says how: its words, where its token
 * is, what a reply or an event means to it.
 *
 * The stream is read with fetch() rather than EventSource, which cannot
 * send an Authorization header: a token in the URL would end up in logs
 * and in respited's audit records.  The parser below follows the SSE
 * rules (id:, event:, data:, retry:, comments) and reconnects with
 * Last-Event-ID, as EventSource would.
 */
'use strict';

window.respiteCommon = (function () {
	// ------------------------------------------------------------ words

	const query = new URLSearchParams(location.search);
	const LANG = (query.get('lang') || navigator.language || 'en')
	    .toLowerCase().startsWith('de') ? 'de' : 'en';

	// The page's t(key, vars) over its WORDS ({ en: {...}, de: {...} }):
	// the word in LANG, else in English, else the key; {name} filled in.
	function words(WORDS) {
		return function t(key, vars) {
			let s = WORDS[LANG][key];
			if (s === undefined)
				s = WORDS.en[key] !== undefined ? WORDS.en[key] : key;
			if (vars)
				s = s.replace(/\{(\w+)\}/g, (m, k) =>
				    vars[k] !== undefined && vars[k] !== null ?
				    String(vars[k]) : m);
			return s;
		};
	}
	const fmtTime = new Intl.DateTimeFormat(LANG,
	    { hour: '2-digit', minute: '2-digit' });
	const fmt1 = new Intl.NumberFormat(LANG, { maximumFractionDigits: 1 });
	const fmt2 = new Intl.NumberFormat(LANG, { maximumFractionDigits: 2 });

	// The page's fixed text (data-i18n) in LANG.
	function translate(t) {
		document.documentElement.lang = LANG;
		for (const e of document.querySelectorAll('[data-i18n]'))
			e.textContent = t(e.dataset.i18n);
	}

	// init() once the page is there.
	function ready(init) {
		if (document.readyState === 'loading')
			document.addEventListener('DOMContentLoaded', init);
		else
			init();
	}

	// ------------------------------------------------------------ elements

	const $ = (id) => document.getElementById(id);
	function el(tag, attrs, ...kids) {
		const e = document.createElement(tag);
		for (const [k, v] of Object.entries(attrs || {})) {
			if (v === undefined || v === null || v === false)
				continue;
			if (k === 'class')
				e.className = v;
			else if (k === 'text')
				e.textContent = v;
			else if (k.startsWith('on'))
				e.addEventListener(k.slice(2), v);
			else
				e.setAttribute(k, v === true ? '' : v);
		}
		for (const c of kids)
			if (c !== null && c !== undefined)
				e.append(c);
		return e;
	}
	const enc = encodeURIComponent;
	const sleep = (ms, signal) => new Promise((resolve) => {
		const tm = setTimeout(resolve, ms);
		if (signal)
			signal.addEventListener('abort', () => {
				clearTimeout(tm);
				resolve();
			}, { once: true });
	});

	// sessionStorage: this tab, until it is closed ('' or null removes).
	function store(key, v) {
		try {
			if (v === null || v === '')
				sessionStorage.removeItem(key);
			else
				sessionStorage.setItem(key, v);
		} catch (e) {
			/* private mode: it lives in this page only */
		}
	}
	function load(key) {
		try {
			return sessionStorage.getItem(key) || '';
		} catch (e) {
			return '';
		}
	}

	// ------------------------------------------------------------ banner, badge

	let kind = '';
	function banner(k, text) {
		kind = k;
		$('banner').textContent = text;
		$('banner').className = 'banner banner-' + k;
		$('banner').hidden = false;
	}
	// Take the banner away; with k, only a banner of that kind.
	function clearBanner(k) {
		if (k && k !== kind)
			return;
		kind = '';
		$('banner').hidden = true;
		$('banner').textContent = '';
	}
	const bannerKind = () => kind;

	// The connection badge: state (connecting, live, ...) and its word.
	function setConn(state, text) {
		$('conn').className = 'conn conn-' + state;
		$('conn-text').textContent = text;
	}

	// ------------------------------------------------------------ API

	class ApiError extends Error {
		constructor(status, code, message, retryAfter) {
			super(message);
			this.status = status;
			this.code = code;
			this.retryAfter = retryAfter;
		}
	}

	/*
	 * The page's way to respited: o.token() is its token ('' for none);
	 * o.answered(), if given, runs after each good reply of api().
	 */
	function client(o) {
		/*
		 * One request to respited with the token (the JSON API's and
		 * the stream's): the response if it is 2xx, else an ApiError
		 * with the API's error code, message and Retry-After; status 0,
		 * 'offline', when nothing answers.  An abort is passed on as it
		 * is.
		 */
		async function request(path, opts) {
			const headers = Object.assign({ Accept: opts.accept ||
			    'application/json' }, opts.headers);
			const token = o.token();
			if (token)
				headers.Authorization = 'Bearer ' + token;
			let res;
			try {
				res = await fetch(path, { method: opts.method || 'GET',
				    headers: headers, body: opts.body, cache: 'no-store',
				    credentials: 'omit', signal: opts.signal });
			} catch (e) {
				if (e.name === 'AbortError')
					throw e;
				throw new ApiError(0, 'offline', String(e.message || e));
			}
			if (!res.ok) {
				let err = {};
				try {
					err = (await res.json()).error || {};
				} catch (e) {
					err = {};
				}
				throw new ApiError(res.status, err.code || 'http_' +
				    res.status, err.message || res.statusText,
				    parseInt(res.headers.get('Retry-After') || '0', 10));
			}
			return res;
		}

		// A JSON request (opts.body is sent as JSON): the reply's JSON.
		async function api(path, opts) {
			opts = opts || {};
			const headers = {};
			let body;
			if (opts.body !== undefined) {
				headers['Content-Type'] = 'application/json';
				body = JSON.stringify(opts.body);
			}
			const res = await request(path, { method: opts.method,
			    headers: headers, body: body, signal: opts.signal });
			let data = null;
			try {
				data = await res.json();
			} catch (e) {
				data = null;
			}
			if (o.answered)
				o.answered();
			return data;
		}

		/*
		 * The live stream, until the page stops it (st.ctl.abort()):
		 * fields (lastId, and whatever the page keeps there) make the
		 * stream's state st, which is returned.  h says what the page
		 * wants:
		 *   path(st)       the stream's URL;
		 *   setConn(state) the connection badge;
		 *   opened(resumed) connected (resumed: again, after a gap);
		 *   refused(e)     a 401 or 403: the stream stops;
		 *   offline()      the offline banner's text;
		 *   event(type, d) one event, d its data parsed;
		 *   id(id)         (optional) each new Last-Event-ID;
		 *   maxFails       how often the wait after a failure doubles;
		 *   onLine         navigator.onLine false counts as offline.
		 */
		function stream(fields, h) {
			const st = Object.assign({ ctl: new AbortController(),
			    lastId: null, retry: 3000, fails: 0, connected: false },
			    fields);
			runStream(st, h);
			return st;
		}

		async function runStream(st, h) {
			const signal = st.ctl.signal;
			while (!signal.aborted) {
				h.setConn(st.connected ? 'reconnecting' : 'connecting');
				const conn = new AbortController();
				const onAbort = () => conn.abort();
				signal.addEventListener('abort', onAbort, { once: true });
				let idle = 0;
				const kick = () => {
					clearTimeout(idle);
					// respited sends a comment every 15 s: 45 s of silence is a dead line.
					idle = setTimeout(() => conn.abort(), 45000);
				};
				try {
					const headers = {};
					if (st.lastId !== null)
						headers['Last-Event-ID'] = st.lastId;
					kick();
					const res = await request(h.path(st),
					    { accept: 'text/event-stream', headers: headers,
					    signal: conn.signal });
					h.setConn('live');
					clearBanner('offline');
					const resumed = st.connected;
					st.connected = true;
					st.fails = 0;
					// Subscribed first, read second: no gap.
					h.opened(resumed);
					await readEvents(res.body, st, kick, h);
				} catch (e) {
					if (signal.aborted) {
						clearTimeout(idle);
						return;
					}
					if (e instanceof ApiError &&
					    (e.status === 401 || e.status === 403)) {
						clearTimeout(idle);
						h.refused(e);
						return;
					}
					// Nothing answers (status 0), or the line broke while
					// reading (the body's TypeError).
					if (((e instanceof ApiError && e.status === 0) ||
					    e instanceof TypeError) && !conn.signal.aborted)
						banner('offline', h.offline());
				} finally {
					clearTimeout(idle);
					signal.removeEventListener('abort', onAbort);
				}
				if (signal.aborted)
					return;
				h.setConn(kind === 'offline' || (h.onLine &&
				    navigator.onLine === false) ? 'offline' : 'reconnecting');
				const wait = Math.min(30000, st.retry * Math.pow(2, st.fails)) *
				    (0.8 + 0.4 * Math.random());
				st.fails = Math.min(st.fails + 1, h.maxFails);
				await sleep(wait, signal);
			}
		}

		return { api: api, stream: stream };
	}

	// Server-Sent Events over a fetch() body.
	async function readEvents(body, st, kick, h) {
		const reader = body.getReader();
		const dec = new TextDecoder();
		let buf = '';
		let ev = { event: '', data: [], id: null };
		for (;;) {
			const { value, done } = await reader.read();
			if (done)
				return;
			kick();
			buf += dec.decode(value, { stream: true });
			let m;
			while ((m = /\r\n|\r|\n/.exec(buf)) !== null) {
				// A lone \r at the end may be half of \r\n: wait.
				if (m[0] === '\r' && m.index === buf.length - 1)
					break;
				const line = buf.slice(0, m.index);
				buf = buf.slice(m.index + m[0].length);
				if (line === '') {
					if (ev.id !== null) {
						st.lastId = ev.id;
						if (h.id)
							h.id(ev.id);
					}
					if (ev.data.length > 0)
						deliver(ev.event || 'message',
						    ev.data.join('\n'), st, h);
					ev = { event: '', data: [], id: null };
					continue;
				}
				if (line[0] === ':')
					continue;
				const i = line.indexOf(':');
				const field = i < 0 ? line : line.slice(0, i);
				let v = i < 0 ? '' : line.slice(i + 1);
				if (v[0] === ' ')
					v = v.slice(1);
				if (field === 'event')
					ev.event = v;
				else if (field === 'data')
					ev.data.push(v);
				else if (field === 'id' && !v.includes('\0'))
					ev.id = v;
				else if (field === 'retry' && /^\d+$/.test(v))
					st.retry = parseInt(v, 10);
			}
		}
	}

	// An event to the page, unless its stream has been stopped since (a
	// page stops the stream it replaces) or its data is not JSON.
	function deliver(type, raw, st, h) {
		if (st.ctl.signal.aborted)
			return;
		let d;
		try {
			d = JSON.parse(raw);
		} catch (e) {
			return;
		}
		h.event(type, d);
	}

	return {
		LANG: LANG, words: words, translate: translate, ready: ready,
		fmtTime: fmtTime, fmt1: fmt1, fmt2: fmt2,
		$: $, el: el, enc: enc, sleep: sleep, store: store, load: load,
		banner: banner, clearBanner: clearBanner, bannerKind: bannerKind,
		setConn: setConn, ApiError: ApiError, client: client
	};
})();
