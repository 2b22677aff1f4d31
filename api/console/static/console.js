// The operator console: polls GET /v1/console/snapshot every REFRESH_MS with the operator token
// (taken from the URL fragment, never sent to the server in a URL), turns successive snapshots into
// time series and draws them with uPlot; and a chat panel that walks a user's journey through the
// public API (register, log in, chat, stream the answer, rate it). Plain browser JavaScript: no
// bundler, no build step.
/* global uPlot, document, window, location, history, sessionStorage, fetch, FormData, URLSearchParams, TextDecoderStream, ResizeObserver, AbortSignal, crypto */

const REFRESH_MS = 2_000;
/** Five minutes of points at REFRESH_MS. */
const HISTORY_POINTS = 150;
const TOKEN_KEY = 'parley.console.token';
const COLOURS = ['#2e86de', '#e67e22', '#27ae60', '#c0392b', '#8e44ad', '#16a085', '#d35400', '#7f8c8d'];

// ---------------------------------------------------------------------------------------------
// The operator token: from `#token=...` once, then kept for the tab (sessionStorage) and removed
// from the address bar, so it is not left in bookmarks, screenshots or the history.

function operatorToken() {
  const fromFragment = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromFragment) {
    sessionStorage.setItem(TOKEN_KEY, fromFragment);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

// ---------------------------------------------------------------------------------------------
// Time series: one store per chart; a series that appears later is back-filled with gaps.

class SeriesStore {
  constructor() {
    this.times = [];
    this.values = new Map();
  }

  /** Adds one point in time: `points` maps series names to values (null: a gap). */
  push(time, points) {
    this.times.push(time);
    for (const name of Object.keys(points))
      if (!this.values.has(name))
        this.values.set(
          name,
          this.times.slice(1).map(() => null),
        );
    for (const [name, values] of this.values) values.push(points[name] ?? null);
    if (this.times.length > HISTORY_POINTS) {
      this.times.shift();
      for (const values of this.values.values()) values.shift();
    }
  }
}

/** A uPlot chart of a SeriesStore; rebuilt when the set of series changes (uPlot's are fixed). */
class TimeChart {
  constructor(element) {
    this.element = element;
    this.plot = undefined;
    this.names = '';
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(element);
  }

  size() {
    return { width: Math.max(200, this.element.clientWidth), height: 220 };
  }

  draw(store) {
    const names = [...store.values.keys()];
    const data = [store.times, ...names.map((name) => store.values.get(name))];
    if (names.join('\n') === this.names && this.plot) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.names = names.join('\n');
    this.plot = new uPlot(
      {
        ...this.size(),
        // Names only: the current values are in the figures under the chart.
        legend: { live: false },
        series: [
          {},
          ...names.map((name, i) => ({
            label: name,
            stroke: COLOURS[i % COLOURS.length],
            width: 2,
            spanGaps: false,
          })),
        ],
        axes: [{}, { size: 60, values: (_, ticks) => ticks.map(formatNumber) }],
        scales: { y: { range: (_, min, max) => [0, Math.max(1, max ?? 1) * 1.1] } },
      },
      data,
      this.element,
    );
  }
}

const numberFormat = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
const formatNumber = (value) => (value === null || value === undefined ? '—' : numberFormat.format(value));

// ---------------------------------------------------------------------------------------------
// Snapshots → series and figures. Rates need two snapshots: records added / seconds between them.

const stores = {
  rates: new SeriesStore(),
  lag: new SeriesStore(),
  latency: new SeriesStore(),
  errors: new SeriesStore(),
  slots: new SeriesStore(),
};
const charts = Object.fromEntries(
  [...document.querySelectorAll('[data-chart]')].map((element) => [
    element.dataset.chart,
    new TimeChart(element),
  ]),
);
let previous;

/** Sets a panel's figures: a list of [term, text] pairs, or one line saying why there are none. */
function showFigures(name, pairs, empty) {
  const list = document.querySelector(`[data-testid="figures-${name}"]`);
  const rows = pairs.length > 0 ? pairs : [['', empty]];
  list.replaceChildren(
    ...rows.flatMap(([term, text]) => {
      const dt = document.createElement('dt');
      const dd = document.createElement('dd');
      dt.textContent = term;
      dd.textContent = text;
      return [dt, dd];
    }),
  );
}

const UNAVAILABLE = 'unavailable (see the errors above)';

function rates(snapshot) {
  const points = {};
  const before = new Map((previous?.topics ?? []).map((t) => [t.topic, t.end_offset]));
  const seconds = previous ? (Date.parse(snapshot.at) - Date.parse(previous.at)) / 1000 : 0;
  for (const { topic, end_offset: end } of snapshot.topics ?? []) {
    const last = before.get(topic);
    // A topic recreated (its offsets went back) has no rate for this step.
    points[topic] = seconds > 0 && last !== undefined && end >= last ? (end - last) / seconds : null;
  }
  return points;
}

function render(snapshot) {
  const time = Date.parse(snapshot.at) / 1000;

  const rate = rates(snapshot);
  stores.rates.push(time, rate);
  showFigures(
    'rates',
    Object.entries(rate).map(([topic, value]) => [
      topic,
      value === null ? 'measuring…' : `${formatNumber(value)}/s`,
    ]),
    snapshot.topics ? 'no topics' : UNAVAILABLE,
  );

  const lag = Object.fromEntries((snapshot.groups ?? []).map((g) => [g.processor, g.lag]));
  stores.lag.push(time, lag);
  showFigures(
    'lag',
    (snapshot.groups ?? []).map((g) => [
      g.processor,
      g.lag === null ? `no commits yet (${g.group_id})` : `${formatNumber(g.lag)} records (${g.group_id})`,
    ]),
    snapshot.groups ? 'no processors' : UNAVAILABLE,
  );

  const latency = {};
  for (const m of snapshot.models ?? []) {
    latency[`${m.model_version} latency p50`] = m.latency_p50_ms;
    latency[`${m.model_version} latency p95`] = m.latency_p95_ms;
    latency[`${m.model_version} TTFT p50`] = m.ttft_p50_ms;
    latency[`${m.model_version} TTFT p95`] = m.ttft_p95_ms;
  }
  stores.latency.push(time, latency);
  const ms = (value) => (value === null ? '—' : `${formatNumber(value)} ms`);
  showFigures(
    'latency',
    (snapshot.models ?? []).map((m) => [
      m.model_version,
      `latency p50 ${ms(m.latency_p50_ms)}, p95 ${ms(m.latency_p95_ms)} · TTFT p50 ${ms(m.ttft_p50_ms)}, p95 ${ms(m.ttft_p95_ms)} · ${m.runs} runs, ${m.failures} failed`,
    ]),
    snapshot.models ? `no answers in the last ${snapshot.window_minutes} minutes` : UNAVAILABLE,
  );

  const errors = {};
  for (const d of snapshot.dead_letters ?? []) errors[d.topic] = d.end_offset;
  if (snapshot.failed_answers) errors['failed answers'] = snapshot.failed_answers.total;
  stores.errors.push(time, errors);
  const failed = snapshot.failed_answers;
  showFigures(
    'errors',
    [
      ...(snapshot.dead_letters ?? []).map((d) => [d.topic, `${formatNumber(d.end_offset)} dead-lettered`]),
      ...(failed
        ? [
            [
              `failed answers (${snapshot.window_minutes} min)`,
              failed.total === 0
                ? '0'
                : `${failed.total}: ${failed.by_code.map((c) => `${c.error_code} ${c.count}`).join(', ')}`,
            ],
          ]
        : []),
    ],
    UNAVAILABLE,
  );

  const slots = {};
  const byVersion = new Map();
  for (const s of snapshot.slots ?? []) {
    const v = byVersion.get(s.model_version) ?? { busy: 0, free: 0, servers: 0 };
    byVersion.set(s.model_version, { busy: v.busy + s.busy, free: v.free + s.free, servers: v.servers + 1 });
  }
  for (const [version, v] of byVersion) {
    slots[`${version} busy`] = v.busy;
    slots[`${version} free`] = v.free;
  }
  stores.slots.push(time, slots);
  showFigures(
    'slots',
    [...byVersion].map(([version, v]) => [
      version,
      `${v.busy} busy, ${v.free} free (${v.servers} server${v.servers === 1 ? '' : 's'})`,
    ]),
    snapshot.slots ? 'no model servers reported' : UNAVAILABLE,
  );

  for (const [name, chart] of Object.entries(charts)) chart.draw(stores[name]);
  previous = snapshot;
}

function showProblems(lines) {
  const box = document.getElementById('problems');
  box.hidden = lines.length === 0;
  box.textContent = lines.join('\n');
}

/** The `error.message` of an API error body, else the status line. */
async function errorMessage(response) {
  try {
    const body = await response.json();
    return body?.error?.message ?? `HTTP ${response.status}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

async function refresh(token) {
  const status = document.getElementById('status');
  try {
    const response = await fetch('/v1/console/snapshot', {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) {
      status.textContent = `snapshot failed (${response.status})`;
      showProblems([await errorMessage(response)]);
      // Not worth retrying until the operator fixes the token or the configuration.
      return response.status !== 401 && response.status !== 404;
    }
    const snapshot = await response.json();
    render(snapshot);
    showProblems(snapshot.errors.map((e) => `${e.source}: ${e.message}`));
    status.textContent = `updated ${new Date(snapshot.at).toLocaleTimeString()}`;
  } catch (error) {
    status.textContent = 'snapshot failed';
    showProblems([`the API did not answer: ${error.message}`]);
  }
  return true;
}

async function poll() {
  const token = operatorToken();
  if (!token) {
    document.getElementById('status').textContent = 'no operator token';
    showProblems(['Open this page as /console#token=<PARLEY_CONSOLE_TOKEN>.']);
    return;
  }
  for (;;) {
    const started = Date.now();
    if (!(await refresh(token))) return;
    // A fixed period between starts; a slow snapshot delays the next one instead of stacking up.
    await new Promise((resolve) =>
      window.setTimeout(resolve, Math.max(0, REFRESH_MS - (Date.now() - started))),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// The chat panel: the same calls the product's front end makes.

const session = { token: undefined, chatId: undefined, answerId: undefined };

async function callApi(method, path, body) {
  const headers = { 'x-parley-client': 'web' };
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${await errorMessage(response)}`);
  return response.status === 204 ? undefined : response.json();
}

/** One `id`/`event`/`data` block of a Server-Sent Events stream (undefined for comments only). */
function parseEvent(block) {
  const event = { id: undefined, event: 'message', data: [] };
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') event.id = value;
    else if (field === 'event') event.event = value;
    else if (field === 'data') event.data.push(value);
  }
  return event.data.length === 0 ? undefined : { ...event, data: JSON.parse(event.data.join('\n')) };
}

