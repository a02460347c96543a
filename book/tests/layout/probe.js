// Measures a book page once its fonts have loaded, and posts what it found:
// the page's width against its window's, what sticks out of the text
// column (`main`) outside a horizontal scroller, and every display
// formula's width against the room it has. `tests/layout.rs` reads it.
//
// Inside an element that clips (overflow-x hidden or clip, as KaTeX's
// 400em-wide square-root strokes are clipped), nothing shows beyond that
// element, so the element is measured instead of what it holds.
addEventListener("load", () => document.fonts.ready.then(() => {
    const main = document.querySelector("#mdbook-content main") || document.querySelector("main");
    const column = main.getBoundingClientRect().right;
    const scrolls = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
    // Inside a scroller (the reader scrolls it) or an element that clips.
    const contained = (el) => {
        for (let up = el.parentElement; up && up !== main; up = up.parentElement) {
            if (getComputedStyle(up).overflowX !== "visible") return true;
        }
        return false;
    };
    // A formula's TeX: book.toml's `include-src` keeps it in the value of a
    // `data` element around the formula.
    const tex = (el) => {
        const source = el.closest("data.katex-src");
        return source ? source.value.trim() : null;
    };
    const describe = (el) => {
        const formula = tex(el);
        if (formula) return "the formula " + formula;
        const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
            (el.classList.length ? "." + [...el.classList].join(".") : "");
        const text = (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 60);
        return text ? name + " \"" + text + "\"" : name;
    };
    const flagged = new Set();
    const sticking = new Map();
    for (const el of main.querySelectorAll("*")) {
        // KaTeX's MathML is drawn nowhere: it is for screen readers.
        if (el.closest(".katex-mathml")) continue;
        const box = el.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;
        if (box.right > column + 0.5 && !contained(el)) {
            flagged.add(el);
            if (flagged.has(el.parentElement)) continue;
            const what = describe(el);
            sticking.set(what, Math.max(sticking.get(what) || 0, Math.round(box.right)));
        }
    }
    const formulas = [...main.querySelectorAll(".katex-display")].map((el) => ({
        tex: tex(el) || describe(el),
        width: el.scrollWidth,
        room: el.clientWidth,
        height: el.scrollHeight,
        shown: el.clientHeight,
        scrollable: scrolls(el),
        clipsVertically: ["hidden", "clip"].includes(getComputedStyle(el).overflowY),
    }));
    const root = document.documentElement;
    parent.postMessage(JSON.stringify({
        page: { width: root.scrollWidth, window: root.clientWidth },
        column: Math.round(column),
        sticking: [...sticking].map(([what, right]) => ({ what, right })),
        formulas,
    }), "*");
}));
