import assert from 'node:assert/strict';
import { test } from 'node:test';
import { platformServices as services, selectServices, withDependencies } from './index.ts';

test('`up connect` brings the services Connect needs, in table order', () => {
  assert.deepEqual(
    withDependencies(selectServices(['connect'])).map((s) => s.name),
    ['kafka', 'postgres', 'connect'],
  );
  assert.deepEqual(
    withDependencies(selectServices(['redis'])).map((s) => s.name),
    ['redis'],
  );
  assert.deepEqual(
    withDependencies(selectServices(['api'])).map((s) => s.name),
    ['cassandra', 'kafka', 'registry', 'postgres', 'redis', 'api'],
  );
});

test("groups name the servers, the platform's own processes, or both", () => {
  assert.deepEqual(
    selectServices(['servers']).map((s) => s.name),
    ['cassandra', 'kafka', 'registry', 'postgres', 'redis', 'clickhouse', 'connect', 'model'],
  );
  assert.deepEqual(selectServices(['app', 'kafka']).map((s) => s.name)[0], 'kafka');
  assert.equal(selectServices([]).length, services.length);
  assert.throws(
    () => selectServices(['kafak']),
    /unknown service kafak; services are: .*groups: servers, app, all/,
  );
});

test('every dependency names a service of the platform', () => {
  const names = services.map((s) => s.name);
  for (const service of services)
    for (const dependency of service.dependsOn ?? []) assert.ok(names.includes(dependency), dependency);
});

test('dependencies have no cycle (a start would wait for itself)', () => {
  const visit = (name: string, path: string[]): void => {
    assert.ok(!path.includes(name), `cycle: ${[...path, name].join(' → ')}`);
    for (const next of services.find((s) => s.name === name)?.dependsOn ?? []) visit(next, [...path, name]);
  };
  for (const service of services) visit(service.name, []);
});