/**
 * The answer's events, through fetch: EventSource cannot send the Authorization header the route
 * needs. A stream that ends before done/error is resumed after the last event (Last-Event-ID).
 */
async function streamAnswer(path, onEvent) {
  let lastId;
  for (let attempt = 0; attempt < 3; attempt++) {
    const headers = { authorization: `Bearer ${session.token}`, accept: 'text/event-stream' };
    if (lastId) headers['last-event-id'] = lastId;
    const response = await fetch(path, { headers });
    if (!response.ok) throw new Error(`the answer stream: ${await errorMessage(response)}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value.replaceAll('\r\n', '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = parseEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (!event) continue;
        lastId = event.id ?? lastId;
        onEvent(event);
        if (event.event === 'done' || event.event === 'error') {
          await reader.cancel();
          return event;
        }
      }
    }
  }
  throw new Error('the answer stream ended before the answer did');
}

function chatStatus(text) {
  document.getElementById('chat-status').textContent = text;
}

async function logIn(email, password, register) {
  if (register) await callApi('POST', '/v1/auth/register', { email, password });
  const { token } = await callApi('POST', '/v1/auth/login', { email, password });
  session.token = token;
  session.chatId = undefined;
  document.getElementById('prompt').hidden = false;
  chatStatus(`logged in as ${email}`);
}

async function send(content) {
  const answer = document.getElementById('answer');
  const rating = document.getElementById('rating');
  rating.hidden = true;
  answer.textContent = '';
  session.chatId ??= (await callApi('POST', '/v1/chats', { title: 'Console chat' })).chat_id;
  const sent = await callApi('POST', `/v1/chats/${session.chatId}/messages`, { content });
  session.answerId = sent.answer_message_id;
  chatStatus('answering…');
  const end = await streamAnswer(
    `/v1/chats/${session.chatId}/messages/${sent.message_id}/stream`,
    (event) => {
      if (event.event === 'start' || event.event === 'restart') answer.textContent = '';
      if (event.event === 'token') answer.textContent += event.data.text;
    },
  );
  if (end.event === 'error') throw new Error(`the model failed: ${end.data.message}`);
  rating.hidden = false;
  chatStatus(`answered (${end.data.finish_reason})`);
}

/** Runs a chat action with the panel's buttons disabled; its failure is shown, not thrown. */
async function guarded(action) {
  const buttons = [...document.querySelectorAll('.chat button')];
  buttons.forEach((b) => (b.disabled = true));
  try {
    await action();
  } catch (error) {
    chatStatus(error.message);
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}

function wireChat() {
  const account = document.getElementById('account');
  account.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(account);
    const register = e.submitter?.value === 'register';
    const [email, password] = [String(data.get('email')), String(data.get('password'))];
    void guarded(() => logIn(email, password, register));
  });
  const prompt = document.getElementById('prompt');
  prompt.addEventListener('submit', (e) => {
    e.preventDefault();
    const content = String(new FormData(prompt).get('content'));
    void guarded(async () => {
      await send(content);
      prompt.reset();
    });
  });
  for (const button of document.querySelectorAll('[data-rating]'))
    button.addEventListener('click', () =>
      guarded(async () => {
        await callApi('POST', `/v1/messages/${session.answerId}/rating`, { rating: button.dataset.rating });
        chatStatus(`rated ${button.dataset.rating}`);
      }),
    );
  // A fresh address for a quick try; any other works too.
  account.elements.email.value = `operator-${crypto.randomUUID().slice(0, 8)}@example.test`;
}

wireChat();
void poll();
