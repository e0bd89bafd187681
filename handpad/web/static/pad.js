// handpad's drawing pad for the browser: a canvas, a digits/Hangul switch, the top-3 panel,
// undo / clear / pen width, and saving a labeled drawing; with a `read` call, also a word mode.
// No dependencies and no network code: the host passes the calls, so a page (main.js, over fetch)
// and a notebook widget share it.
//
//   const pad = mountPad(root, {kinds: ["digits", "hangul"], kind: "hangul", predict, save, read, words});
//   predict(pngBlob, kind)        -> Promise<{top: [{label, prob}, ...], unsure}>   (throw Error(message) to show it)
//   save(pngBlob, kind, label)    -> Promise<{saved: count, ...}>
//   read(strokes, kind)           -> Promise<{text, syllables: [{box, label, top, unsure, space_before, line}, ...]}>
//                                    (optional: /api/read's answer; strokes [{width, points: [[x, y], ...]}, ...])
//   readImage(blob, kind)         -> Promise<the same>   (optional: /api/read with an image's bytes; a "photo" button)
//   saveLine(strokes, kind, labels) -> Promise<{saved: count, labels}>  (optional: the word mode's "save" button; the
//                                    line's characters under the labels the text shows, for handpad finetune)
//
// Word mode (the "words" button, or words: true to start in it): a wide 1200x320 canvas for a line of
// syllables or digits. After each stroke the strokes (in drawing order) go to read(); the text is
// shown, a box over each syllable, and under it its candidates: a click on one picks it (here, no new
// request; a pick stays while that syllable's ink is unchanged). "copy" puts the text on the clipboard
// (navigator.clipboard.writeText); root gets data-copied="<text>" and a "handpad:copied" event.
//
// A photo (the "photo" button, with a readImage call: a phone offers its camera): the picture takes the
// word mode's canvas, its lines are read by the server, boxes and candidates appear as for strokes, a row
// of candidates under the canvas per line of the picture, the lines of the text separated by newlines.
// A picture of more than PHOTO_PIXELS is sent as a smaller JPEG (the server's limit); drawing, clear or
// undo put the photo away.
//
// The drawing travels as a 400x400 PNG, dark ink on white; handpad's preprocessing finds the
// polarity from the border and crops to the ink. The top-3 is asked for after every stroke ends
// (and after undo, clear, a switch of kind); while one request is out, later changes wait and only
// the newest drawing is sent next, so requests never pile up. When an answer is in the panel, root
// gets data-updated="<ms>" (from the end of the stroke, pointerup, to the panel holding the answer;
// performance.now()) and a "handpad:updated" event with detail {ms, top} (word mode: {ms, reading}).

const SIZE = 400;
const LINE = {width: 1200, height: 320};  // the word mode's canvas
const OPTIONS = 5;  // candidates shown under each syllable
const COLUMN_MIN = 100;  // a syllable's column is at least this wide (canvas pixels), a narrow "1" too
const PEN = {min: 4, max: 64, step: 2, start: 18};
const SHOWN = 3;
const UNSURE_BELOW = 0.5;
const NAMES = {digits: "digits", hangul: "Hangul"};
const PHOTO_PIXELS = 4096 * 4096;  // handpad serve's MAX_IMAGE_PIXELS

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

