/**
 * Multinomial logistic regression (softmax) with L2 regularisation on sparse rows, fitted by
 * full-batch L-BFGS (Nocedal & Wright, "Numerical Optimization", 2nd ed., algorithm 7.4: two-loop
 * recursion, memory 10) with a backtracking Armijo line search.
 *
 * Written here because the npm packages that fit the name do not fit the data: `ml-logistic-regression`
 * (one-vs-rest, dense `ml-matrix` rows: 9,543 rows × ~20,000 TF-IDF features is ~1.5 GB of doubles and
 * gives no calibrated multiclass probabilities), `@kobra-dev/js-regression` (dense arrays, gradient
 * descent only). TF-IDF rows hold ~20 non-zeros, so a sparse full-batch fit takes seconds.
 *
 * Objective: (1/Σs) Σ_i s_i · CE(softmax(W x_i + b), y_i) + (λ/2)‖W‖² (bias not regularised), with
 * per-row weights s_i (class weighting).
 */

/** A sparse row: feature indices and values. */
export interface SparseRow {
  idx: number[];
  val: number[];
}

export interface SoftmaxOptions {
  classes: number;
  features: number;
  /** L2 strength λ. */
  l2: number;
  /** Per-row weights (default 1). */
  rowWeights?: readonly number[];
  maxIterations?: number;
  /** Stop when the relative decrease of the objective over one iteration is below this. */
  tolerance?: number;
  /** Called after each iteration (progress). */
  onIteration?: (iteration: number, loss: number) => void;
}

export interface SoftmaxFit {
  /** `weights[c][j]` */
  weights: Float64Array[];
  bias: Float64Array;
  iterations: number;
  loss: number;
}

/** Fits the model; `labels[i]` is the class index (0 … classes−1) of `rows[i]`. */
export function fitSoftmax(rows: readonly SparseRow[], labels: readonly number[], opts: SoftmaxOptions): SoftmaxFit {
  const K = opts.classes;
  const F = opts.features;
  const P = K * F + K; // parameters: W row-major, then b
  const s = opts.rowWeights ?? rows.map(() => 1);
  const sTotal = s.reduce((a, b) => a + b, 0);
  const maxIt = opts.maxIterations ?? 300;
  const tol = opts.tolerance ?? 1e-7;

  const z = new Float64Array(K);
  /** Objective and gradient at `x` (gradient written into `g`). */
  const evaluate = (x: Float64Array, g: Float64Array): number => {
    g.fill(0);
    let loss = 0;
    for (let i = 0; i < rows.length; i++) {
      const { idx, val } = rows[i]!;
      let m = -Infinity;
      for (let c = 0; c < K; c++) {
        let v = x[K * F + c]!;
        const off = c * F;
        for (let k = 0; k < idx.length; k++) v += x[off + idx[k]!]! * val[k]!;
        z[c] = v;
        if (v > m) m = v;
      }
      let sum = 0;
      for (let c = 0; c < K; c++) sum += Math.exp(z[c]! - m);
      const logSum = m + Math.log(sum);
      const wi = s[i]! / sTotal;
      loss += wi * (logSum - z[labels[i]!]!);
      for (let c = 0; c < K; c++) {
        const d = wi * (Math.exp(z[c]! - logSum) - (c === labels[i] ? 1 : 0));
        const off = c * F;
        for (let k = 0; k < idx.length; k++) g[off + idx[k]!]! += d * val[k]!;
        g[K * F + c]! += d;
      }
    }
    for (let j = 0; j < K * F; j++) {
      loss += 0.5 * opts.l2 * x[j]! * x[j]!;
      g[j]! += opts.l2 * x[j]!;
    }
    return loss;
  };

  const dot = (a: Float64Array, b: Float64Array): number => {
    let r = 0;
    for (let j = 0; j < P; j++) r += a[j]! * b[j]!;
    return r;
  };

  const M = 10;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  let x = new Float64Array(P);
  let g = new Float64Array(P);
  let f = evaluate(x, g);
  const d = new Float64Array(P);
  const alpha = new Float64Array(M);
  let it = 0;
  for (; it < maxIt; it++) {
    // Two-loop recursion: d = −H g
    d.set(g);
    for (let k = S.length - 1; k >= 0; k--) {
      const rho = 1 / dot(Y[k]!, S[k]!);
      alpha[k] = rho * dot(S[k]!, d);
      for (let j = 0; j < P; j++) d[j]! -= alpha[k]! * Y[k]![j]!;
    }
    if (S.length > 0) {
      const last = S.length - 1;
      const gamma = dot(S[last]!, Y[last]!) / dot(Y[last]!, Y[last]!);
      for (let j = 0; j < P; j++) d[j]! *= gamma;
    }
    for (let k = 0; k < S.length; k++) {
      const rho = 1 / dot(Y[k]!, S[k]!);
      const beta = rho * dot(Y[k]!, d);
      for (let j = 0; j < P; j++) d[j]! += S[k]![j]! * (alpha[k]! - beta);
    }
    for (let j = 0; j < P; j++) d[j] = -d[j]!;
    let slope = dot(g, d);
    if (slope >= 0) {
      // Not a descent direction: restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      for (let j = 0; j < P; j++) d[j] = -g[j]!;
      slope = dot(g, d);
    }
    let step = it === 0 ? 1 / Math.sqrt(Math.max(1e-12, dot(g, g))) : 1;
    const xNew = new Float64Array(P);
    const gNew = new Float64Array(P);
    let fNew = Infinity;
    for (let ls = 0; ls < 40; ls++) {
      for (let j = 0; j < P; j++) xNew[j] = x[j]! + step * d[j]!;
      fNew = evaluate(xNew, gNew);
      if (fNew <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew < f)) break;
    const sVec = new Float64Array(P);
    const yVec = new Float64Array(P);
    for (let j = 0; j < P; j++) {
      sVec[j] = xNew[j]! - x[j]!;
      yVec[j] = gNew[j]! - g[j]!;
    }
    if (dot(sVec, yVec) > 1e-12) {
      S.push(sVec);
      Y.push(yVec);
      if (S.length > M) {
        S.shift();
        Y.shift();
      }
    }
    const rel = (f - fNew) / Math.max(1e-12, Math.abs(f));
    x = xNew;
    g = gNew;
    f = fNew;
    opts.onIteration?.(it + 1, f);
    if (rel < tol) {
      it++;
      break;
    }
  }
  const weights = Array.from({ length: K }, (_, c) => x.slice(c * F, (c + 1) * F));
  return { weights, bias: x.slice(K * F), iterations: it, loss: f };
}
