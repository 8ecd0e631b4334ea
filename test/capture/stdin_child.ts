/** Child process for stream.test.ts: reads `-` (stdin, a pipe) and prints what it saw as one JSON line. */
import { readAll } from './read.js';

const r = await readAll(['-'], true);
process.stdout.write(`${JSON.stringify(r)}\n`);
