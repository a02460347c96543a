// Strides explorer (tensor chapter): a shape, an optional permute and an
// optional view over one storage; pick an index and see the slot it reads,
//     pos(i) = offset + sum over k of i[k] * strides[k].
//
// Placeholder: <div class="widget" data-widget="strides" data-shape="2,3,4"
//   data-order="" data-view="" data-offset="0"></div>
(function () {
  "use strict";
  // common.js defines it: book.toml loads it before every widget.
  const W = window.GradlingsWidgets;
  const { el, fail, tuple } = W;

  /// The largest tensor the figure draws, cell by cell.
  const MOST = 256;

  /// The course's test: every axis longer than 1 has its row-major stride
  /// (and a tensor without elements is contiguous). The first axis that
  /// breaks it, or null.
  function breaksContiguity(shape, strides) {
    if (W.size(shape) === 0) {
      return null;
    }
    const want = W.rowMajorStrides(shape);
    for (let k = 0; k < shape.length; k++) {
      if (shape[k] > 1 && strides[k] !== want[k]) {
        return { axis: k, want: want[k] };
      }
    }
    return null;
  }

  /// Checks that `order` lists each of the `rank` axes exactly once.
  function checkOrder(order, rank) {
    if (order.length !== rank) {
      fail("permute " + tuple(order) + ": the tensor has " + rank + " axes, so the order needs " + rank +
        " entries, not " + order.length);
    }
    const seen = new Set();
    for (const axis of order) {
      if (axis >= rank) {
        fail("permute " + tuple(order) + ": axis " + axis + " does not exist (the axes are 0 to " + (rank - 1) + ")");
      }
      if (seen.has(axis)) {
        fail("permute " + tuple(order) + ": axis " + axis + " is listed twice; each axis must appear exactly once");
      }
      seen.add(axis);
    }
  }

  /// The layouts, step by step, or the message that stops them.
  function layouts(shapeText, orderText, viewText, offsetText) {
    const shape = W.parseCounts(shapeText, "shape");
    const offset = W.parseCounts(offsetText === "" ? "0" : offsetText, "offset");
    if (offset.length !== 1) {
      fail("offset: one whole number, please");
    }
    const n = W.size(shape);
    if (n + offset[0] > MOST) {
      fail("shape " + tuple(shape) + " holds " + n + " elements: this figure draws at most " + MOST +
        " storage slots (offset included)");
    }
    const steps = [{ name: "row-major", what: "start", shape, strides: W.rowMajorStrides(shape), offset: offset[0] }];
    let problem = null;
    const last = () => steps[steps.length - 1];
    if (orderText.trim() !== "") {
      const order = W.parseCounts(orderText, "permute order");
      try {
        checkOrder(order, shape.length);
        const t = last();
        steps.push({ name: "permute " + tuple(order), what: "permute", shape: order.map((a) => t.shape[a]),
          strides: order.map((a) => t.strides[a]), offset: t.offset });
      } catch (e) {
        problem = e;
      }
    }
    if (problem === null && viewText.trim() !== "") {
      const shape2 = W.parseCounts(viewText, "view shape");
      const t = last();
      try {
        if (W.size(shape2) !== W.size(t.shape)) {
          fail("view " + tuple(shape2) + ": it holds " + W.size(shape2) + " elements and the tensor holds " +
            W.size(t.shape) + "; a view keeps every element, so the sizes must agree");
        }
        const broken = breaksContiguity(t.shape, t.strides);
        if (broken !== null) {
          const slots = readingOrder(t).slice(0, 12).join(", ");
          fail("view " + tuple(shape2) + " refused: the tensor is not contiguous (axis " + broken.axis + " of length " +
            t.shape[broken.axis] + " has stride " + t.strides[broken.axis] + ", row-major needs " + broken.want +
            "). In row-major index order its elements sit in slots " + slots +
            (W.size(t.shape) > 12 ? ", \u2026" : "") + ", and the row-major strides of a new shape would read " +
            "consecutive slots instead: other numbers in another order. Copy it with contiguous() first.");
        }
        steps.push({ name: "view " + tuple(shape2), what: "view", shape: shape2, strides: W.rowMajorStrides(shape2),
          offset: t.offset });
      } catch (e) {
        problem = e;
      }
    }
    return { steps, problem };
  }

  /// The slots of a tensor's elements, in row-major index order.
  function readingOrder(t) {
    const slots = [];
    for (let n = 0; n < W.size(t.shape); n++) {
      slots.push(t.offset + W.dot(W.toIndex(n, t.shape), t.strides));
    }
    return slots;
  }

  function build(root) {
    const d = root.dataset;
    const message = W.messageBox();
    const steps = el("div", { class: "widget-scroll", "data-role": "steps" });
    const elements = el("div", { class: "widget-blocks", "data-role": "elements" });
    const storage = el("div", { class: "widget-storage", "data-role": "storage" });
    const position = el("p", { class: "widget-result", "data-role": "position", "aria-live": "polite" });
    const reading = el("p", { class: "widget-small", "data-role": "reading" });
    let current = null;
    let selected = null;
    // A step that was refused (shown until the layout changes).
    let refusal = "";

    const update = () => render();
    const shapeField = W.field("shape", "shape", d.shape || "2,3,4", update, { inputmode: "numeric" });
    const orderField = W.field("permute order", "order", d.order || "", update, { placeholder: "none, e.g. 2,0,1" });
    const viewField = W.field("then view as", "view", d.view || "", update, { placeholder: "none, e.g. 4,6" });
    const offsetField = W.field("offset", "offset", d.offset || "0", update, { inputmode: "numeric" }, "narrow");
    const indexField = W.field("index", "index", d.index || "", () => select(null), { placeholder: "e.g. 1,0,2" });
    const value = (f) => f.querySelector("input").value;

    root.append(
      el("div", { class: "widget-title", text: "Strides explorer" }),
      el("div", { class: "widget-controls" }, [shapeField, orderField, viewField, offsetField]),
      message.node,
      steps,
      el("div", { class: "widget-controls" }, [indexField]),
      position,
      el("div", { class: "widget-caption", text: "The tensor's elements (each cell shows the storage slot it reads; click one):" }),
      elements,
      el("div", { class: "widget-caption", text: "The storage:" }),
      W.scroller([storage]),
      reading,
    );

    /// Marks the element `index` (a list) and the slot it reads.
    function mark(index) {
      elements.querySelectorAll(".is-selected").forEach((c) => c.classList.remove("is-selected"));
      storage.querySelectorAll(".is-read").forEach((c) => c.classList.remove("is-read"));
      position.textContent = "";
      delete position.dataset.value;
      if (index === null || current === null) {
        return;
      }
      const t = current;
      const key = index.join(",");
      const cell = elements.querySelector('[data-index="' + key + '"]');
      if (cell) {
        cell.classList.add("is-selected");
      }
      const pos = t.offset + W.dot(index, t.strides);
      const slot = storage.querySelector('[data-slot="' + pos + '"]');
      if (slot) {
        slot.classList.add("is-read");
      }
      const terms = index.map((i, k) => i + "\u00b7" + t.strides[k]);
      position.dataset.value = String(pos);
      position.textContent = "index " + tuple(index) + " reads slot " + t.offset +
        (terms.length ? " + " + terms.join(" + ") : "") + " = " + pos;
    }

    /// The index typed, or the one clicked (`index`), checked against the shape.
    function select(index) {
      if (current === null) {
        return;
      }
      message.show(refusal);
      const t = current;
      if (index !== null) {
        indexField.querySelector("input").value = index.join(",");
      }
      const text = value(indexField);
      if (text.trim() === "" && t.shape.length > 0) {
        selected = null;
        mark(null);
        return;
      }
      W.guarded(message, () => {
        const i = W.parseCounts(text, "index");
        if (i.length !== t.shape.length) {
          fail("index " + tuple(i) + " has " + i.length + " coordinates; the tensor has " + t.shape.length + " axes");
        }
        i.forEach((c, k) => {
          if (c >= t.shape[k]) {
            fail("index " + tuple(i) + ": coordinate " + c + " is past the end of axis " + k + " (length " + t.shape[k] +
              "), though the slot it would compute, " + (t.offset + W.dot(i, t.strides)) + ", may well exist: get() refuses it");
          }
        });
        selected = i;
        mark(i);
      }) || mark(null);
    }

    function drawSteps(list) {
      const table = el("table", { class: "widget-table" }, [
        el("thead", {}, el("tr", {}, ["step", "shape", "strides", "offset", "contiguous"].map((h) => el("th", { text: h })))),
        el("tbody", {}, list.map((s) => {
          const broken = breaksContiguity(s.shape, s.strides);
          return el("tr", { "data-step": s.what }, [
            el("td", { text: s.name }),
            el("td", { class: "shape", text: tuple(s.shape) }),
            el("td", { class: "strides", text: tuple(s.strides) }),
            el("td", { class: "offset", text: String(s.offset) }),
            el("td", { class: "contiguous", text: broken === null ? "yes" : "no (axis " + broken.axis + ")" }),
          ]);
        })),
      ]);
      steps.replaceChildren(table);
    }

    /// One block per index of the leading axes, each a grid of the last two.
    function drawElements(t) {
      elements.replaceChildren();
      const rank = t.shape.length;
      const rows = rank >= 2 ? t.shape[rank - 2] : 1;
      const cols = rank >= 1 ? t.shape[rank - 1] : 1;
      const leading = t.shape.slice(0, Math.max(0, rank - 2));
      const blocks = W.size(leading);
      for (let b = 0; b < blocks; b++) {
        const lead = W.toIndex(b, leading);
        const cell = (i, j) => {
          const index = rank >= 2 ? lead.concat([i, j]) : rank === 1 ? [j] : [];
          const pos = t.offset + W.dot(index, t.strides);
          return el("button", { type: "button", class: "widget-cell", "data-index": index.join(","),
            title: "index " + tuple(index) + ": slot " + pos, text: String(pos),
            onclick: () => select(index),
            onmouseenter: () => mark(index),
            onmouseleave: () => mark(selected) });
        };
        const label = rank > 2 ? "index " + tuple(lead.concat([":", ":"])) : rank === 2 ? "rows: axis 0, columns: axis 1" :
          rank === 1 ? "axis 0" : "no axes: one element";
        const g = W.grid(rows, cols, cell, {
          rowHeader: rank >= 2 ? (i) => String(i) : null,
          colHeader: rank >= 1 ? (j) => String(j) : null,
        });
        elements.append(el("div", { class: "widget-block" }, [el("div", { class: "widget-small", text: label }), W.scroller([g])]));
      }
      if (blocks === 0 || W.size(t.shape) === 0) {
        elements.append(el("p", { class: "widget-small", text: "This shape has an axis of length 0: no elements." }));
      }
    }

    function drawStorage(t, length) {
      storage.replaceChildren();
      const used = new Set(readingOrder(t));
      for (let s = 0; s < length; s++) {
        storage.append(el("span", { class: "widget-slot" + (used.has(s) ? "" : " is-unused"), "data-slot": String(s),
          title: used.has(s) ? "slot " + s : "slot " + s + ": not read by this tensor", text: String(s) }));
      }
    }

    function render() {
      message.show("");
      current = null;
      const ok = W.guarded(message, () => {
        const { steps: list, problem } = layouts(value(shapeField), value(orderField), value(viewField), value(offsetField));
        drawSteps(list);
        const t = list[list.length - 1];
        current = t;
        drawElements(t);
        const first = list[0];
        drawStorage(t, first.offset + W.size(first.shape));
        const order = readingOrder(t);
        reading.textContent = order.length === 0 ? "" : "In row-major index order the elements read slots " +
          order.slice(0, 48).join(", ") + (order.length > 48 ? ", \u2026" : "") +
          (breaksContiguity(t.shape, t.strides) === null ? ": consecutive, the tensor is contiguous." :
            ": not consecutive, the tensor is not contiguous.");
        if (problem !== null) {
          throw problem;
        }
      });
      refusal = ok ? "" : message.node.textContent;
      if (current !== null) {
        select(null);
      } else {
        mark(null);
      }
      if (current === null) {
        steps.replaceChildren();
        elements.replaceChildren();
        storage.replaceChildren();
        reading.textContent = "";
      }
    }

    render();
  }

  W.register("strides", build);
})();
