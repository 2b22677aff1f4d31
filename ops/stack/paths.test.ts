import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { findJava } from './install/java.ts';
import { repoRoot, stackPaths } from './paths.ts';
import { assertRejectsVariable } from '../../test-helpers/configAssertions.ts';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('stack paths', () => {
  test('PARLEY_STACK_DIR moves data, logs, pid files and configs', () => {
    const paths = stackPaths({ PARLEY_STACK_DIR: '/srv/parley-stack' });
    assert.equal(paths.root, '/srv/parley-stack');
    for (const dir of [paths.data, paths.logs, paths.run, paths.conf])
      assert.ok(dir.startsWith('/srv/parley-stack/'), dir);
  });

  test('a relative PARLEY_STACK_DIR is taken from the working directory', () => {
    assert.equal(stackPaths({ PARLEY_STACK_DIR: 'some-stack' }).root, resolve('some-stack'));
  });

  test('unset, the stack lives in the checkout and the cache in ~/.cache', () => {
    const paths = stackPaths({});
    assert.ok(paths.root.startsWith(repoRoot), paths.root);
    assert.ok(paths.cache.startsWith(join(homedir(), '.cache')), paths.cache);
  });

  test('XDG_CACHE_HOME moves the cache; PARLEY_CACHE_DIR overrides both', () => {
    const xdg = stackPaths({ XDG_CACHE_HOME: '/var/cache/me' }).cache;
    assert.ok(xdg.startsWith('/var/cache/me/'), xdg);
    assert.equal(
      stackPaths({ XDG_CACHE_HOME: '/var/cache/me', PARLEY_CACHE_DIR: '/opt/parley-cache' }).cache,
      '/opt/parley-cache',
    );
  });

  test('an empty or relative XDG_CACHE_HOME is ignored, as the XDG spec asks', () => {
    const fallback = stackPaths({}).cache;
    assert.equal(stackPaths({ XDG_CACHE_HOME: '' }).cache, fallback);
    assert.equal(stackPaths({ XDG_CACHE_HOME: 'relative/cache' }).cache, fallback);
  });

  test('an empty PARLEY_STACK_DIR or PARLEY_CACHE_DIR fails naming it', () => {
    assertRejectsVariable(() => stackPaths({ PARLEY_STACK_DIR: '' }), 'PARLEY_STACK_DIR');
    assertRejectsVariable(() => stackPaths({ PARLEY_CACHE_DIR: '' }), 'PARLEY_CACHE_DIR');
  });
});

describe('findJava', () => {
  test('findJava uses the preferred home first when it is new enough', async () => {
    const home = await mkdtemp(join(tmpdir(), 'parley-fake-jdk-'));
    dirs.push(home);
    await mkdir(join(home, 'bin'));
    await writeFile(join(home, 'release'), 'JAVA_VERSION="21.0.5"\n');
    await writeFile(join(home, 'bin', 'java'), '#!/bin/sh\n');
    await chmod(join(home, 'bin', 'java'), 0o755);
    const logged: string[] = [];
    const java = await findJava(21, {
      preferredHome: home,
      cacheDir: join(home, 'cache'),
      log: (m) => logged.push(m),
    });
    assert.equal(java, join(home, 'bin', 'java'));
    assert.deepEqual(logged, [], 'nothing installed');
  });
});
