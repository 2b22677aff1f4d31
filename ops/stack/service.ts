// What the stack manager needs to know about one server: how to install it (idempotent, cached),
// prepare its data folder, launch it, and tell by a real protocol request that it is ready.
import type { Config } from '../../core/config.ts';
import type { LaunchSpec } from './process.ts';
import type { StackPaths } from './paths.ts';
import type { AptRequirement } from './install/apt.ts';

/** The servers (the stack), then the platform's own processes that run on them. */
export type ServiceName =
  | 'kafka'
  | 'registry'
  | 'cassandra'
  | 'postgres'
  | 'redis'
  | 'clickhouse'
  | 'connect'
  | 'model'
  | 'api'
  | 'processor-cassandra'
  | 'processor-clickhouse'
  | 'processor-feedback'
  | 'processor-inference'
  | 'demo';

export interface ServiceContext {
  config: Config;
  paths: StackPaths;
  log: (message: string) => void;
}

export interface Endpoint {
  label: string;
  value: string;
}

export interface ServiceDefinition {
  name: ServiceName;
  /**
   * Services that must answer before this one launches (and that `down` stops after it). `up`
   * starts them too when they were not asked for.
   */
  dependsOn?: ServiceName[];
  /** Every port the server binds, checked before launch. */
  ports(ctx: ServiceContext): number[];
  /** Debian packages the service runs from. */
  apt?: AptRequirement[];
  /** Download/build what the service runs; idempotent and cached. */
  install?(ctx: ServiceContext): Promise<void>;
  /** Create config files and initialise the data folder; idempotent, keeps existing data. */
  prepare(ctx: ServiceContext): Promise<LaunchSpec>;
  /** Resolves once the server answers a real protocol request; throws otherwise. */
  probe(ctx: ServiceContext): Promise<void>;
  /**
   * Runs after the first successful probe of a launch, and on every `up` of a running server, so it
   * must be idempotent (e.g. create a database if missing).
   */
  afterStart?(ctx: ServiceContext): Promise<void>;
  endpoints(ctx: ServiceContext): Endpoint[];
  startTimeoutMs: number;
  stopGraceMs: number;
  /** Signal for a clean, prompt shutdown; SIGTERM unless the server wants another. */
  stopSignal?: NodeJS.Signals;
}
