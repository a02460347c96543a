// Sigmoid gate (attention chapter), element by element:
//     gate(x, y, r) = x * sigmoid(r) + y * (1 - sigmoid(r)),
// with the slope sigmoid(r) (1 - sigmoid(r)) and the gradient of r for an
// upstream gradient of 1, (x - y) sigmoid(r) (1 - sigmoid(r)).
//
// Placeholder: <div class="widget" data-widget="gate" data-x="2, -1, 4"
//   data-y="0, 3, 4" data-r="0, 2, -2"></div>
(function () {
  "use strict";
  // common.js defines it: book.toml loads it before every widget.
  const W = window.GradlingsWidgets;
  const { el, fail, fmt } = W;

  /// The most elements the figure draws.
  const MOST = 8;
  /// The slider's range; the number field beside it takes any score.
  const RANGE = 8;

  function build(root) {
    const d = root.dataset;
    const message = W.messageBox();
    const xField = W.field("x", "x", d.x || "2, -1, 4", () => render());
    const yField = W.field("y", "y", d.y || "0, 3, 4", () => render());
    const scores = el("div", { class: "widget-sliders", "data-role": "scores" });
    const table = el("div", { class: "widget-scroll", "data-role": "table" });
    const note = el("p", { class: "widget-small" });
    let r = parseInitial(d.r || "0, 2, -2");

    function parseInitial(text) {
      try {
        return W.parseNumbers(text, "r");
      } catch (e) {
        return [];
      }
    }

    root.append(
      el("div", { class: "widget-title", text: "A sigmoid gate" }),
      el("div", { class: "widget-controls" }, [xField, yField]),
      message.node,
      scores,
      table,
      note,
    );

    /// One slider and one number field per element, both setting r[k].
    function drawScores(n) {
      while (r.length < n) {
        r.push(0);
      }
      r.length = n;
      scores.replaceChildren(...r.map((value, k) => {
        const number = el("input", { type: "number", step: "any", value: String(value), "data-role": "r", "data-i": String(k),
          "aria-label": "r" + k });
        const slider = el("input", { type: "range", min: -RANGE, max: RANGE, step: 0.1, value: String(value),
          "data-role": "r-slider", "data-i": String(k), "aria-label": "r" + k + " slider" });
        const fromSlider = () => {
          r[k] = Number(slider.value);
          number.value = slider.value;
          compute();
        };
        const fromNumber = () => {
          // A number field reads "" while what is typed is not a number yet.
          const v = Number(number.value);
          if (number.value.trim() === "" || !Number.isFinite(v)) {
            return;
          }
          r[k] = v;
          slider.value = String(Math.max(-RANGE, Math.min(RANGE, v)));
          compute();
        };
        slider.addEventListener("input", fromSlider);
        slider.addEventListener("change", fromSlider);
        number.addEventListener("input", fromNumber);
        number.addEventListener("change", fromNumber);
        return el("label", { class: "widget-slider" }, [el("span", { text: "r" + k }), slider, number]);
      }));
    }

    let xy = null;

    function render() {
      message.show("");
      xy = null;
      const ok = W.guarded(message, () => {
        const x = W.parseNumbers(xField.querySelector("input").value, "x");
        const y = W.parseNumbers(yField.querySelector("input").value, "y");
        if (x.length !== y.length) {
          fail("x has " + x.length + " elements and y has " + y.length + ": the gate takes arrays of one shape, element by element");
        }
        if (x.length === 0) {
          fail("x and y: type at least one number each");
        }
        if (x.length > MOST) {
          fail("this figure draws at most " + MOST + " elements");
        }
        xy = { x, y };
      });
      if (!ok) {
        scores.replaceChildren();
        table.replaceChildren();
        note.textContent = "";
        return;
      }
      if (scores.children.length !== xy.x.length) {
        drawScores(xy.x.length);
      }
      compute();
    }

    function compute() {
      if (xy === null) {
        return;
      }
      message.show("");
      const { x, y } = xy;
      const rows = x.map((xk, k) => {
        const s = W.sigmoid(r[k]);
        const gate = xk * s + y[k] * (1 - s);
        const slope = s * (1 - s);
        return { k, x: xk, y: y[k], r: r[k], s, rest: 1 - s, gate, slope, dr: (xk - y[k]) * slope };
      });
      // The reader's numbers as typed (short), the computed ones to a fixed number of decimals.
      const cell = (name, value, digits) => el("td", { "data-col": name, "data-value": String(value),
        text: digits < 6 ? W.short(value, digits) : fmt(value, digits) });
      table.replaceChildren(el("table", { class: "widget-table" }, [
        el("thead", {}, el("tr", {}, ["k", "x", "y", "r", "\u03c3(r)", "1 \u2212 \u03c3(r)", "mix", "gate", "\u03c3\u2032(r)",
          "(x \u2212 y) \u03c3\u2032(r)"].map((t) => el("th", { text: t })))),
        el("tbody", {}, rows.map((row) => el("tr", { "data-i": String(row.k) }, [
          el("td", { text: String(row.k) }),
          cell("x", row.x, 4), cell("y", row.y, 4), cell("r", row.r, 2), cell("sigma", row.s, 6), cell("rest", row.rest, 6),
          el("td", { class: "widget-mix", title: "the share of x (blue) and of y (amber)" },
            el("span", { class: "widget-mix-track" }, el("span", { class: "widget-mix-x", style: "width: " + (100 * row.s).toFixed(2) + "%" }))),
          cell("gate", row.gate, 6), cell("slope", row.slope, 6), cell("grad-r", row.dr, 6),
        ]))),
      ]));
      note.textContent = "gate = x\u00b7\u03c3(r) + y\u00b7(1 \u2212 \u03c3(r)) always lies between x and y; " +
        "\u03c3\u2032(r) = \u03c3(r)(1 \u2212 \u03c3(r)) is the sigmoid's slope, and (x \u2212 y) \u03c3\u2032(r) the gradient " +
        "of r for an upstream gradient of 1: it vanishes where x = y, and where |r| is large the gate saturates and stops learning.";
    }

    render();
  }

  W.register("gate", build);
})();
