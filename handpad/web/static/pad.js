// handpad's drawing pad for the browser: a canvas, a digits/Hangul switch, the top-3 panel,
// undo / clear / pen width, and saving a labeled drawing. No dependencies and no network code:
// the host passes the calls, so a page (main.js, over fetch) and a notebook widget share it.
//
//   const pad = mountPad(root, {kinds: ["digits", "hangul"], kind: "hangul", predict, save});
//   predict(pngBlob, kind)        -> Promise<{top: [{label, prob}, ...], unsure}>   (throw Error(message) to show it)
//   save(pngBlob, kind, label)    -> Promise<{saved: count, ...}>
//
// The drawing travels as a 400x400 PNG, dark ink on white; handpad's preprocessing finds the
// polarity from the border and crops to the ink. The top-3 is asked for after every stroke ends
// (and after undo, clear, a switch of kind); while one request is out, later changes wait and only
// the newest drawing is sent next, so requests never pile up. When an answer is in the panel, root
// gets data-updated="<ms>" (from the end of the stroke, pointerup, to the panel holding the answer;
// performance.now()) and a "handpad:updated" event with detail {ms, top}.

const SIZE = 400;
const PEN = {min: 4, max: 64, step: 2, start: 18};
const SHOWN = 3;
const UNSURE_BELOW = 0.5;
const NAMES = {digits: "digits", hangul: "Hangul"};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

