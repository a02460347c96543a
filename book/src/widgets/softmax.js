// Softmax with a temperature (softmax chapter): softmax(x / T), computed
// the stable way (the largest scaled score subtracted first), next to the
// hard max and the one-hot argmax of the scores, with the course's rule
// for ties: all of it at one tied position (here the first), never split.
//
// Placeholder: <div class="widget" data-widget="softmax" data-scores="1, 2, 2, 0.5"
//   data-temperature="1"></div>
(function () {
  "use strict";
  // common.js defines it: book.toml loads it before every widget.
  const W = window.GradlingsWidgets;
  const { el, fail, fmt, tuple } = W;

  /// The most scores the figure draws.
  const MOST = 16;

  function build(root) {
    const d = root.dataset;
    const message = W.messageBox();
    const scoresField = W.field("scores x", "scores", d.scores || "1, 2, 2, 0.5", () => render());
    const slider = el("input", { type: "range", min: 0.05, max: 5, step: 0.05, value: d.temperature || 1,
      "data-role": "temperature", "aria-label": "temperature T", oninput: () => render(), onchange: () => render() });
    const tValue = el("span", { class: "widget-result", "data-role": "t-value" });
    const bars = el("div", { class: "widget-bars", "data-role": "bars" });
    const summary = el("div", { class: "widget-summary" });
    const maxText = el("p", { "data-role": "max" });
    const argmaxText = el("p", { "data-role": "argmax" });
    const sumText = el("p", { class: "widget-small", "data-role": "sum" });
    const tieText = el("p", { class: "widget-note", "data-role": "tie", "aria-live": "polite" });
    summary.append(maxText, argmaxText, sumText);

    root.append(
      el("div", { class: "widget-title", text: "Softmax, temperature and ties" }),
      el("div", { class: "widget-controls" }, [scoresField,
        el("label", { class: "widget-field" }, [el("span", { text: "temperature T" }), slider]), tValue]),
      message.node,
      bars,
      summary,
      tieText,
    );

    function render() {
      message.show("");
      const T = Number(slider.value);
      tValue.textContent = "T = " + T.toFixed(2);
      tValue.dataset.value = String(T);
      const ok = W.guarded(message, () => {
        const x = W.parseNumbers(scoresField.querySelector("input").value, "scores");
        if (x.length === 0) {
          fail("scores: type at least one number (there is no maximum of nothing)");
        }
        if (x.length > MOST) {
          fail("this figure draws at most " + MOST + " scores");
        }
        if (!(T > 0)) {
          fail("the temperature must be above 0");
        }
        // softmax(x / T), stable: W.softmax subtracts the largest entry.
        const p = W.softmax(x.map((v) => v / T));
        const m = Math.max(...x);
        const tied = x.map((v, i) => (v === m ? i : -1)).filter((i) => i >= 0);
        const winner = tied[0];
        const onehot = x.map((_, i) => (i === winner ? 1 : 0));
        bars.replaceChildren(...x.map((v, i) => el("div", { class: "widget-bar-row" + (i === winner ? " is-argmax" : "") +
          (tied.includes(i) ? " is-tied" : ""), "data-i": String(i) }, [
          el("span", { class: "widget-bar-label", text: "x" + i + " = " + W.short(v, 3) }),
          el("span", { class: "widget-bar-track" }, el("span", { class: "widget-bar-fill", style: "width: " + (100 * p[i]).toFixed(2) + "%" })),
          el("span", { class: "widget-bar-value", "data-role": "p", "data-value": String(p[i]), text: fmt(p[i]) }),
        ])));
        maxText.dataset.value = String(m);
        maxText.textContent = "max(x) = " + W.short(m, 4);
        argmaxText.dataset.value = onehot.join(",");
        argmaxText.textContent = "argmax(x) = " + tuple(onehot) + ", the 1 at position " + winner;
        const total = p.reduce((a, b) => a + b, 0);
        sumText.dataset.value = String(total);
        sumText.textContent = "The probabilities add up to " + fmt(total, 6) + "; the largest score gets the largest share, " +
          "as T shrinks the shares approach the one-hot argmax (tied top scores end up sharing equally), " +
          "and as T grows they approach the uniform 1/" + x.length + ".";
        if (tied.length > 1) {
          tieText.dataset.tied = tied.join(",");
          tieText.textContent = "A tie: positions " + tied.slice(0, -1).join(", ") + " and " + tied[tied.length - 1] +
            (tied.length === 2 ? " both" : " all") + " hold the maximum " + W.short(m, 4) + ". " +
            "The course's argmax still has exactly one 1 per slice, at any one of the tied positions (here the first, " +
            winner + "); a 1 at every tied position would be wrong. Likewise max_backward sends the whole upstream gradient " +
            "to that one position and 0 to the others: never split in equal parts, never copied to each. " +
            "The softmax, by contrast, gives tied scores equal shares, at every temperature.";
          tieText.hidden = false;
        } else {
          tieText.textContent = "";
          delete tieText.dataset.tied;
          tieText.hidden = true;
        }
      });
      if (!ok) {
        bars.replaceChildren();
        for (const node of [maxText, argmaxText, sumText, tieText]) {
          node.textContent = "";
          delete node.dataset.value;
        }
        tieText.hidden = true;
      }
    }

    render();
  }

  W.register("softmax", build);
})();
