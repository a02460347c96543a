// Attention weights (attention chapter): the scores S = Q K^T / sqrt(D),
// with the causal mask setting S[i][j] to -infinity for keys j > i, the
// weights P = softmax of each row of S (over the keys), and, when values
// are given, the output O = P V.
//
// Placeholder: <div class="widget" data-widget="attention"
//   data-q="1 1 0 0; 0 2 0 2; 1 0 1 0" data-k="1 1 1 1; 2 0 0 0; 0 0 2 2"
//   data-v="1 0; 0 1; 1 1" data-causal="true"></div>   (rows separated by ";")
(function () {
  "use strict";
  // common.js defines it: book.toml loads it before every widget.
  const W = window.GradlingsWidgets;
  const { el, fail, fmt } = W;

  /// The most queries, keys and features the figure draws.
  const MOST = 10;

  /// The scores, weights and output of one batch element.
  function attend(q, k, v, causal) {
    const D = q[0].length;
    const scale = Math.sqrt(D);
    const S = q.map((qi, i) => k.map((kj, j) => {
      if (causal && j > i) {
        return -Infinity;
      }
      return qi.reduce((acc, x, c) => acc + x * kj[c], 0) / scale;
    }));
    const P = S.map((row) => W.softmax(row));
    const O = v === null ? null : P.map((row) => v[0].map((_, c) => row.reduce((acc, p, j) => acc + p * v[j][c], 0)));
    return { S, P, O, scale };
  }

  function build(root) {
    const d = root.dataset;
    const message = W.messageBox();
    const update = () => render();
    const qField = W.field("queries Q (rows split by ;)", "q", d.q || "1 0; 0 1; 1 1; -1 1", update, {}, "wide");
    const kField = W.field("keys K", "k", d.k || "1 0; 0 1; 1 1; 1 -1", update, {}, "wide");
    const vField = W.field("values V (optional)", "v", d.v || "", update, { placeholder: "e.g. 1 0; 0 1; 1 1; 0 0" }, "wide");
    const causal = el("input", { type: "checkbox", "data-role": "causal", checked: d.causal === "true", onchange: update, oninput: update });
    const scores = el("div", { "data-role": "scores" });
    const weights = el("div", { "data-role": "weights" });
    const output = el("div", { "data-role": "output" });
    const detail = el("p", { class: "widget-result", "data-role": "detail", "aria-live": "polite" });
    const outputPanel = el("div", { class: "widget-panel" }, [el("div", { class: "widget-caption", text: "output O = P V" }), W.scroller([output])]);
    let state = null;
    let chosen = [1, 0];

    root.append(
      el("div", { class: "widget-title", text: "Attention weights and the causal mask" }),
      el("div", { class: "widget-controls" }, [qField, kField, vField,
        el("label", { class: "widget-check" }, [causal, el("span", { text: "causal mask" })])]),
      message.node,
      el("div", { class: "widget-row" }, [
        el("div", { class: "widget-panel" }, [el("div", { class: "widget-caption", text: "scores S = Q K\u1d40 / \u221aD" }), W.scroller([scores])]),
        el("div", { class: "widget-panel" }, [el("div", { class: "widget-caption", text: "weights P, softmax of each row (click a cell)" }),
          W.scroller([weights])]),
        outputPanel,
      ]),
      detail,
    );

    /// Explains the weight of key j for query i.
    function explain(i, j) {
      if (state === null) {
        return;
      }
      const { q, k, S, P, scale, masked } = state;
      chosen = [i, j];
      weights.querySelectorAll(".is-selected").forEach((c) => c.classList.remove("is-selected"));
      const cell = weights.querySelector('[data-i="' + i + '"][data-j="' + j + '"]');
      if (cell) {
        cell.classList.add("is-selected");
      }
      if (masked(i, j)) {
        detail.textContent = "Query " + i + " may not see key " + j + " (a later position): its score is set to -\u221e " +
          "before the softmax, so e^-\u221e = 0 is its weight, and the row's weight goes to keys 0 to " + i + ".";
        return;
      }
      const terms = q[i].map((x, c) => W.short(x, 3) + "\u00b7" + W.short(k[j][c], 3)).join(" + ");
      detail.textContent = "S[" + i + ", " + j + "] = q" + i + " \u00b7 k" + j + " / \u221a" + q[0].length + " = (" + terms + ") / " +
        W.short(scale, 4) + " = " + fmt(S[i][j]) + ", and its weight is P[" + i + ", " + j + "] = " + fmt(P[i][j]) + ".";
    }

    function render() {
      message.show("");
      state = null;
      const ok = W.guarded(message, () => {
        const q = W.parseMatrix(qField.querySelector("input").value, "queries Q");
        const k = W.parseMatrix(kField.querySelector("input").value, "keys K");
        const vText = vField.querySelector("input").value;
        const v = vText.trim() === "" ? null : W.parseMatrix(vText, "values V");
        if (q.length > MOST || k.length > MOST || q[0].length > MOST || (v !== null && v[0].length > MOST)) {
          fail("this figure draws at most " + MOST + " queries, keys and features");
        }
        if (q[0].length !== k[0].length) {
          fail("queries have " + q[0].length + " features and keys " + k[0].length + ": they are compared by dot products, so D must agree");
        }
        if (v !== null && v.length !== k.length) {
          fail("there are " + k.length + " keys and " + v.length + " values: one value per key");
        }
        if (causal.checked && q.length !== k.length) {
          fail("the causal mask needs as many queries as keys (query i and key i are the same position); here Tq = " +
            q.length + " and Tk = " + k.length);
        }
        const result = attend(q, k, v, causal.checked);
        state = Object.assign({ q, k, v, masked: (i, j) => causal.checked && j > i }, result);
      });
      if (!ok) {
        for (const node of [scores, weights, output]) {
          node.replaceChildren();
        }
        detail.textContent = "";
        return;
      }
      const { q, k, S, P, O, masked } = state;
      const [Tq, Tk] = [q.length, k.length];
      const heads = { rowHeader: (i) => "q" + i, colHeader: (j) => "k" + j };
      scores.replaceChildren(W.grid(Tq, Tk, (i, j) => el("span", { class: "widget-cell" + (masked(i, j) ? " is-masked" : ""),
        "data-i": i, "data-j": j, "data-value": String(S[i][j]), text: fmt(S[i][j]) }), heads));
      weights.replaceChildren(W.grid(Tq, Tk + 1, (i, j) => {
        if (j === Tk) {
          const total = P[i].reduce((a, b) => a + b, 0);
          return el("span", { class: "widget-cell widget-sum", "data-role": "row-sum", "data-i": i, "data-value": String(total),
            title: "the row's sum", text: fmt(total) });
        }
        const cell = el("button", { type: "button", class: "widget-cell widget-heat" + (masked(i, j) ? " is-masked" : ""),
          "data-i": i, "data-j": j, "data-value": String(P[i][j]), text: masked(i, j) ? "0" : fmt(P[i][j]),
          title: masked(i, j) ? "masked: weight 0" : "weight of key " + j + " for query " + i, onclick: () => explain(i, j) });
        cell.style.setProperty("--heat", String(P[i][j]));
        return cell;
      }, { rowHeader: heads.rowHeader, colHeader: (j) => (j === Tk ? "sum" : "k" + j) }));
      outputPanel.hidden = O === null;
      output.replaceChildren(O === null ? "" : W.grid(Tq, O[0].length, (i, c) => el("span", { class: "widget-cell", "data-i": i,
        "data-j": c, "data-value": String(O[i][c]), text: fmt(O[i][c]) }), { rowHeader: (i) => "o" + i, colHeader: (c) => String(c) }));
      explain(Math.min(chosen[0], Tq - 1), Math.min(chosen[1], Tk - 1));
    }

    render();
  }

  W.register("attention", build);
})();