export function mountPad(root, {kinds = ["digits", "hangul"], kind = kinds[kinds.length - 1], predict, save,
                                read = null, readImage = null, saveLine = null, words = false}) {
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
  const wordsButton = el("button", {type: "button", class: "hp-words-toggle", "aria-pressed": "false",
                                    title: "write a line of syllables or digits"}, "words");
  const photoInput = el("input", {type: "file", class: "hp-photo-input", accept: "image/*", hidden: "",
                                  "aria-label": "a photo or scan of handwriting"});
  const photoButton = el("button", {type: "button", class: "hp-photo",
                                    title: "read a photo or scan of handwriting (its lines of words or numbers)"}, "photo");
  const boxLayer = el("div", {class: "hp-boxes"});
  const stage = el("div", {class: "hp-stage"}, canvas, boxLayer);
  const columns = el("div", {class: "hp-syllables"});
  const textOut = el("output", {class: "hp-text", "aria-label": "the text read"});
  const copyButton = el("button", {type: "button", class: "hp-copy", disabled: "", title: "copy the text"}, "copy");
  const lineSaveButton = el("button", {type: "button", class: "hp-save-line", disabled: "",
                                       title: "save each syllable under the label shown: handpad finetune learns your hand from them"}, "save");
  const readingPanel = el("div", {class: "hp-reading"}, columns,
                          el("div", {class: "hp-line"}, textOut, copyButton, ...(saveLine ? [lineSaveButton] : [])));
  const panel = el("div", {class: "hp-panel"}, el("ol", {class: "hp-top"}, ...rows.map((r) => el("li", {}, r.button))),
                   status, saveForm);
  const pad = el("div", {class: "handpad"},
    el("div", {class: "hp-toolbar"}, el("span", {class: "hp-kinds"}, ...kindButtons), ...(read ? [wordsButton] : []),
       ...(readImage ? [photoButton, photoInput] : []), undoButton, clearButton, el("label", {class: "hp-pen-label"}, "pen ", pen)),
    el("div", {class: "hp-main"}, stage, panel, readingPanel));
  root.replaceChildren(pad);

  const ctx = canvas.getContext("2d");
  let mode = "single";  // or "words" (a line on the wide canvas)
  const drawings = {single: [], words: []};  // each mode keeps its own strokes
  let width = SIZE, height = SIZE;  // the canvas in its own pixels
  let reading = null;  // the word mode's reading: /api/read's answer, with the user's picks applied
  let picks = new Map();  // a syllable's key (its box and candidates) -> the label picked for it
  let strokes = [];    // [{width, points: [[x, y], ...]}]
  let active = null;   // the pointer drawing now: {id, stroke}
  let version = 0;     // bumped on every change: an answer is shown only for the drawing it describes
  let changedAt = 0;   // performance.now() of the last change (a stroke's end, undo, clear, switch)
  let busy = false, again = false;
  let top = null;
  let photo = null;    // a picture in the word mode: {bitmap (null if the browser cannot draw it), body, sent: [w, h]}

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
    ctx.fillRect(0, 0, width, height);
    if (photo && photo.bitmap) ctx.drawImage(photo.bitmap, 0, 0, width, height);
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

  // -- the word mode's reading -------------------------------------------------------------------
  const keyOf = (s) => JSON.stringify([s.box, s.top.map((t) => t.label)]);
  function lineText() {  // as handpad's Reading.text: words apart by spaces, lines by newlines
    if (!reading) return "";
    const lines = [];
    for (const s of reading.syllables) {
      const line = s.line || 0;
      while (lines.length <= line) lines.push("");
      lines[line] += (s.space_before ? " " : "") + s.label;
    }
    return lines.join("\n");
  }
  function boxScale() {  // a box's pixels (the strokes', or the picture sent) -> canvas pixels
    return photo && photo.sent ? width / photo.sent[0] : 1;
  }
  function columnsOf(syllables) {  // [lo, hi) under each box, canvas pixels (as handpad.pad.words.WordPad.cells)
    const f = boxScale();
    const centers = syllables.map((s) => (s.box[0] + s.box[2]) / 2 * f);
    return syllables.map((s, i) => {
      let lo = Math.min(s.box[0] * f, centers[i] - COLUMN_MIN / 2), hi = Math.max(s.box[2] * f, centers[i] + COLUMN_MIN / 2);
      if (i > 0) lo = Math.max(lo, (centers[i - 1] + centers[i]) / 2);
      if (i + 1 < syllables.length) hi = Math.min(hi, (centers[i] + centers[i + 1]) / 2);
      return [Math.max(lo, 0), Math.min(hi, width)];
    });
  }
  function showReading(answer) {
    reading = answer;
    if (reading) {
      const keys = reading.syllables.map(keyOf);
      reading.syllables.forEach((s, i) => { if (picks.has(keys[i])) s.label = picks.get(keys[i]); });
      picks = new Map([...picks].filter(([key]) => keys.includes(key)));
    } else {
      picks = new Map();
    }
    layoutReading();
  }
  function layoutReading() {  // boxes over the canvas; under it, per line, each syllable's column of candidates
    const syllables = reading ? reading.syllables : [];
    const scale = canvas.clientWidth / width, left = canvas.clientLeft, top = canvas.clientTop;
    const f = scale * boxScale();
    boxLayer.replaceChildren(...syllables.map((s, i) => {
      const box = el("div", {class: "hp-box", "data-index": String(i)});
      Object.assign(box.style, {left: `${left + s.box[0] * f}px`, top: `${top + s.box[1] * f}px`,
                                width: `${(s.box[2] - s.box[0]) * f}px`, height: `${(s.box[3] - s.box[1]) * f}px`});
      return box;
    }));
    const lines = new Map();  // line -> the indices of its syllables, left to right
    syllables.forEach((s, i) => lines.set(s.line || 0, [...(lines.get(s.line || 0) || []), i]));
    columns.style.width = `${canvas.offsetWidth}px`;
    columns.replaceChildren(...[...lines.keys()].sort((a, b) => a - b).map((line) => {
      const members = lines.get(line);
      const spans = columnsOf(members.map((i) => syllables[i]));
      const row = el("div", {class: "hp-syllable-row", "data-line": String(line)}, ...members.map((i, m) => {
        const s = syllables[i];
        const options = s.top.slice(0, OPTIONS).map((t) => {
          const option = el("button", {type: "button", class: "hp-option", "data-label": t.label,
                                       title: `${(t.prob * 100).toFixed(1)}%`},
                            el("span", {class: "hp-option-label"}, t.label),
                            el("span", {class: "hp-option-prob"}, `${(t.prob * 100).toFixed(0)}%`));
          option.classList.toggle("hp-chosen", t.label === s.label);
          option.addEventListener("click", () => choose(i, t.label));
          return option;
        });
        const column = el("div", {class: "hp-syllable", "data-index": String(i)},
                          el("div", {class: "hp-syllable-label"}, s.label), ...options);
        column.classList.toggle("hp-unsure", Boolean(s.unsure));
        Object.assign(column.style, {left: `${left + spans[m][0] * scale}px`,
                                     width: `${(spans[m][1] - spans[m][0]) * scale}px`});
        return column;
      }));
      return row;
    }));
    for (const row of columns.children) {
      row.style.height = `${Math.max(0, ...[...row.children].map((c) => c.scrollHeight))}px`;
    }
    const text = lineText();
    textOut.textContent = text;
    copyButton.disabled = !text;
    lineSaveButton.disabled = !text || Boolean(photo);  // a photo's lines are not saved (the pads save drawings)
    root.dataset.text = text;
  }
  function choose(index, label) {  // pick a candidate: here, no new request
    if (!reading || !reading.syllables[index]) return;
    const s = reading.syllables[index];
    s.label = label;
    picks.set(keyOf(s), label);
    layoutReading();
    root.dispatchEvent(new CustomEvent("handpad:chosen", {detail: {index, label, text: lineText()}}));
  }
  function lineStrokes() {  // as sent to read() and saveLine(): the same line reads the same
    return strokes.map((s) => ({width: s.width, points: s.points.map(([x, y]) => [Math.round(x * 10) / 10,
                                                                                    Math.round(y * 10) / 10])}));
  }
  async function saveText() {
    if (!reading || !strokes.length || photo) return say("write a line first, fix its text, then save it", "bad");
    const labels = reading.syllables.map((s) => s.label);
    lineSaveButton.disabled = true;
    try {
      const answer = await saveLine(lineStrokes(), kind, labels);
      strokes = [];
      repaint();
      changed();
      say(`saved ${answer.labels.join("")} (${answer.saved} sample${answer.saved === 1 ? "" : "s"})`, "ok");
      root.dispatchEvent(new CustomEvent("handpad:saved", {detail: answer}));
    } catch (err) {
      say(`not saved: ${err.message}`, "bad");
      lineSaveButton.disabled = false;
    }
  }
  async function copyText() {
    const text = lineText();
    if (!text) return say("write something first", "bad");
    try {
      if (!navigator.clipboard || !navigator.clipboard.writeText) throw new Error("no clipboard here");
      await navigator.clipboard.writeText(text);
      say(`copied: ${text}`, "ok");
    } catch (err) {  // e.g. a page that is not a secure context, or a frame without the permission
      const range = document.createRange();
      range.selectNodeContents(textOut);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      const done = document.execCommand && document.execCommand("copy");
      say(done ? `copied: ${text}` : `could not copy (${err.message}): the text is selected, copy it yourself`,
          done ? "ok" : "bad");
    }
    root.dataset.copied = text;
    root.dispatchEvent(new CustomEvent("handpad:copied", {detail: {text}}));
  }
  if (typeof ResizeObserver !== "undefined") new ResizeObserver(() => mode === "words" && layoutReading()).observe(canvas);

  function encoded(from, type, quality) {
    // toDataURL, not toBlob: Chromium runs toBlob's encoding in idle time, up to a second later.
    const bytes = atob(from.toDataURL(type, quality).split(",")[1]);
    const data = new Uint8Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) data[i] = bytes.charCodeAt(i);
    return new Blob([data], {type});
  }
  const png = () => encoded(canvas, "image/png");

  // -- a photo in the word mode ----------------------------------------------------------------------
  function setCanvas(w, h, shape = null) {  // the canvas' own pixels; `shape`: a picture's [w, h] for its CSS box
    [width, height] = [w, h];
    canvas.width = w;
    canvas.height = h;
    canvas.style.aspectRatio = shape ? `${shape[0]} / ${shape[1]}` : "";
    canvas.style.width = shape ? `min(${LINE.width}px, 94vw, ${(75 * shape[0] / shape[1]).toFixed(2)}vh)` : "";
  }
  function putPhotoAway() {
    if (!photo) return false;
    photo = null;
    setCanvas(LINE.width, LINE.height);
    return true;
  }
  async function openPhoto(file) {
    if (active || !readImage) return;
    if (mode !== "words") setWords(true);
    let bitmap = null;
    try {
      bitmap = await createImageBitmap(file);  // upright: a phone photo's EXIF orientation applied, as the server does
    } catch (err) {  // not a picture the browser draws (a HEIC photo, or no image at all): the server reads it or says why
      bitmap = null;
    }
    let body = file, sent = bitmap ? [bitmap.width, bitmap.height] : null;
    if (bitmap && bitmap.width * bitmap.height > PHOTO_PIXELS) {  // over the server's limit: a smaller copy
      const f = Math.sqrt(PHOTO_PIXELS / (bitmap.width * bitmap.height));
      sent = [Math.floor(bitmap.width * f), Math.floor(bitmap.height * f)];
      const copy = el("canvas", {width: String(sent[0]), height: String(sent[1])});
      copy.getContext("2d").drawImage(bitmap, 0, 0, sent[0], sent[1]);
      body = encoded(copy, "image/jpeg", 0.92);
    }
    strokes = [];
    photo = {bitmap, body, sent, name: file.name || "the photo"};
    if (bitmap) setCanvas(LINE.width, Math.max(1, Math.round(LINE.width * bitmap.height / bitmap.width)),
                          [bitmap.width, bitmap.height]);
    else setCanvas(LINE.width, LINE.height);
    repaint();
    say(`reading ${photo.name}…`);
    changed();
  }

  async function refresh() {
    if (!strokes.length && !photo) {
      if (mode === "words") showReading(null);
      else show(null);
      return;
    }
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    const asked = {version, kind, since: changedAt, mode};
    try {
      if (asked.mode === "words") {
        const line = lineStrokes();
        const answer = photo ? await readImage(photo.body, asked.kind) : await read(line, asked.kind);
        if (asked.version === version) {
          if (photo && !photo.sent) photo.sent = [Math.max(1, ...answer.syllables.map((s) => s.box[2])), 1];
          showReading(answer);
          say(answer.syllables.some((s) => s.unsure) ? "not sure of every syllable: click a candidate to fix one" : "");
          const ms = performance.now() - asked.since;
          root.dataset.updated = ms.toFixed(1);
          root.dispatchEvent(new CustomEvent("handpad:updated", {detail: {ms, reading: answer}}));
        }
      } else {
        const answer = await predict(png(), asked.kind);
        if (asked.version === version) {
          show(answer);
          const ms = performance.now() - asked.since;
          root.dataset.updated = ms.toFixed(1);
          root.dispatchEvent(new CustomEvent("handpad:updated", {detail: {ms, top: answer.top}}));
        }
      }
    } catch (err) {
      if (asked.version === version) {
        if (asked.mode === "words") showReading(null);
        else show(null);
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
    return [event.offsetX * width / canvas.clientWidth, event.offsetY * height / canvas.clientHeight];
  }
  canvas.addEventListener("pointerdown", (event) => {
    if (active || (event.pointerType === "mouse" && event.button !== 0)) return;
    event.preventDefault();
    if (putPhotoAway()) {  // a touch puts the photo away: the canvas is for drawing again
      repaint();
      changed();
      return;
    }
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
    if (active || !(strokes.length || photo)) return;
    if (!putPhotoAway()) strokes.pop();
    repaint();
    changed();
  }
  function clear() {
    if (active) return;
    putPhotoAway();
    strokes = [];
    repaint();
    changed();
  }
  function setWords(on) {  // the word mode on or off; each mode keeps its own drawing
    if (active || (on && !read)) return;
    putPhotoAway();
    drawings[mode] = strokes;
    mode = on ? "words" : "single";
    strokes = drawings[mode];
    setCanvas(...(on ? [LINE.width, LINE.height] : [SIZE, SIZE]));
    pad.classList.toggle("hp-words", on);
    wordsButton.setAttribute("aria-pressed", String(on));
    (on ? readingPanel : panel).insertBefore(status, on ? null : saveForm);
    repaint();
    if (on) layoutReading();
    say("");
    changed();
  }
  function setKind(next) {
    kind = next;
    for (const b of kindButtons) b.setAttribute("aria-pressed", String(b.dataset.kind === kind));
    labelInput.value = "";
    changed();
  }
  undoButton.addEventListener("click", undo);
  wordsButton.addEventListener("click", () => setWords(mode !== "words"));
  copyButton.addEventListener("click", copyText);
  lineSaveButton.addEventListener("click", saveText);
  photoButton.addEventListener("click", () => photoInput.click());
  photoInput.addEventListener("change", () => {
    const file = photoInput.files[0];
    photoInput.value = "";  // the same file chosen again is read again
    if (file) openPhoto(file);
  });
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
  if (words && read) setWords(true);
  return {element: pad, undo, clear, setKind, setWords, choose, copy: copyText, text: lineText, openPhoto};
}
