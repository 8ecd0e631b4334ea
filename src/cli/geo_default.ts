/**
 * The Python tool's GeoIP setting: its config.py read `data/GeoLite2-City.mmdb` (GEO_IP_DATABASE), and its README told
 * users to put their MaxMind file there. A user who did finds it used: when geo is on, no --geoip is given and that
 * file exists under the working directory, it is the location database, and summary.json records it as --geoip.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const PYTHON_GEOIP = join('data', 'GeoLite2-City.mmdb');

/** The path to use as --geoip when the options leave it to the default, else undefined. */
export function pythonGeoip(opts: { geo?: boolean; geoip?: string }): string | undefined {
  return opts.geo !== false && opts.geoip === undefined && existsSync(PYTHON_GEOIP) ? PYTHON_GEOIP : undefined;
}
