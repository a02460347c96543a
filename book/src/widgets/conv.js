// Sliding convolution window (2D chapter): the box of the kernel, anchored
// by its top-left corner at the output position (i, j), reads
//     out[i, j] = sum over a, d of w[a, d] * x[i + a, j + d],
// with x read as 0 past the bottom and right edges; the output is H x W.
//
// Placeholder: <div class="widget" data-widget="conv" data-input="1 2 0; 0 1 3; 2 1 1"
//   data-kernel="1 0; 2 1"></div>   (rows separated by ";")
(function () {
  "use strict";
  // common.js defines it: book.toml loads it before every widget.
  const W = window.GradlingsWidgets;
  const { el, fail, fmt } = W;

  /// The largest image and kernel the figure draws.
  const MOST = 12;

  /// x[r][s], or 0 past the bottom or right edge.
  function read(x, r, s) {
    return r < x.length && s < x[0].length ? x[r][s] : 0;
  }

  /// The whole H x W output.
  function conv2d(x, w) {
    return x.map((row, i) => row.map((_, j) => {
      let sum = 0;
      w.forEach((wr, a) => wr.forEach((wv, d) => {
        sum += wv * read(x, i + a, j + d);
      }));
      return sum;
    }));
  }

  function build(root) {
    const d = root.dataset;
    const message = W.messageBox();
    const update = () => render();
    const inputField = W.field("input x (rows split by ;)", "input", d.input || "1 2 0 1 3; 0 1 3 2 0; 2 1 1 0 1; 1 0 2 1 2; 3 1 0 2 1", update, {}, "wide");
    const kernelField = W.field("kernel w", "kernel", d.kernel || "1 0 1; 2 1 0; 0 1 1", update, {}, "wide");
    const slider = el("input", { type: "range", min: 0, max: 0, step: 1, value: d.at || 0, "data-role": "position",
      "aria-label": "output position", oninput: () => show(Number(slider.value)), onchange: () => show(Number(slider.value)) });
    const at = el("span", { class: "widget-result", "data-role": "at" });
    const prev = el("button", { type: "button", "data-role": "prev", text: "\u25c0", "aria-label": "previous position",
      onclick: () => show(Number(slider.value) - 1) });
    const next = el("button", { type: "button", "data-role": "next", text: "\u25b6", "aria-label": "next position",
      onclick: () => show(Number(slider.value) + 1) });
    const padded = el("div", { "data-role": "padded" });
    const kernel = el("div", { "data-role": "kernel-grid" });
    const output = el("div", { "data-role": "output" });
    const products = el("p", { class: "widget-result", "data-role": "products", "aria-live": "polite" });
    let state = null;
    let initial = Number(d.at || 0);

    root.append(
      el("div", { class: "widget-title", text: "Sliding the kernel's box" }),
      el("div", { class: "widget-controls" }, [inputField, kernelField]),
      message.node,
      el("div", { class: "widget-controls" }, [el("label", { class: "widget-field" }, [el("span", { text: "output position" }), slider]),
        prev, next, at]),
      el("div", { class: "widget-row" }, [
        el("div", { class: "widget-panel" }, [el("div", { class: "widget-caption", text: "input, zeros past the bottom and right" }), W.scroller([padded])]),
        el("div", { class: "widget-panel" }, [el("div", { class: "widget-caption", text: "kernel w" }), W.scroller([kernel])]),
        el("div", { class: "widget-panel" }, [el("div", { class: "widget-caption", text: "output (click a cell)" }), W.scroller([output])]),
      ]),
      products,
    );

    /// Moves the box to output position number `p` (row-major).
    function show(p) {
      if (state === null) {
        return;
      }
      const { x, w, out } = state;
      const [H, Wd, KH, KW] = [x.length, x[0].length, w.length, w[0].length];
      const q = Math.min(Math.max(0, Math.round(p)), H * Wd - 1);
      slider.value = String(q);
      const i = Math.floor(q / Wd);
      const j = q % Wd;
      at.textContent = "(i, j) = (" + i + ", " + j + ")";
      at.dataset.i = String(i);
      at.dataset.j = String(j);
      padded.querySelectorAll(".widget-cell").forEach((c) => {
        const r = Number(c.dataset.r);
        const s = Number(c.dataset.s);
        const inside = r >= i && r < i + KH && s >= j && s < j + KW;
        c.classList.toggle("in-window", inside);
        c.classList.toggle("window-top", inside && r === i);
        c.classList.toggle("window-bottom", inside && r === i + KH - 1);
        c.classList.toggle("window-left", inside && s === j);
        c.classList.toggle("window-right", inside && s === j + KW - 1);
        const weight = c.querySelector(".widget-weight");
        weight.textContent = inside ? "\u00d7" + W.short(w[r - i][s - j], 3) : "";
      });
      output.querySelectorAll(".widget-cell").forEach((c) => {
        c.classList.toggle("is-selected", c.dataset.i === String(i) && c.dataset.j === String(j));
      });
      const terms = [];
      for (let a = 0; a < KH; a++) {
        for (let e = 0; e < KW; e++) {
          const outside = i + a >= H || j + e >= Wd;
          terms.push(W.short(w[a][e], 3) + "\u00b7" + (outside ? "[0]" : W.short(read(x, i + a, j + e), 3)));
        }
      }
      products.dataset.value = String(out[i][j]);
      products.textContent = "out[" + i + ", " + j + "] = " + terms.join(" + ") + " = " + W.short(out[i][j]) +
        (i + KH > H || j + KW > Wd ? "   ([0]: past the edge, read as zero)" : "");
    }

    function render() {
      message.show("");
      state = null;
      const ok = W.guarded(message, () => {
        const x = W.parseMatrix(inputField.querySelector("input").value, "input x");
        const w = W.parseMatrix(kernelField.querySelector("input").value, "kernel w");
        if (x.length > MOST || x[0].length > MOST || w.length > MOST || w[0].length > MOST) {
          fail("this figure draws images and kernels of at most " + MOST + " rows and columns");
        }
        state = { x, w, out: conv2d(x, w) };
      });
      if (!ok) {
        padded.replaceChildren();
        kernel.replaceChildren();
        output.replaceChildren();
        products.textContent = "";
        at.textContent = "";
        return;
      }
      const { x, w, out } = state;
      const [H, Wd, KH, KW] = [x.length, x[0].length, w.length, w[0].length];
      padded.replaceChildren(W.grid(H + KH - 1, Wd + KW - 1, (r, s) => {
        const pad = r >= H || s >= Wd;
        return el("span", { class: "widget-cell" + (pad ? " is-pad" : ""), "data-r": r, "data-s": s,
          title: pad ? "past the edge: reads 0" : "x[" + r + ", " + s + "]" },
        [el("span", { class: "widget-num", text: pad ? "0" : W.short(x[r][s], 3) }), el("span", { class: "widget-weight" })]);
      }, { rowHeader: (r) => String(r), colHeader: (s) => String(s) }));
      kernel.replaceChildren(W.grid(KH, KW, (a, e) => el("span", { class: "widget-cell", text: W.short(w[a][e], 3) }),
        { rowHeader: (a) => String(a), colHeader: (e) => String(e) }));
      output.replaceChildren(W.grid(H, Wd, (i, j) => el("button", { type: "button", class: "widget-cell", "data-i": i, "data-j": j,
        "data-value": String(out[i][j]), text: W.short(out[i][j]), title: "output (" + i + ", " + j + ")",
        onclick: () => show(i * Wd + j) }), { rowHeader: (i) => String(i), colHeader: (j) => String(j) }));
      slider.max = String(H * Wd - 1);
      show(initial !== null ? initial : Number(slider.value));
      initial = null;
    }

    render();
  }

  W.register("conv", build);
})();
