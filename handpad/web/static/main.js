// The page's glue: mounts the pad (pad.js) with calls to handpad serve's JSON API.
import {mountPad} from "./pad.js";

async function post(url, blob) {
  const response = await fetch(url, {method: "POST", body: blob, headers: {"Content-Type": blob.type}});
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || `${response.status} ${response.statusText}`);
  return answer;
}

const kind = new URLSearchParams(location.search).get("kind") === "digits" ? "digits" : "hangul";
mountPad(document.getElementById("pad"), {
  kinds: ["digits", "hangul"],
  kind,
  predict: (blob, model) => post(`api/predict?model=${model}&top=3`, blob),
  save: (blob, model, label) => post(`api/samples?model=${model}&label=${encodeURIComponent(label)}`, blob),
});
