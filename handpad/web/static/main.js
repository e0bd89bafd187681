// The page's glue: mounts the pad (pad.js) with calls to handpad serve's JSON API.
// ?kind=digits starts with digits, ?words=1 in the word mode.
import {mountPad} from "./pad.js";

async function post(url, blob) {
  const response = await fetch(url, {method: "POST", body: blob, headers: {"Content-Type": blob.type}});
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || `${response.status} ${response.statusText}`);
  return answer;
}

const params = new URLSearchParams(location.search);
const kind = params.get("kind") === "digits" ? "digits" : "hangul";
mountPad(document.getElementById("pad"), {
  kinds: ["digits", "hangul"],
  kind,
  words: params.get("words") === "1",
  predict: (blob, model) => post(`api/predict?model=${model}&top=3`, blob),
  save: (blob, model, label) => post(`api/samples?model=${model}&label=${encodeURIComponent(label)}`, blob),
  read: (strokes, model) => post("api/read", new Blob([JSON.stringify({kind: model, strokes})], {type: "application/json"})),
  readImage: (blob, model) => post(`api/read?model=${model}`, blob),
  saveLine: (strokes, model, labels) => post("api/samples", new Blob([JSON.stringify({kind: model, strokes, labels})],
                                                                      {type: "application/json"})),
});
