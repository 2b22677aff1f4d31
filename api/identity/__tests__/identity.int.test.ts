// The identity routes on the real stack: accounts, sessions, settings and API keys, each write a
// row (or session) plus its event on parley.identity through the Debezium outbox, read back from
// Kafka byte-level; bad input is a 400 naming the field; brute force and callers are rate limited.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Admin } from 'kafkajs';
import { createKafka } from '../../../core/clients.ts';
import { endOffsets } from '../../../core/kafkaProgress.ts';
import { topics } from '../../../schemas/catalog.ts';
import type { EventName } from '../../../schemas/generated/events.ts';
import { call, issueApiKey, login, newUser, registerUser, uniqueEmail } from '../../../test-helpers/api.ts';
import { config } from '../../../test-helpers/config.ts';
import { consumeUntil, type ConsumedRecord } from '../../../test-helpers/kafka.ts';
import { testSerde } from '../../../test-helpers/projector.ts';
import { startApi, type RunningApi } from '../../server.ts';
import { LOGIN_PER_IP_EMAIL } from '../limits.ts';

let api: RunningApi;
let url: string;
let admin: Admin;
const serde = testSerde();

before(async () => {
  api = await startApi(config.clients, { port: 0 });
  url = api.url;
  admin = createKafka(config.clients, 'identity-test').admin();
  await admin.connect();
});
after(async () => {
  await admin.disconnect();
  await api.stop();
});

interface ReadEvent {
  record: ConsumedRecord;
  name: EventName;
  event: Record<string, unknown>;
}

/** The user's first `count` events on parley.identity after `from`, decoded from the wire bytes. */
async function eventsOf(userId: string, from: Map<number, bigint>, count: number): Promise<ReadEvent[]> {
  const mine = (records: readonly ConsumedRecord[]) => records.filter((r) => r.key === userId);
  const records = await consumeUntil(
    topics.identity,
    from,
    {
      done: (rs) => mine(rs).length >= count,
      progress: (rs) => `${mine(rs).length} of ${count} events of user ${userId}`,
    },
    60_000,
  );
  return Promise.all(
    mine(records).map(async (record) => {
      const { name, event } = await serde.decode(record.value);
      return { record, name, event: event as unknown as Record<string, unknown> };
    }),
  );
}

const errorBody = (status: number, code: string) => ({ status, code });
const shape = (r: { status: number; body: { error?: { code?: string } } }) =>
  errorBody(r.status, r.body?.error?.code ?? '');

