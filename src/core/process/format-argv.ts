const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * An argv list as a copy-pasteable POSIX shell line, for display only (dry runs, debug logs):
 * Stagecraft itself never hands a command line to a shell.
 */
export function formatArgv(argv: readonly string[]): string {
  return argv.map((arg) => (SAFE.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}
