// @ts-check
// The chart: uPlot (loaded by index.html as the global `uPlot`) drawing raw samples as lines, or
// buckets as an average line inside a min/max band. Dragging across it selects a range to zoom to.
// After each draw the figure's data-* attributes say what it holds (mode, extent), for people
// inspecting the page and for the browser test.

const COLORS = ['#1f6fb4', '#c8382b', '#2a8a3e', '#8a4bb4', '#d97a0b', '#6b4f3b', '#c2478f', '#168c99'];
const HEIGHT = 420;
/** A drag narrower than this many pixels is a click, not a zoom. */
const MIN_DRAG_PX = 4;

/**
 * @typedef {import('./api.js').Series} Series
 * @typedef {(number | null | undefined)[]} Values
 * @typedef {{ series: Series, xs: number[], ys: number[] }} RawTable one series' samples (xs in seconds)
 * @typedef {{ series: Series, xs: number[], avg: Values, min: Values, max: Values }} BucketTable
 * @typedef {{ kind: 'raw', tables: RawTable[] } | { kind: 'aggregates', granularity: string, tables: BucketTable[] }} Content
 */

/**
 * The y scale of a series: one per point type when there are at most two (each with its own axis),
 * else one for all. Prefixed: a point type named `x` is not the time scale.
 * @param {Series[]} series
 * @returns {(series: Series) => string}
 */
function scalesOf(series) {
  const types = [...new Set(series.map((one) => one.pointType))];
  return types.length <= 2 ? (one) => `y:${one.pointType}` : () => 'y';
}

/**
 * Inserts a sample into a table kept in time order; the same instant again replaces the value (as
 * the API does).
 * @param {RawTable} table
 * @param {number} x seconds
 * @param {number} y
 */
function insertSample(table, x, y) {
  let low = 0;
  let high = table.xs.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (/** @type {number} */ (table.xs[middle]) < x) low = middle + 1;
    else high = middle;
  }
  if (table.xs[low] === x) table.ys[low] = y;
  else {
    table.xs.splice(low, 0, x);
    table.ys.splice(low, 0, y);
  }
}

/** @param {number | null | undefined} value */
const formatted = (value) => (value === null || value === undefined ? '–' : String(Math.round(value * 1000) / 1000));

/**
 * The legend's value of an average: the average, and the bucket's range.
 * @type {uPlot.Series.Value}
 */
const rangeValue = (plot, value, index, at) =>
  at === null || value === null
    ? '–'
    : `${formatted(value)} (${formatted(plot.data[index + 1]?.[at])} to ${formatted(plot.data[index + 2]?.[at])})`;

export class Chart {
  /**
   * @param {HTMLElement} figure gets the data-* attributes
   * @param {HTMLElement} host where the canvas goes
   * @param {(from: number, to: number) => void} onZoom a range dragged across, in ms
   * @param {() => void} onDrawn after each draw
   */
  constructor(figure, host, onZoom, onDrawn) {
    this.figure = figure;
    this.host = host;
    this.onZoom = onZoom;
    this.onDrawn = onDrawn;
    /** @type {uPlot | null} */
    this.plot = null;
    /** @type {Content | null} */
    this.content = null;
    /** The x range shown, in ms. */
    this.span = { from: 0, to: 0 };
    window.addEventListener('resize', () => this.plot?.setSize({ width: this.width(), height: HEIGHT }));
  }

  /** The plot's width in CSS pixels: what the buckets are sized for. */
  width() {
    return Math.max(320, Math.floor(this.host.clientWidth));
  }

  /**
   * Draws new content over [from, to) (ms), replacing what was drawn.
   * @param {Content} content
   * @param {{ from: number, to: number }} span
   */
  draw(content, span) {
    this.plot?.destroy();
    this.content = content;
    this.span = { ...span };
    const all = content.tables.map((table) => table.series);
    const scaleOf = scalesOf(all);
    const scales = [...new Set(all.map(scaleOf))];
    /** @type {uPlot.Series[]} */
    const series = [{}];
    /** @type {uPlot.Band[]} */
    const bands = [];
    /** The series of the averages, each followed by its min and max (legend: one row for the three). */
    /** @type {Set<number>} */
    const averages = new Set();
    content.tables.forEach((table, index) => {
      const color = COLORS[index % COLORS.length] ?? '#000';
      const name = table.series.pointId;
      const scale = scaleOf(table.series);
      if (content.kind === 'raw') {
        series.push({ label: name, stroke: color, width: 1.5, scale });
        return;
      }
      const first = series.length;
      averages.add(first);
      series.push(
        { label: name, stroke: color, width: 1.5, scale, value: rangeValue },
        { label: `${name} min`, stroke: `${color}66`, width: 0.5, scale, points: { show: false } },
        { label: `${name} max`, stroke: `${color}66`, width: 0.5, scale, points: { show: false } },
      );
      bands.push({ series: [first + 2, first + 1], fill: `${color}22` });
    });
    /** @type {uPlot.Axis[]} */
    const axes = [{}, ...scales.slice(0, 2).map((scale, side) => this.axisOf(scale, side, scales.length > 1))];
    /** @type {uPlot.Options} */
    const options = {
      width: this.width(),
      height: HEIGHT,
      scales: { x: { time: true, range: () => [this.span.from / 1000, this.span.to / 1000] } },
      series,
      bands,
      axes,
      cursor: { drag: { x: true, y: false, setScale: false } },
      legend: { live: true },
      hooks: {
        setSelect: [(plot) => this.zoomed(plot)],
        draw: [(plot) => this.publish(plot)],
        // Hiding an average (a click on its legend row) hides its band too.
        setSeries: [
          (plot, index, changed) => {
            if (index === null || !averages.has(index) || changed.show === undefined) return;
            plot.setSeries(index + 1, { show: changed.show }, false);
            plot.setSeries(index + 2, { show: changed.show }, false);
          },
        ],
      },
    };
    this.plot = new uPlot(options, this.data(), this.host);
    // The legend row of an average shows its min and max: theirs go.
    this.plot.root.querySelectorAll('.u-legend .u-series').forEach((row, index) => {
      if (averages.has(index - 1) || averages.has(index - 2)) row.remove();
    });
  }

