// Passwords: argon2id (memory-hard) in PHC strings, and a verify that costs the same whether or not
// the account exists (an unknown e-mail is checked against a dummy hash of the same parameters).
//
// Parameters: OWASP's first argon2id configuration, m = 19 MiB, t = 2, p = 1. On the 2-core
// reference machine one hash takes ~10–35 ms (idle vs. with the whole stack busy). p = 1 keeps one
// hash on one core, so two logins hash side by side instead of queueing behind each other; libuv's
// 4 threads bound what is in flight (4 × 19 MiB). Larger settings (46 MiB, or t = 3) cost 3–8× the
// time for little gain at this password length and would cap logins at a few dozen a second.
import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';

/** Characters, as users count them. */
export const PASSWORD_MIN_CHARS = 8;
/** UTF-8 bytes: bounds what one login can make the server hash. */
export const PASSWORD_MAX_BYTES = 256;

const ARGON2ID = 2 as Algorithm; // Algorithm.Argon2id (a const enum, not importable under isolatedModules)

export const argon2Options: Options = {
  algorithm: ARGON2ID,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

export const hashPassword = (password: string): Promise<string> => hash(password, argon2Options);

let dummy: Promise<string> | undefined;
/** A hash of a random secret with the current parameters; computed once, ahead of the first login. */
export const dummyHash = (): Promise<string> =>
  (dummy ??= hashPassword(randomBytes(32).toString('base64url')));

/**
 * True only if `stored` (the account's hash, or undefined for an unknown account) matches. An
 * unknown account is verified against the dummy hash, so both answers take one argon2 verify.
 */
export async function verifyPassword(stored: string | undefined, password: string): Promise<boolean> {
  const against = stored ?? (await dummyHash());
  let matches: boolean;
  try {
    matches = await verify(against, password);
  } catch {
    matches = false; // a malformed stored hash is a failed login, not a 500
  }
  return stored !== undefined && matches;
}
