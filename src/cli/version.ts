/** The tool's name and version, read once from package.json (two levels up from both src/cli and dist/cli). */
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
export const TOOL_NAME = typeof pkg.name === 'string' ? pkg.name : 'nad';
export const TOOL_VERSION = typeof pkg.version === 'string' ? pkg.version : '0.0.0';
