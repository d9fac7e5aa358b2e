#!/usr/bin/env node
// `npm run build`: tsdown through its API rather than its command line. The command line warns on every
// run that Node 20 will not be supported by tsdown's next minor release. That concerns this project's
// maintainers when they upgrade tsdown (a pinned dev dependency), not someone building the project, and
// Node 20 is what Stagecraft supports, so it is left out. Everything else tsdown reports (warnings and
// errors about the code) still shows; tsdown.config.ts sets the log level.
import { build } from 'tsdown';

try {
  await build({});
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