test('the identity journey: each write is its row or session and its event on parley.identity, in order', async () => {
  const from = await endOffsets(admin, topics.identity);
  const email = uniqueEmail();
  const headers = { 'x-parley-client': 'web', 'user-agent': 'identity-test/1.0', 'accept-language': 'en-GB' };

  const registered = await call(url, 'post', '/v1/auth/register', {
    body: { email: `  ${email.toUpperCase()} `, password: 'correct horse battery' },
    headers,
  });
  assert.equal(registered.status, 201, JSON.stringify(registered.body));
  const userId = registered.body.user_id as string;
  const { rows } = await api.deps.db.query(
    'SELECT email, password_hash, settings FROM users WHERE user_id = $1',
    [userId],
  );
  assert.equal(rows[0].email, email, 'stored trimmed and lower-cased');
  assert.match(rows[0].password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.deepEqual(rows[0].settings, {});

  const session = await call(url, 'post', '/v1/auth/login', {
    body: { email, password: 'correct horse battery' },
    headers,
  });
  assert.equal(session.status, 200);
  const token = session.body.token as string;
  assert.equal(session.body.user_id, userId);
  assert.ok(Date.parse(session.body.expires_at) > Date.now());

  const me = await call(url, 'get', '/v1/me', { token });
  assert.equal(me.status, 200);
  assert.deepEqual(
    { ...me.body, created_at: typeof me.body.created_at },
    {
      user_id: userId,
      email,
      created_at: 'string',
      settings: {
        default_model: null,
        temperature: null,
        system_prompt: null,
        language: null,
        theme: null,
        training_opt_in: null,
      },
    },
  );

  const patched = await call(url, 'patch', '/v1/me/settings', {
    token,
    body: { temperature: 0.5, theme: 'dark', training_opt_in: false },
  });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  const settings = {
    default_model: null,
    temperature: 0.5,
    system_prompt: null,
    language: null,
    theme: 'dark',
    training_opt_in: false,
  };
  assert.deepEqual(patched.body, settings);
  assert.deepEqual((await call(url, 'get', '/v1/me', { token })).body.settings, settings);

  const issued = await call(url, 'post', '/v1/api-keys', { token, body: { name: ' laptop ' } });
  assert.equal(issued.status, 201);
  const apiKey = issued.body.api_key as string;
  assert.equal(issued.body.name, 'laptop');
  assert.equal((await call(url, 'get', '/v1/me', { token: apiKey })).body.user_id, userId, 'the key works');
  const listed = await call(url, 'get', '/v1/api-keys', { token: apiKey });
  assert.equal(listed.status, 200);
  assert.deepEqual(
    listed.body.items.map((k: Record<string, unknown>) => Object.keys(k).sort()),
    [['created_at', 'key_id', 'key_prefix', 'name', 'revoked_at']],
  );
  assert.ok(!JSON.stringify(listed.body).includes(apiKey.split('_').at(-1)!), 'no secret in the list');
  assert.ok(apiKey.startsWith(listed.body.items[0].key_prefix));

  assert.equal((await call(url, 'delete', `/v1/api-keys/${issued.body.key_id}`, { token })).status, 204);
  assert.equal((await call(url, 'get', '/v1/me', { token: apiKey })).status, 401, 'revoked at once');
  assert.notEqual((await call(url, 'get', '/v1/api-keys', { token })).body.items[0].revoked_at, null);

  assert.equal((await call(url, 'post', '/v1/auth/logout', { token })).status, 204);
  assert.equal((await call(url, 'get', '/v1/me', { token })).status, 401, 'the token is dead at once');
  assert.equal((await call(url, 'post', '/v1/auth/logout', { token })).status, 401);

  const events = await eventsOf(userId, from, 6);
  assert.deepEqual(
    events.map((e) => e.name),
    [
      'UserRegistered',
      'UserLoggedIn',
      'UserSettingsChanged',
      'ApiKeyIssued',
      'ApiKeyRevoked',
      'UserLoggedOut',
    ],
  );
  for (const e of events) {
    assert.equal(e.record.headers['parley-event-type'], e.name);
    assert.equal(e.event.user_id, userId);
    assert.ok(!e.record.value.includes(Buffer.from(apiKey.split('_').at(-1)!)), 'no key secret in any event');
    assert.ok(!e.record.value.includes(Buffer.from('correct horse')), 'no password in any event');
  }
  const [reg, loggedIn, changed, keyIssued, keyRevoked, loggedOut] = events.map((e) => e.event);
  assert.deepEqual(
    {
      email: reg!.email,
      display_name: reg!.display_name,
      locale: reg!.locale,
      plan: reg!.plan,
      client: reg!.client,
    },
    { email, display_name: email.split('@')[0], locale: 'en-GB', plan: 'FREE', client: 'WEB' },
  );
  assert.equal(loggedIn!.method, 'PASSWORD');
  assert.equal(loggedIn!.client, 'WEB');
  assert.equal(loggedIn!.user_agent, 'identity-test/1.0');
  assert.match(String(loggedIn!.ip_hash), /^[0-9a-f]{32}$/);
  assert.ok(!events[1]!.record.value.includes(Buffer.from('127.0.0.1')), 'the address is never in the event');
  assert.equal(loggedOut!.session_id, loggedIn!.session_id);
  assert.equal(loggedOut!.reason, 'USER');
  assert.deepEqual(
    { ...changed, event_id: 0, occurred_at: 0, correlation_id: 0, causation_id: 0 },
    {
      event_id: 0,
      occurred_at: 0,
      correlation_id: 0,
      causation_id: 0,
      user_id: userId,
      default_model: null,
      temperature: 0.5,
      system_prompt: null,
      language: null,
      theme: 'DARK',
      training_opt_in: false,
    },
    'only the changed fields are set',
  );
  assert.equal(keyIssued!.api_key_id, issued.body.key_id);
  assert.equal(keyIssued!.name, 'laptop');
  assert.ok(apiKey.startsWith(String(keyIssued!.key_prefix)));
  assert.equal(keyRevoked!.api_key_id, issued.body.key_id);
});

test('one account per address: the same e-mail in another case or with blanks is a 409', async () => {
  const { email } = await registerUser(url);
  for (const again of [email.toUpperCase(), ` ${email}\t`]) {
    const result = await call(url, 'post', '/v1/auth/register', {
      body: { email: again, password: 'another password' },
    });
    assert.equal(result.status, 409);
    assert.deepEqual(result.body.error.field, 'body.email');
  }
  const { rows } = await api.deps.db.query('SELECT count(*)::int AS n FROM users WHERE email = $1', [email]);
  assert.equal(rows[0].n, 1);
});

test('a wrong password and an unknown e-mail get the same 401, in similar time', async () => {
  const { email, password } = await registerUser(url);
  assert.equal(
    (await call(url, 'post', '/v1/auth/login', { body: { email: email.toUpperCase(), password } })).status,
    200,
  );
  const attempt = async (address: string) => {
    const started = performance.now();
    const result = await call(url, 'post', '/v1/auth/login', {
      body: { email: address, password: 'not the password' },
    });
    return { result, ms: performance.now() - started };
  };
  const wrong: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < 5; i++) {
    const w = await attempt(email);
    const u = await attempt(uniqueEmail());
    assert.equal(w.result.status, 401);
    assert.deepEqual(w.result.body, u.result.body, 'the same answer');
    assert.deepEqual(w.result.body, { error: { code: 'unauthorized', message: 'wrong e-mail or password' } });
    wrong.push(w.ms);
    unknown.push(u.ms);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const [w, u] = [median(wrong), median(unknown)];
  // Both pay one argon2 verify (~10-35 ms); a missing one would make unknown e-mails several
  // times faster. Generous bound: the machine runs the whole stack.
  assert.ok(
    w < 3 * u && u < 3 * w,
    `median wrong password ${w.toFixed(1)} ms vs unknown e-mail ${u.toFixed(1)} ms`,
  );
});

test('anonymous, malformed and unknown credentials get a 401 on every authenticated route', async () => {
  const routes: [string, string, unknown?][] = [
    ['get', '/v1/me'],
    ['patch', '/v1/me/settings', { theme: 'dark' }],
    ['post', '/v1/auth/logout'],
    ['post', '/v1/api-keys', { name: 'x' }],
    ['get', '/v1/api-keys'],
    ['delete', `/v1/api-keys/${crypto.randomUUID()}`],
  ];
  const tokens = [
    undefined,
    'nonsense',
    'pst_not-a-live-session',
    `pk_${'0'.repeat(32)}_${'A'.repeat(43)}`,
    'pst_' + 'x'.repeat(5000),
  ];
  for (const [method, path, body] of routes)
    for (const token of tokens) {
      const result = await call(url, method, path, { token, body });
      assert.deepEqual(
        shape(result),
        errorBody(401, 'unauthorized'),
        `${method} ${path} with ${token?.slice(0, 20)}`,
      );
    }
});

test("API keys: managed with a session only; another user's key id is a 404; logout with a key is a 400", async () => {
  const alice = await newUser(url);
  const bob = await newUser(url);
  const aliceKey = await issueApiKey(url, alice.token);
  const aliceKeyId = (await call(url, 'get', '/v1/api-keys', { token: alice.token })).body.items[0].key_id;

  assert.deepEqual(
    shape(await call(url, 'delete', `/v1/api-keys/${aliceKeyId}`, { token: bob.token })),
    errorBody(404, 'not_found'),
  );
  assert.deepEqual((await call(url, 'get', '/v1/api-keys', { token: bob.token })).body, { items: [] });
  assert.deepEqual(
    shape(await call(url, 'post', '/v1/api-keys', { token: aliceKey, body: { name: 'more' } })),
    errorBody(403, 'forbidden'),
  );
  assert.deepEqual(
    shape(await call(url, 'delete', `/v1/api-keys/${aliceKeyId}`, { token: aliceKey })),
    errorBody(403, 'forbidden'),
  );
  assert.deepEqual(
    shape(await call(url, 'post', '/v1/auth/logout', { token: aliceKey })),
    errorBody(400, 'invalid_request'),
  );
  assert.equal((await call(url, 'get', '/v1/me', { token: aliceKey })).status, 200, 'the key still works');

  assert.equal((await call(url, 'delete', `/v1/api-keys/${aliceKeyId}`, { token: alice.token })).status, 204);
  assert.deepEqual(
    shape(await call(url, 'delete', `/v1/api-keys/${aliceKeyId}`, { token: alice.token })),
    errorBody(404, 'not_found'),
    'already revoked',
  );
  assert.equal((await call(url, 'get', '/v1/me', { token: aliceKey })).status, 401);
});

test('bad input on every route is a 400 naming the field (413 past the body limit)', async () => {
  const { token } = await newUser(url);
  const bad: [string, string, unknown, string, Record<string, string>?][] = [
    ['post', '/v1/auth/register', '{"email": "a@b.example", ', 'body'],
    ['post', '/v1/auth/register', [], 'body'],
    ['post', '/v1/auth/register', 'null', 'body'],
    ['post', '/v1/auth/register', { password: 'long enough' }, 'body.email'],
    ['post', '/v1/auth/register', { email: 42, password: 'long enough' }, 'body.email'],
    ['post', '/v1/auth/register', { email: 'not-an-address', password: 'long enough' }, 'body.email'],
    ['post', '/v1/auth/register', { email: uniqueEmail() }, 'body.password'],
    ['post', '/v1/auth/register', { email: uniqueEmail(), password: 'short' }, 'body.password'],
    ['post', '/v1/auth/register', { email: uniqueEmail(), password: 12345678 }, 'body.password'],
    ['post', '/v1/auth/register', { email: uniqueEmail(), password: 'é'.repeat(129) }, 'body.password'],
    ['post', '/v1/auth/register', { email: uniqueEmail(), password: 'long enough', admin: true }, 'body'],
    [
      'post',
      '/v1/auth/register',
      JSON.stringify({ email: uniqueEmail(), password: 'long enough' }),
      'body',
      { 'content-type': 'text/plain' },
    ],
    ['post', '/v1/auth/login', '{', 'body'],
    ['post', '/v1/auth/login', { email: uniqueEmail() }, 'body.password'],
    ['post', '/v1/auth/login', { email: uniqueEmail(), password: '' }, 'body.password'],
    ['post', '/v1/auth/login', { email: uniqueEmail(), password: 'x'.repeat(257) }, 'body.password'],
    ['post', '/v1/auth/login', { email: ['a@b.example'], password: 'long enough' }, 'body.email'],
    ['patch', '/v1/me/settings', {}, 'body'],
    ['patch', '/v1/me/settings', '[1]', 'body'],
    ['patch', '/v1/me/settings', { temperature: 2.5 }, 'body.temperature'],
    ['patch', '/v1/me/settings', { temperature: -0.1 }, 'body.temperature'],
    ['patch', '/v1/me/settings', { temperature: 'hot' }, 'body.temperature'],
    ['patch', '/v1/me/settings', { temperature: null }, 'body.temperature'],
    ['patch', '/v1/me/settings', { theme: 'blue' }, 'body.theme'],
    ['patch', '/v1/me/settings', { language: 'not a tag!' }, 'body.language'],
    ['patch', '/v1/me/settings', { default_model: '' }, 'body.default_model'],
    ['patch', '/v1/me/settings', { system_prompt: 'x'.repeat(8_001) }, 'body.system_prompt'],
    ['patch', '/v1/me/settings', { training_opt_in: 'yes' }, 'body.training_opt_in'],
    ['patch', '/v1/me/settings', { theme: 'dark', colour: 'red' }, 'body'],
    ['post', '/v1/api-keys', {}, 'body.name'],
    ['post', '/v1/api-keys', { name: '   ' }, 'body.name'],
    ['post', '/v1/api-keys', { name: 7 }, 'body.name'],
    ['post', '/v1/api-keys', { name: 'n'.repeat(101) }, 'body.name'],
    ['delete', '/v1/api-keys/not-a-uuid', undefined, 'path.key_id'],
    ['delete', "/v1/api-keys/1'%20OR%201=1", undefined, 'path.key_id'],
  ];
  for (const [method, path, body, field, headers] of bad) {
    const result = await call(url, method, path, { token, body, headers });
    const what = `${method} ${path} ${JSON.stringify(body)?.slice(0, 60)}`;
    assert.deepEqual(shape(result), errorBody(400, 'invalid_request'), what);
    assert.equal(result.body.error.field, field, what);
  }
  const huge = { email: uniqueEmail(), password: 'x'.repeat(config.clients.api.bodyLimitBytes) };
  for (const path of ['/v1/auth/register', '/v1/auth/login']) {
    const result = await call(url, 'post', path, { body: huge });
    assert.deepEqual(shape(result), errorBody(413, 'payload_too_large'), path);
  }
  const nothingChanged = await call(url, 'get', '/v1/me', { token });
  assert.equal(nothingChanged.body.settings.theme, null);
});

test(`login: more than ${LOGIN_PER_IP_EMAIL} attempts a minute on one account from one address get a 429 with Retry-After`, async () => {
  const { email, password } = await registerUser(url);
  let limited: Awaited<ReturnType<typeof call>> | undefined;
  // A fixed window may roll over once during the loop: twice the limit (+1) always crosses it.
  for (let i = 0; i < 2 * LOGIN_PER_IP_EMAIL + 1 && !limited; i++) {
    const result = await call(url, 'post', '/v1/auth/login', { body: { email, password: 'wrong password' } });
    if (result.status === 429) limited = result;
    else assert.equal(result.status, 401);
  }
  assert.ok(limited, 'rate limited');
  assert.equal(limited.body.error.code, 'rate_limited');
  const retryAfter = Number(limited.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
  // The right password is limited too (guessing it is what the limit stops), other accounts are not.
  assert.equal((await call(url, 'post', '/v1/auth/login', { body: { email, password } })).status, 429);
  assert.equal((await newUser(url)).userId.length, 36);
});

test('authenticated routes: each credential gets config.api.rateLimitPerMinute requests a minute', async () => {
  const limit = 3;
  const small = await startApi(
    { ...config.clients, api: { ...config.clients.api, rateLimitPerMinute: limit } },
    { port: 0 },
  );
  try {
    const { email, password } = await registerUser(url);
    const { token } = await login(url, email, password);
    const statuses: number[] = [];
    for (let i = 0; i < 2 * limit + 1 && !statuses.includes(429); i++)
      statuses.push((await call(small.url, 'get', '/v1/me', { token })).status);
    assert.ok(statuses.includes(429), `statuses ${statuses.join(' ')}`);
    // Another session of the same user has its own budget.
    const other = await login(url, email, password);
    assert.equal((await call(small.url, 'get', '/v1/me', { token: other.token })).status, 200);
  } finally {
    await small.stop();
  }
});

test('the OpenAPI document describes the identity routes from the same schemas', async () => {
  const doc = (await call(url, 'get', '/openapi.json')).body;
  for (const path of [
    '/v1/auth/register',
    '/v1/auth/login',
    '/v1/auth/logout',
    '/v1/me',
    '/v1/me/settings',
    '/v1/api-keys',
    '/v1/api-keys/{key_id}',
  ])
    assert.ok(doc.paths[path], path);
  const register = doc.components.schemas.Register;
  assert.deepEqual(register.required.sort(), ['email', 'password']);
  assert.equal(doc.components.schemas.SettingsPatch.minProperties, 1, 'at least one setting');
  assert.equal(
    doc.paths['/v1/me/settings'].patch.requestBody.content['application/json'].schema.$ref,
    '#/components/schemas/SettingsPatch',
  );
});
