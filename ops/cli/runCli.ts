// The shared tail of every CLI: run main, exit with its code, print errors without a stack trace.
export function runCli(main: (args: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? `error: ${error.message}` : error);
      process.exit(1);
    },
  );
}
