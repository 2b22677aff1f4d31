// JSON logs (pino) on stdout. Never pass secrets or whole events to a log call.
import { pino, type Logger } from 'pino';

export const logger: Logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { service: process.env.PARLEY_SERVICE_NAME ?? 'parley' },
  timestamp: pino.stdTimeFunctions.isoTime,
  redact: ['password', '*.password', 'authorization', '*.authorization'],
});
