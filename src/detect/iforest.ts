/**
 * Isolation forest, as Liu, Ting and Zhou define it ("Isolation Forest", ICDM 2008): each tree is grown on a random
 * subsample of ψ rows (default 256) to the height limit ⌈log2 ψ⌉, splitting on a random feature at a uniform random value
 * between its min and max. Score s(x) = 2^(−E[h(x)] / c(ψ)), where a leaf holding n rows adds c(n) to the path length.
 * Seeded (xorshift32), so the same rows and seed give the same forest; trees are typed arrays and round-trip through JSON.
 */

/** c(n): average path length of an unsuccessful BST search (paper eq. 1); H(i) ≈ ln i + Euler's constant. */
export function cFactor(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + 0.5772156649015329) - (2 * (n - 1)) / n;
}

/** A tree as scored: the grown arrays plus `exit`, the path length credited on leaving at each node (depth + c(size)). */
interface ScoredTree { feature: Int16Array; split: Float64Array; left: Int32Array; right: Int32Array; exit: Float64Array }

interface Tree {
  /** Split feature per node, −1 at a leaf. */
  feature: Int16Array;
  split: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** Rows that reached the node (leaf size for c(n)). */
  size: Int32Array;
}

export interface ForestOptions { trees?: number; psi?: number; seed?: number }

/** JSON form: plain arrays, nothing else. */
export interface ForestJson {
  version: 1;
  psi: number;
  features: number;
  seed: number;
  trees: { feature: number[]; split: number[]; left: number[]; right: number[]; size: number[] }[];
}

function xorshift32(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

export class IsolationForest {
  readonly psi: number;
  readonly features: number;
  readonly seed: number;
  readonly #trees: Tree[];
  readonly #scored: ScoredTree[];

  private constructor(psi: number, features: number, seed: number, trees: Tree[]) {
    this.psi = psi;
    this.features = features;
    this.seed = seed;
    this.#trees = trees;
    this.#scored = trees.map(withExit);
  }

  /** Grows the forest on rows (all of equal length). Throws on an empty or ragged input. */
  static fit(rows: readonly (readonly number[])[], opts: ForestOptions = {}): IsolationForest {
    const n = rows.length;
    if (n === 0) throw new Error('isolation forest: no rows to learn from');
    const d = rows[0]!.length;
    if (rows.some((r) => r.length !== d)) throw new Error('isolation forest: rows differ in length');
    const seed = opts.seed ?? 1;
    const rnd = xorshift32(seed);
    const psi = Math.min(opts.psi ?? 256, n);
    const heightLimit = Math.ceil(Math.log2(Math.max(psi, 2)));
    const trees: Tree[] = [];
    for (let t = 0; t < (opts.trees ?? 100); t++) trees.push(growTree(rows, d, psi, heightLimit, rnd));
    return new IsolationForest(psi, d, seed, trees);
  }

  /** Average path length of a row over the trees, leaf-size adjusted. */
  pathLength(row: readonly number[]): number {
    const trees = this.#scored;
    let total = 0;
    for (let i = 0; i < trees.length; i++) {
      const t = trees[i]!;
      let id = 0;
      let f = t.feature[0]!;
      while (f >= 0) {
        id = (row[f] ?? 0) < t.split[id]! ? t.left[id]! : t.right[id]!;
        f = t.feature[id]!;
      }
      total += t.exit[id]!;
    }
    return total / trees.length;
  }

  /** Anomaly score in (0, 1]: near 1 isolated early, ≤ 0.5 ordinary (paper §2). */
  score(row: readonly number[]): number {
    const c = cFactor(this.psi);
    return c === 0 ? 0.5 : 2 ** (-this.pathLength(row) / c);
  }

  toJSON(): ForestJson {
    return {
      version: 1, psi: this.psi, features: this.features, seed: this.seed,
      trees: this.#trees.map((t) => ({
        feature: Array.from(t.feature), split: Array.from(t.split), left: Array.from(t.left), right: Array.from(t.right), size: Array.from(t.size),
      })),
    };
  }

  /** Rebuilds a forest from `toJSON()` output; throws with one line when the shape is wrong. */
  static fromJSON(j: unknown): IsolationForest {
    const o = j as Partial<ForestJson> | null;
    if (o === null || typeof o !== 'object' || o.version !== 1 || !Array.isArray(o.trees) || typeof o.psi !== 'number' || typeof o.features !== 'number') {
      throw new Error('isolation forest JSON: not a version 1 forest');
    }
    const trees = o.trees.map((t) => ({
      feature: Int16Array.from(t.feature), split: Float64Array.from(t.split), left: Int32Array.from(t.left),
      right: Int32Array.from(t.right), size: Int32Array.from(t.size),
    }));
    return new IsolationForest(o.psi, o.features, o.seed ?? 1, trees);
  }
}

/** Adds the exit values: depth of each node plus c(size) (paper Algorithm 3, PathLength). */
function withExit(t: Tree): ScoredTree {
  const exit = new Float64Array(t.feature.length);
  const depth = new Int32Array(t.feature.length);
  for (let id = 0; id < t.feature.length; id++) {
    exit[id] = depth[id]! + cFactor(t.size[id]!);
    if (t.feature[id]! >= 0) { depth[t.left[id]!] = depth[id]! + 1; depth[t.right[id]!] = depth[id]! + 1; }
  }
  return { feature: t.feature, split: t.split, left: t.left, right: t.right, exit };
}

function growTree(rows: readonly (readonly number[])[], d: number, psi: number, heightLimit: number, rnd: () => number): Tree {
  const n = rows.length;
  // Sampling without replacement (Floyd's algorithm: psi draws, no n-sized scratch), as the paper's sub-sampling is.
  const chosen = new Set<number>();
  for (let j = n - psi; j < n; j++) {
    const t = Math.floor(rnd() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  const idx = Int32Array.from(chosen);
  const feature: number[] = [];
  const split: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const size: number[] = [];
  const build = (lo: number, hi: number, h: number): number => {
    const id = feature.length;
    feature.push(-1); split.push(0); left.push(-1); right.push(-1); size.push(hi - lo);
    if (h >= heightLimit || hi - lo <= 1) return id;
    const f = Math.floor(rnd() * d);
    let mn = Infinity;
    let mx = -Infinity;
    for (let i = lo; i < hi; i++) {
      const v = rows[idx[i]!]![f]!;
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    if (mn === mx) return id;
    const sv = mn + rnd() * (mx - mn);
    let a = lo;
    let b = hi - 1;
    while (a <= b) {
      if (rows[idx[a]!]![f]! < sv) a++;
      else { const tmp = idx[a]!; idx[a] = idx[b]!; idx[b] = tmp; b--; }
    }
    feature[id] = f;
    split[id] = sv;
    left[id] = build(lo, a, h + 1);
    right[id] = build(a, hi, h + 1);
    return id;
  };
  build(0, psi, 0);
  return {
    feature: Int16Array.from(feature), split: Float64Array.from(split), left: Int32Array.from(left),
    right: Int32Array.from(right), size: Int32Array.from(size),
  };
}
