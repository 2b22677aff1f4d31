// JSON logs (pino) on stdout. Never pass secrets or whole events to a log call.
import { pino, type Logger } from 'pino';
import { loadLoggingConfig } from './config.ts';

// Parsed at import, so a bad LOG_LEVEL fails at start-up naming the variable.
const logging = loadLoggingConfig();

export const logger: Logger = pino({
  level: logging.level,
  base: { service: logging.serviceName },
  timestamp: pino.stdTimeFunctions.isoTime,
  redact: ['password', '*.password', 'authorization', '*.authorization'],
});
