#!/usr/bin/env node
import { main } from './cli/main.js';

// exitCode rather than process.exit(): pending stdout/stderr writes to pipes are flushed before exit.
process.exitCode = await main(process.argv.slice(2));
