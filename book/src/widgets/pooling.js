// Pooling windows by view and permute (pooling chapter): a one-image,
// one-channel input 1 x 1 x H x W is viewed as (1, 1, H/kh, kh, W/kw, kw),
// permuted by (0, 1, 2, 4, 3, 5), copied and viewed as the tile
// (1, 1, H/kh, W/kw, kh*kw); output (i, j) is the mean of window (i, j).
//
// Placeholder: <div class="widget" data-widget="pooling" data-size="4,4"
//   data-kernel="2,2"></div>   (or data-input="1 2 3 4; 5 6 7 8; ..." for other numbers)
(function () {
  "use strict";
  // common.js defines it: book.toml loads it before every widget.
  const W = window.GradlingsWidgets;
  const { el, fail, fmt, tuple } = W;

  /// The largest image the figure draws.
  const MOST = 12;
  /// Window colours cycle through this many classes.
  const COLOURS = 6;

  /// The grid of numbers 1..H*W, row-major.
  function counting(h, w) {
    return Array.from({ length: h }, (_, r) => Array.from({ length: w }, (_, s) => r * w + s + 1));
  }

  function build(root) {
    const d = root.dataset;
    const message = W.messageBox();
    const pair = (text, fallback) => (/^\s*\d+\s*,\s*\d+\s*$/.test(text || "") ? text.split(",").map(Number) : fallback);
    const [h0, w0] = pair(d.size, [4, 4]);
    const [kh0, kw0] = pair(d.kernel, [2, 2]);
    const update = () => render();
    const inputField = W.field("input x (rows split by ;)", "input", d.input || W.matrixText(counting(h0, w0)), update, {}, "wide");
    const khField = el("input", { type: "number", min: 1, max: MOST, step: 1, value: kh0, "data-role": "kh", oninput: update, onchange: update });
    const kwField = el("input", { type: "number", min: 1, max: MOST, step: 1, value: kw0, "data-role": "kw", oninput: update, onchange: update });
    const resetButton = el("button", { type: "button", "data-role": "count", text: "1, 2, 3, \u2026",
      title: "fill the input with 1, 2, 3, ... in row-major order", onclick: () => {
        W.guarded(message, () => {
          const x = W.parseMatrix(inputField.querySelector("input").value, "input x");
          inputField.querySelector("input").value = W.matrixText(counting(x.length, x[0].length));
          render();
        });
      } });
    const grid = el("div", { "data-role": "grid" });
    const output = el("div", { "data-role": "output" });
    const steps = el("div", { class: "widget-scroll", "data-role": "steps" });
    const tile = el("div", { class: "widget-scroll", "data-role": "tile" });
    const tileShape = el("p", { class: "widget-small", "data-role": "tile-shape" });
    const selectedText = el("p", { class: "widget-result", "data-role": "selected", "aria-live": "polite" });
    let state = null;
    let chosen = [0, 0];

    root.append(
      el("div", { class: "widget-title", text: "Pooling windows from a view and a permute" }),
      el("div", { class: "widget-controls" }, [inputField, resetButton,
        el("label", { class: "widget-field is-narrow" }, [el("span", { text: "kh" }), khField]),
        el("label", { class: "widget-field is-narrow" }, [el("span", { text: "kw" }), kwField])]),
      message.node,
      el("div", { class: "widget-row" }, [
        el("div", { class: "widget-panel" }, [el("div", { class: "widget-caption", text: "input, one colour per window" }), W.scroller([grid])]),
        el("div", { class: "widget-panel" }, [el("div", { class: "widget-caption", text: "average pool (click a cell)" }), W.scroller([output])]),
      ]),
      selectedText,
      el("div", { class: "widget-caption", text: "The four steps of tile, with B = C = 1:" }),
      steps,
      tileShape,
      tile,
    );

    /// Highlights window (i, j) everywhere and explains its mean.
    function choose(i, j) {
      if (state === null) {
        return;
      }
      chosen = [i, j];
      const { windows, means, kh, kw } = state;
      root.querySelectorAll("[data-window]").forEach((c) => {
        c.classList.toggle("is-selected", c.dataset.window === i + "," + j);
      });
      const values = windows[i][j];
      selectedText.dataset.value = String(means[i][j]);
      selectedText.textContent = "window (" + i + ", " + j + ") = tile[0, 0, " + i + ", " + j + ", :] = " +
        tuple(values, (v) => W.short(v, 3)) + ": its top-left corner is x[" + i * kh + ", " + j * kw + "], and its mean is (" +
        values.map((v) => W.short(v, 3)).join(" + ") + ") / " + values.length + " = " + W.short(means[i][j]);
    }

    function render() {
      message.show("");
      state = null;
      const ok = W.guarded(message, () => {
        const x = W.parseMatrix(inputField.querySelector("input").value, "input x");
        const [H, Wd] = [x.length, x[0].length];
        if (H > MOST || Wd > MOST) {
          fail("this figure draws images of at most " + MOST + " rows and columns");
        }
        const kh = Number(khField.value);
        const kw = Number(kwField.value);
        if (!Number.isInteger(kh) || !Number.isInteger(kw) || kh < 1 || kw < 1) {
          fail("kh and kw must be whole numbers of at least 1: a window of no rows or columns is refused");
        }
        if (H % kh !== 0 || Wd % kw !== 0) {
          const which = H % kh !== 0 ? "kh = " + kh + " does not divide the height H = " + H :
            "kw = " + kw + " does not divide the width W = " + Wd;
          fail(which + ". Pooling refuses such a window (a ShapeError) rather than drop the leftover " +
            (H % kh !== 0 ? "rows" : "columns") + " silently.");
        }
        const [nh, nw] = [H / kh, Wd / kw];
        const windows = Array.from({ length: nh }, (_, i) => Array.from({ length: nw }, (_, j) => {
          const values = [];
          for (let a = 0; a < kh; a++) {
            for (let e = 0; e < kw; e++) {
              values.push(x[i * kh + a][j * kw + e]);
            }
          }
          return values;
        }));
        const means = windows.map((row) => row.map((v) => v.reduce((s, t) => s + t, 0) / (kh * kw)));
        state = { x, kh, kw, nh, nw, windows, means };
      });
      if (!ok) {
        for (const node of [grid, output, steps, tile]) {
          node.replaceChildren();
        }
        tileShape.textContent = "";
        selectedText.textContent = "";
        return;
      }
      const { x, kh, kw, nh, nw, windows, means } = state;
      const [H, Wd] = [x.length, x[0].length];
      const colour = (i, j) => "window-c" + ((i * nw + j + (nw % 2 === 0 ? i : 0)) % COLOURS);
      grid.replaceChildren(W.grid(H, Wd, (r, s) => {
        const [i, j] = [Math.floor(r / kh), Math.floor(s / kw)];
        return el("button", { type: "button", class: "widget-cell " + colour(i, j), "data-window": i + "," + j,
          title: "x[" + r + ", " + s + "], slot " + (r * Wd + s) + ", window (" + i + ", " + j + ")", text: W.short(x[r][s], 3),
          onclick: () => choose(i, j) });
      }, { rowHeader: (r) => String(r), colHeader: (s) => String(s) }));
      output.replaceChildren(W.grid(nh, nw, (i, j) => el("button", { type: "button", class: "widget-cell " + colour(i, j),
        "data-window": i + "," + j, "data-value": String(means[i][j]), text: W.short(means[i][j]),
        onclick: () => choose(i, j) }), { rowHeader: (i) => String(i), colHeader: (j) => String(j) }));

      // The strides of the four steps, for B = C = 1, as the chapter's table.
      const input = [1, 1, H, Wd];
      const viewed = [1, 1, nh, kh, nw, kw];
      const order = [0, 1, 2, 4, 3, 5];
      const viewedStrides = W.rowMajorStrides(viewed);
      const tiled = [1, 1, nh, nw, kh * kw];
      const rows = [
        ["contiguous input", input, "(b, c, h, w)", W.rowMajorStrides(input)],
        ["2. view", viewed, "(b, c, i, a, j, d)", viewedStrides],
        ["3. permute " + tuple(order), order.map((k) => viewed[k]), "(b, c, i, j, a, d)", order.map((k) => viewedStrides[k])],
        ["4. contiguous, then view", tiled, "(b, c, i, j, a\u00b7kw + d)", W.rowMajorStrides(tiled)],
      ];
      steps.replaceChildren(el("table", { class: "widget-table" }, [
        el("thead", {}, el("tr", {}, ["step", "shape", "axes", "strides"].map((t) => el("th", { text: t })))),
        el("tbody", {}, rows.map(([name, shape, axes, strides], k) => el("tr", { "data-step": String(k + 1) }, [
          el("td", { text: name }), el("td", { class: "shape", text: tuple(shape) }), el("td", { text: axes }),
          el("td", { class: "strides", text: tuple(strides) })]))),
      ]));

      tileShape.textContent = "The tile, shape " + tuple(tiled) + ": one row per window, its numbers row-major along the last axis.";
      tileShape.dataset.shape = tiled.join(",");
      const lines = [];
      for (let i = 0; i < nh; i++) {
        for (let j = 0; j < nw; j++) {
          const slots = [];
          for (let a = 0; a < kh; a++) {
            for (let e = 0; e < kw; e++) {
              slots.push((i * kh + a) * Wd + j * kw + e);
            }
          }
          lines.push(el("tr", { "data-window": i + "," + j, class: colour(i, j) }, [
            el("td", { text: "(" + i + ", " + j + ")" }),
            el("td", { class: "values", text: tuple(windows[i][j], (v) => W.short(v, 3)) }),
            el("td", { class: "slots", text: slots.join(", ") }),
            el("td", { class: "mean", "data-value": String(means[i][j]), text: W.short(means[i][j]) }),
          ]));
        }
      }
      tile.replaceChildren(el("table", { class: "widget-table" }, [
        el("thead", {}, el("tr", {}, ["window (i, j)", "tile[0, 0, i, j, :]", "input slots", "mean"].map((t) => el("th", { text: t })))),
        el("tbody", {}, lines),
      ]));
      choose(Math.min(chosen[0], nh - 1), Math.min(chosen[1], nw - 1));
    }

    render();
  }

  W.register("pooling", build);
})();
