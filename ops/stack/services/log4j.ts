// The log4j2 configuration the Java servers run with (Kafka, Connect): one console appender, a root
// level, and levels for chosen loggers.
export function log4jProperties(rootLevel: string, loggers: Record<string, string> = {}): string {
  const levels = Object.entries(loggers).map(([name, level], i) => {
    const id = `l${i}`;
    return `logger.${id}.name = ${name}\nlogger.${id}.level = ${level}\n`;
  });
  return `status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = ${rootLevel}
rootLogger.appenderRef.stdout.ref = STDOUT
${levels.join('')}`;
}
