/** What every injection gets: the run's world, its own random stream, the host it runs on and the capture window. */
import type { Host } from '../office.js';
import type { Rng } from '../rng.js';
import type { World } from '../world.js';

export interface InjectContext {
  readonly world: World;
  readonly rng: Rng;
  readonly host: Host;
  readonly start_us: number;
  readonly end_us: number;
}