  /**
   * @param {string} scale
   * @param {number} index 0: left, 1: right
   * @param {boolean} labelled
   * @returns {uPlot.Axis}
   */
  axisOf(scale, index, labelled) {
    return {
      scale,
      side: index === 0 ? 3 : 1,
      label: labelled && scale !== 'y' ? scale.slice(2) : undefined,
      grid: { show: index === 0 },
    };
  }

  /** @returns {uPlot.AlignedData} the tables joined on their instants */
  data() {
    const content = this.content;
    if (!content) return [[]];
    /** @type {uPlot.AlignedData[]} */
    const tables =
      content.kind === 'raw'
        ? content.tables.map((table) => [table.xs, table.ys])
        : content.tables.map((table) => [table.xs, table.avg, table.min, table.max]);
    return tables.length === 0 ? [[]] : uPlot.join(tables);
  }

  /**
   * Live samples of the raw view: inserted in time order, and the window moved to end at `to`.
   * @param {import('./api.js').Sample[]} samples
   * @param {{ from: number, to: number }} span
   */
  append(samples, span) {
    if (this.content?.kind !== 'raw' || !this.plot) return;
    const tables = new Map(this.content.tables.map((table) => [table.series.timeseriesId, table]));
    for (const sample of samples) {
      const table = tables.get(sample.timeseriesId);
      if (table) insertSample(table, sample.unixTimestamp / 1000, sample.val);
    }
    this.span = { ...span };
    for (const table of this.content.tables) {
      const old = table.xs.findIndex((x) => x * 1000 >= span.from);
      const drop = old === -1 ? table.xs.length : old;
      table.xs.splice(0, drop);
      table.ys.splice(0, drop);
    }
    this.plot.setData(this.data());
  }

  /** @param {uPlot} plot */
  zoomed(plot) {
    const { left, width } = plot.select;
    if (width < MIN_DRAG_PX) return;
    const from = Math.round(plot.posToVal(left, 'x') * 1000);
    const to = Math.round(plot.posToVal(left + width, 'x') * 1000);
    plot.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    if (to > from) this.onZoom(from, to);
  }

  /**
   * Writes what the chart drew on the figure: `data-mode` (raw, or the buckets' granularity: PT10M),
   * `data-series`, and the extent of the drawn points (`data-x-min`/`data-x-max` in ISO 8601,
   * `data-y-min`/`data-y-max`).
   * @param {uPlot} plot
   */
  publish(plot) {
    const xs = plot.data[0];
    let first = Infinity;
    let last = -Infinity;
    let low = Infinity;
    let high = -Infinity;
    for (let s = 1; s < plot.data.length; s++) {
      const ys = plot.data[s] ?? [];
      for (let i = 0; i < ys.length; i++) {
        const y = ys[i];
        const x = xs[i];
        if (y === null || y === undefined || x === undefined) continue;
        if (x < first) first = x;
        if (x > last) last = x;
        if (y < low) low = y;
        if (y > high) high = y;
      }
    }
    const data = this.figure.dataset;
    const content = this.content;
    data.mode = content?.kind === 'aggregates' ? content.granularity : 'raw';
    data.series = String(content?.tables.length ?? 0);
    data.points = String(xs.length);
    const drawn = Number.isFinite(first);
    data.xMin = drawn ? new Date(first * 1000).toISOString() : '';
    data.xMax = drawn ? new Date(last * 1000).toISOString() : '';
    data.yMin = drawn ? String(low) : '';
    data.yMax = drawn ? String(high) : '';
    this.onDrawn();
  }
}
