// Shared helpers of the interactive figures of the notes.
//
// A chapter embeds a figure with an empty placeholder,
//     <div class="widget" data-widget="NAME" data-...="..."></div>
// and the script of that figure (NAME.js) registers a builder with
// `GradlingsWidgets.register(NAME, build)`. Once the page is parsed, every
// placeholder of that name is handed to `build(root)` once. Plain
// JavaScript, no network, no build step: the files are served as they are.
//
// The figures compute everything in the page with f64 numbers (JavaScript
// numbers), with the formulas of the course. Bad input is reported inside
// the figure as a message; a figure never throws at its reader.
(function () {
  "use strict";

  if (window.GradlingsWidgets) {
    return;
  }

  /// An error in what the reader typed: shown as a message, never thrown
  /// past the figure.
  class InputError extends Error {}

  /// `fail("...")` stops a computation with a message for the reader.
  function fail(message) {
    throw new InputError(message);
  }

  /// An element `tag` with attributes (`class`, `text`, `data-*`, event
  /// handlers as `on<event>`) and children (nodes or strings).
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) {
        continue;
      }
      if (key === "text") {
        node.textContent = value;
      } else if (key.startsWith("on") && typeof value === "function") {
        node.addEventListener(key.slice(2), value);
      } else if (key === "value") {
        node.value = value;
      } else if (key === "checked") {
        node.checked = Boolean(value);
      } else {
        node.setAttribute(key, value === true ? "" : String(value));
      }
    }
    for (const child of [].concat(children || [])) {
      if (child !== null && child !== undefined && child !== false) {
        node.append(typeof child === "string" ? document.createTextNode(child) : child);
      }
    }
    return node;
  }

  /// A labelled text field; `onChange` runs on every edit. `width` is
  /// "wide" (a matrix), "narrow" (one number) or nothing.
  function field(label, role, value, onChange, attrs, width) {
    const input = el("input", Object.assign({ type: "text", "data-role": role, value, spellcheck: "false",
      autocomplete: "off", oninput: onChange, onchange: onChange }, attrs || {}));
    return el("label", { class: "widget-field" + (width ? " is-" + width : "") }, [el("span", { text: label }), input]);
  }

  /// A number as the figures show it: integers without decimals, other
  /// numbers with `digits` decimals, infinities as the symbol.
  function fmt(x, digits) {
    const d = digits === undefined ? 4 : digits;
    if (Number.isNaN(x)) {
      return "NaN";
    }
    if (x === Infinity) {
      return "\u221e";
    }
    if (x === -Infinity) {
      return "-\u221e";
    }
    // Whole numbers, and sums that miss one by a rounding error, as integers.
    const whole = Math.round(x);
    if (Math.abs(x) < 1e15 && Math.abs(x - whole) <= 1e-12 * Math.max(1, Math.abs(x))) {
      return String(whole === 0 ? 0 : whole);
    }
    if (x !== 0 && Math.abs(x) < 0.5 * Math.pow(10, -d)) {
      return x.toExponential(1);
    }
    const text = x.toFixed(d);
    // -0.0000 is 0 for a reader.
    return /^-0\.0*$/.test(text) ? text.slice(1) : text;
  }

  /// `fmt` without the trailing zeros of its decimals: 3.5 rather than 3.5000.
  function short(x, digits) {
    const text = fmt(x, digits);
    return /\.\d*0$/.test(text) && !text.includes("e") ? text.replace(/\.?0+$/, "") : text;
  }

  /// A tuple the way the notes write one: (2, 3, 4), (8,), ().
  function tuple(values, format) {
    const f = format || String;
    if (values.length === 1) {
      return "(" + f(values[0]) + ",)";
    }
    return "(" + values.map(f).join(", ") + ")";
  }

  /// The numbers of a list such as "1, 2, 2.5" or "1 2 -3" (commas or
  /// spaces; optional parentheses). `what` names the field in messages.
  function parseNumbers(text, what) {
    const inner = String(text).trim().replace(/^[([]\s*/, "").replace(/\s*[)\]]$/, "");
    if (inner === "") {
      return [];
    }
    return inner.split(/[\s,]+/).filter((s) => s !== "").map((s) => {
      const value = Number(s.replace("\u2212", "-"));
      if (s === "" || !Number.isFinite(value)) {
        fail(what + ": \u201c" + s + "\u201d is not a number");
      }
      return value;
    });
  }

  /// Whole numbers of at least 0, as for a shape or an index.
  function parseCounts(text, what) {
    return parseNumbers(text, what).map((v) => {
      if (!Number.isInteger(v) || v < 0) {
        fail(what + ": " + v + " is not a whole number \u2265 0");
      }
      return v;
    });
  }

  /// A matrix written row by row: rows separated by ";" or new lines,
  /// numbers by commas or spaces. Every row must have as many numbers.
  function parseMatrix(text, what) {
    const rows = String(text).split(/[;\n]/).map((r) => r.trim()).filter((r) => r !== "");
    if (rows.length === 0) {
      fail(what + ": no numbers (write rows separated by \u201c;\u201d)");
    }
    const matrix = rows.map((r) => parseNumbers(r, what));
    const width = matrix[0].length;
    matrix.forEach((row, i) => {
      if (row.length !== width) {
        fail(what + ": row " + i + " has " + row.length + " numbers, row 0 has " + width);
      }
    });
    if (width === 0) {
      fail(what + ": the rows are empty");
    }
    return matrix;
  }

  /// A matrix back as text, in the format `parseMatrix` reads.
  function matrixText(m) {
    return m.map((row) => row.join(" ")).join("; ");
  }

  /// Row-major strides of `shape`: the last axis 1, each earlier one the
  /// product of the lengths after it.
  function rowMajorStrides(shape) {
    const strides = new Array(shape.length);
    let step = 1;
    for (let k = shape.length - 1; k >= 0; k--) {
      strides[k] = step;
      step *= shape[k];
    }
    return strides;
  }

  /// The numbers of elements of `shape` (1 for the shape with no axes).
  function size(shape) {
    return shape.reduce((a, b) => a * b, 1);
  }

  /// Index number `ordinal` of `shape` in row-major order.
  function toIndex(ordinal, shape) {
    const index = new Array(shape.length);
    let rest = ordinal;
    for (let k = shape.length - 1; k >= 0; k--) {
      index[k] = rest % shape[k];
      rest = Math.floor(rest / shape[k]);
    }
    return index;
  }

  /// sum of index[k] * strides[k].
  function dot(index, strides) {
    return index.reduce((acc, i, k) => acc + i * strides[k], 0);
  }

  /// The course's sigmoid, computed so that its exponential never
  /// overflows: 1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) below.
  function sigmoid(x) {
    if (x >= 0) {
      return 1 / (1 + Math.exp(-x));
    }
    const e = Math.exp(x);
    return e / (1 + e);
  }

  /// The stable softmax of a list: subtract the largest entry, then
  /// exponentiate and normalise. Entries of -Infinity (masked) get 0; at
  /// least one entry must be finite.
  function softmax(scores) {
    const m = Math.max(...scores);
    const e = scores.map((s) => (s === -Infinity ? 0 : Math.exp(s - m)));
    const total = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / total);
  }

  /// A message box of a figure: `show(text)` for an error, `show("")` to
  /// clear it, `note(text)` for a remark that is not an error.
  function messageBox() {
    const box = el("p", { class: "widget-message", "data-role": "message", role: "status", "aria-live": "polite" });
    box.hidden = true;
    return {
      node: box,
      show(text) {
        box.textContent = text || "";
        box.className = "widget-message widget-error";
        box.hidden = !text;
      },
      note(text) {
        box.textContent = text || "";
        box.className = "widget-message widget-note";
        box.hidden = !text;
      },
    };
  }

  /// Runs `compute`; an input error goes to `message`, anything else too
  /// (a figure must never break the page), and `false` is returned.
  function guarded(message, compute) {
    try {
      compute();
      return true;
    } catch (e) {
      message.show(e instanceof InputError ? e.message : "This figure failed: " + e);
      return false;
    }
  }

  /// A horizontally scrolling box for a grid that may be wider than a phone.
  function scroller(children, attrs) {
    return el("div", Object.assign({ class: "widget-scroll" }, attrs || {}), children);
  }

  /// A grid of cells (CSS grid) with `rows` x `cols` cells made by
  /// `cell(i, j)`, optional row and column headers.
  function grid(rows, cols, cell, options) {
    const o = options || {};
    const node = el("div", { class: "widget-grid " + (o.class || ""), role: "grid" });
    const headed = Boolean(o.rowHeader);
    // Tracks as wide as their cells (never squeezed below them): a grid too
    // wide for the page scrolls in its .widget-scroll box instead.
    node.style.gridTemplateColumns = (headed ? "auto " : "") + "repeat(" + cols + ", auto)";
    if (o.colHeader) {
      if (headed) {
        node.append(el("span", { class: "widget-head" }, o.corner || ""));
      }
      for (let j = 0; j < cols; j++) {
        node.append(el("span", { class: "widget-head" }, o.colHeader(j)));
      }
    }
    for (let i = 0; i < rows; i++) {
      if (headed) {
        node.append(el("span", { class: "widget-head" }, o.rowHeader(i)));
      }
      for (let j = 0; j < cols; j++) {
        node.append(cell(i, j));
      }
    }
    return node;
  }

  const builders = {};

  /// Builds every placeholder of `name` not built yet.
  function buildAll(name) {
    const build = builders[name];
    document.querySelectorAll('.widget[data-widget="' + name + '"]').forEach((root) => {
      if (root.dataset.built) {
        return;
      }
      root.dataset.built = "yes";
      root.textContent = "";
      // The book turns the page on the arrow keys; inside a figure they
      // belong to its buttons and sliders.
      root.addEventListener("keydown", (e) => {
        if (e.key.startsWith("Arrow")) {
          e.stopPropagation();
        }
      });
      try {
        build(root);
      } catch (e) {
        root.textContent = "";
        root.append(el("p", { class: "widget-message widget-error", text: "This figure failed: " + e }));
      }
    });
  }

  /// Registers the builder of a figure; it runs once the page is parsed.
  function register(name, build) {
    builders[name] = build;
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", () => buildAll(name));
    } else {
      buildAll(name);
    }
  }

  window.GradlingsWidgets = {
    InputError, fail, el, field, fmt, short, tuple, parseNumbers, parseCounts, parseMatrix, matrixText,
    rowMajorStrides, size, toIndex, dot, sigmoid, softmax, messageBox, guarded, scroller, grid, register,
  };
})();