export function mountPad(root, {kinds = ["digits", "hangul"], kind = kinds[kinds.length - 1], predict, save}) {
  const kindButtons = kinds.map((k) => el("button", {type: "button", class: "hp-kind", "data-kind": k}, NAMES[k] || k));
  const undoButton = el("button", {type: "button", class: "hp-undo", title: "undo the last stroke"}, "undo");
  const clearButton = el("button", {type: "button", class: "hp-clear", title: "clear the drawing"}, "clear");
  const pen = el("input", {type: "range", class: "hp-pen", min: PEN.min, max: PEN.max, step: PEN.step,
                           value: PEN.start, "aria-label": "pen width"});
  const canvas = el("canvas", {class: "hp-canvas", width: SIZE, height: SIZE, "aria-label": "drawing area"});
  const rows = Array.from({length: SHOWN}, (_, rank) => {
    const label = el("span", {class: "hp-label"});
    const prob = el("span", {class: "hp-prob"});
    const fill = el("span", {class: "hp-fill"});
    const button = el("button", {type: "button", class: "hp-candidate", disabled: "", title: "use this label"},
                      el("span", {class: "hp-rank"}, String(rank + 1)), label, prob,
                      el("span", {class: "hp-bar"}, fill));
    return {button, label, prob, fill};
  });
  const status = el("p", {class: "hp-status", role: "status"});
  const labelInput = el("input", {type: "text", class: "hp-label-input", autocomplete: "off",
                                  placeholder: "label", "aria-label": "label to save"});
  const saveButton = el("button", {type: "submit", class: "hp-save-button"}, "save");
  const saveForm = el("form", {class: "hp-save"}, labelInput, saveButton);
  const pad = el("div", {class: "handpad"},
    el("div", {class: "hp-toolbar"}, el("span", {class: "hp-kinds"}, ...kindButtons), undoButton, clearButton,
       el("label", {class: "hp-pen-label"}, "pen ", pen)),
    el("div", {class: "hp-main"}, canvas,
       el("div", {class: "hp-panel"}, el("ol", {class: "hp-top"}, ...rows.map((r) => el("li", {}, r.button))),
          status, saveForm)));
  root.replaceChildren(pad);

  const ctx = canvas.getContext("2d");
  let strokes = [];    // [{width, points: [[x, y], ...]}]
  let active = null;   // the pointer drawing now: {id, stroke}
  let version = 0;     // bumped on every change: an answer is shown only for the drawing it describes
  let changedAt = 0;   // performance.now() of the last change (a stroke's end, undo, clear, switch)
  let busy = false, again = false;
  let top = null;

  function paintDot([x, y], width) {
    ctx.beginPath();
    ctx.arc(x, y, width / 2, 0, 2 * Math.PI);
    ctx.fill();
  }
  function paintSegment([x0, y0], [x1, y1], width) {
    ctx.lineWidth = width;
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1, y1);
    ctx.stroke();
  }
  function repaint() {
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, SIZE, SIZE);
    ctx.fillStyle = ctx.strokeStyle = "#000";
    ctx.lineCap = ctx.lineJoin = "round";
    for (const {width, points} of strokes) {
      paintDot(points[0], width);
      for (let i = 1; i < points.length; i++) paintSegment(points[i - 1], points[i], width);
    }
  }

  function say(text, tone = "") {
    status.textContent = text;
    status.dataset.tone = tone;
  }
  function show(answer) {
    top = answer ? answer.top : null;
    rows.forEach((row, rank) => {
      const item = top && top[rank];
      row.label.textContent = item ? item.label : "";
      row.prob.textContent = item ? `${(item.prob * 100).toFixed(1)}%` : "";
      row.fill.style.width = item ? `${(item.prob * 100).toFixed(1)}%` : "0";
      row.button.disabled = !item;
      row.button.classList.remove("hp-chosen");
    });
    say(answer && answer.top.length && answer.top[0].prob < UNSURE_BELOW ? "not sure" : "");
  }
  function changed() {
    version += 1;
    changedAt = performance.now();
    refresh();
  }

  function png() {
    // toDataURL, not toBlob: Chromium runs toBlob's encoding in idle time, up to a second later.
    const bytes = atob(canvas.toDataURL("image/png").split(",")[1]);
    const data = new Uint8Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) data[i] = bytes.charCodeAt(i);
    return new Blob([data], {type: "image/png"});
  }
  async function refresh() {
    if (!strokes.length) {
      show(null);
      return;
    }
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    const asked = {version, kind, since: changedAt};
    try {
      const answer = await predict(png(), asked.kind);
      if (asked.version === version) {
        show(answer);
        const ms = performance.now() - asked.since;
        root.dataset.updated = ms.toFixed(1);
        root.dispatchEvent(new CustomEvent("handpad:updated", {detail: {ms, top: answer.top}}));
      }
    } catch (err) {
      if (asked.version === version) {
        show(null);
        say(err.message, "bad");
      }
    } finally {
      busy = false;
      if (again) {
        again = false;
        refresh();
      }
    }
  }

  function at(event) {  // CSS pixels inside the border -> canvas pixels
    return [event.offsetX * SIZE / canvas.clientWidth, event.offsetY * SIZE / canvas.clientHeight];
  }
  canvas.addEventListener("pointerdown", (event) => {
    if (active || (event.pointerType === "mouse" && event.button !== 0)) return;
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    const stroke = {width: Number(pen.value), points: [at(event)]};
    strokes.push(stroke);
    active = {id: event.pointerId, stroke};
    version += 1;
    paintDot(stroke.points[0], stroke.width);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!active || event.pointerId !== active.id) return;
    const {points, width} = active.stroke;
    for (const e of event.getCoalescedEvents ? event.getCoalescedEvents() : [event]) {
      const point = at(e), last = points[points.length - 1];
      if (point[0] === last[0] && point[1] === last[1]) continue;
      paintSegment(last, point, width);
      points.push(point);
    }
  });
  function end(event) {
    if (!active || event.pointerId !== active.id) return;
    active = null;
    changed();
  }
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);

  function undo() {
    if (active || !strokes.length) return;
    strokes.pop();
    repaint();
    changed();
  }
  function clear() {
    if (active) return;
    strokes = [];
    repaint();
    changed();
  }
  function setKind(next) {
    kind = next;
    for (const b of kindButtons) b.setAttribute("aria-pressed", String(b.dataset.kind === kind));
    labelInput.value = "";
    changed();
  }
  undoButton.addEventListener("click", undo);
  clearButton.addEventListener("click", clear);
  for (const b of kindButtons) b.addEventListener("click", () => setKind(b.dataset.kind));
  rows.forEach((row, rank) => row.button.addEventListener("click", () => {
    if (!top || !top[rank]) return;
    labelInput.value = top[rank].label;
    rows.forEach((r, i) => r.button.classList.toggle("hp-chosen", i === rank));
  }));
  saveForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const label = labelInput.value.trim();
    if (!strokes.length) return say("draw something first", "bad");
    if (!label) return say("type the label, or click the right candidate", "bad");
    saveButton.disabled = true;
    try {
      const answer = await save(png(), kind, label);
      strokes = [];
      repaint();
      labelInput.value = "";
      version += 1;
      show(null);
      say(`saved ${label} (${answer.saved} sample${answer.saved === 1 ? "" : "s"})`, "ok");
    } catch (err) {
      say(`not saved: ${err.message}`, "bad");
    } finally {
      saveButton.disabled = false;
    }
  });

  repaint();
  setKind(kind);
  return {element: pad, undo, clear, setKind};
}
