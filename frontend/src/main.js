// The page of `kg viz`: the agency network drawn with sigma.js (WebGL) over a graphology graph.
// The data is inlined by the Python side as JSON in <script id="kg-data">; the page never makes a
// request to any host. Positions come with the data (computed once, in Python: kg/viz/layout.py)
// and never move: a filter, a date, a language or a selection only shows or hides nodes. The org
// chart is laid out with d3-hierarchy over what is unfolded, whatever the date and filters, so it
// too stays put while they change; it is laid out again only when a node is opened or closed.
import { hierarchy, tree } from "d3-hierarchy";
import Graph from "graphology";
import Sigma from "sigma";
import "./style.css";

const TEXT = {
  vi: {
    search: "Tìm cơ quan, địa danh (có dấu hoặc không dấu)…",
    relations: "Quan hệ",
    kinds: "Chú giải: loại",
    layout: "Bố cục",
    hierarchy: "Sơ đồ tổ chức",
    network: "Mạng lưới",
    fit: "Vừa khung",
    language: "Ngôn ngữ",
    date: "Ngày",
    changes: "Thay đổi tổ chức",
    showChanges: "Hiện cơ quan, đơn vị được thay thế bởi",
    before: "trước",
    after: "từ",
    kind: "Loại",
    valid: "Hiệu lực",
    always: "không ghi thời gian",
    from: "từ",
    until: "đến hết",
    beganBetween: (a, b) => `từ một ngày trong khoảng ${a} – ${b}`,
    endedBetween: (a, b) => `đến một ngày trong khoảng ${a} – ${b}`,
    iri: "IRI",
    sources: "Nguồn",
    samePlace: "Cùng địa bàn",
    noSource: "(không ghi nguồn)",
    empty: "Mạng lưới trống: truy vấn không trả về quan hệ nào.",
    noMatch: (q) => `Không có nút nào khớp mọi từ của “${q}”.`,
    hidden: (groups) => `Trang này không có ${groups}: vẽ lại với ${groups === "người" ? "--people" : "--documents"}.`,
    groups: { person: "người", document: "văn bản", event: "sự kiện", unit: "đơn vị hành chính" },
    notShown: "không hiện vào ngày đang xem",
    status: (n, e, d) => `${n} nút, ${e} cạnh${d ? ` vào ngày ${d}` : ""}; bấm một nhóm thu gọn để mở.`,
    open: (n, what) => `Mở ${n} ${what}`,
    collapse: (what) => `Thu gọn ${what}`,
    close: "Đóng",
    ghost: (when) => `(${when})`,
  },
  en: {
    search: "Find an agency or a place (with or without diacritics)…",
    relations: "Relations",
    kinds: "Legend: kinds",
    layout: "Layout",
    hierarchy: "Org chart",
    network: "Network",
    fit: "Fit",
    language: "Language",
    date: "Date",
    changes: "Changes of organisation",
    showChanges: "Show what bodies and units were replaced by",
    before: "before",
    after: "from",
    kind: "Kind",
    valid: "Valid",
    always: "no time given",
    from: "from",
    until: "until the end of",
    beganBetween: (a, b) => `from a day between ${a} and ${b}`,
    endedBetween: (a, b) => `until a day between ${a} and ${b}`,
    iri: "IRI",
    sources: "Sources",
    samePlace: "Same place",
    noSource: "(no source given)",
    empty: "The network is empty: the query returned no relation.",
    noMatch: (q) => `No node matches every word of “${q}”.`,
    hidden: (groups) => `This page has no ${groups}: draw it again with ${groups === "people" ? "--people" : "--documents"}.`,
    groups: { person: "people", document: "documents", event: "events", unit: "administrative units" },
    notShown: "not shown on the date in view",
    status: (n, e, d) => `${n} nodes, ${e} edges${d ? ` on ${d}` : ""}; click a folded group to open it.`,
    open: (n, what) => `Open ${n} ${what}`,
    collapse: (what) => `Fold ${what}`,
    close: "Close",
    ghost: (when) => `(${when})`,
  },
};

// Strip Vietnamese diacritics, as kg.namespaces.fold does on the Python side.
export function fold(text) {
  return text
    .replace(/đ/g, "d")
    .replace(/Đ/g, "D")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}

const words = (text) => text.split(/[^a-z0-9]+/).filter(Boolean);

const data = JSON.parse(document.getElementById("kg-data").textContent);
const nodes = data.nodes;
// the page leaves empty fields out (kg/viz/__init__.py): put them back
for (const n of nodes) {
  n.vi ??= "";
  n.en ??= "";
  n.group ??= "other";
  n.level ??= "";
  n.parent ??= null;
  n.attached ??= false;
  n.begin ??= "";
  n.end ??= "";
  n.begin_earliest ??= "";
  n.end_latest ??= "";
  n.sources ??= [];
  n.key ??= "";
}
const state = {
  lang: data.lang,
  layout: data.layout,
  date: data.date,
  hiddenRelations: new Set(),
  hiddenKinds: new Set(),
  open: new Set(data.open.map(([p, g]) => `${p}:${g}`)),
  selected: data.focus,
  showChanges: true,
};
const byId = new Map(nodes.map((n, i) => [n.id, i]));
const children = nodes.map(() => []);
nodes.forEach((n, i) => {
  if (n.parent !== null) children[n.parent].push(i);
});
const incident = nodes.map(() => []);
data.edges.forEach((e, k) => {
  incident[e.s].push(k);
  if (e.t !== e.s) incident[e.t].push(k);
});
// the words of every name, made at the first search: not before the first picture
let nameWords = null;
const $ = (id) => document.getElementById(id);
const t = () => TEXT[state.lang];
const label = (item) => item[state.lang] || item[state.lang === "vi" ? "en" : "vi"] || item.id;
const UNIT_GROUP = "unit";

function validOn(i, day) {
  if (!day) return true;
  const { begin, end } = nodes[i];
  return (!begin || begin <= day.slice(0, begin.length)) && (!end || end >= day.slice(0, end.length));
}

// A node's valid time in words. begin and end bound the days it is surely valid (the rule of
// the catalog's unit-counts); where the day is unknown (a unit between two lists), the span it
// lies in is given.
function period(i) {
  const { begin, end, begin_earliest: earliest, end_latest: latest } = nodes[i];
  if (!begin && !end) return t().always;
  const from = earliest ? t().beganBetween(earliest, begin) : `${t().from} ${begin}`;
  const until = latest ? t().endedBetween(end, latest) : `${t().until} ${end}`;
  if (begin && end && !earliest && !latest) return `${begin} – ${end}`;
  return [begin ? from : "", end ? until : ""].filter(Boolean).join(", ");
}

// What tells a ghost (what a change made of a node shown) from the nodes of the day: when it
// begins, or, if it has ended, its valid time.
function ghostNote(i) {
  const { begin } = nodes[i];
  return t().ghost(begin && begin > state.date ? `${t().from} ${begin}` : period(i));
}

const unfolded = (p, c) => nodes[c].attached || state.open.has(`${p}:${nodes[c].group}`);

// What is unfolded, whatever the date and the filters: the org chart is laid out over it.
function revealed() {
  const out = [];
  const stack = nodes.map((n, i) => i).filter((i) => nodes[i].parent === null).reverse();
  while (stack.length) {
    const i = stack.pop();
    out.push(i);
    const kids = children[i];
    for (let k = kids.length - 1; k >= 0; k--) if (unfolded(i, kids[k])) stack.push(kids[k]);
  }
  return out;
}

// The groups of folded children of each node: [parent, group, members].
function foldedGroups(parents) {
  const out = [];
  for (const p of parents) {
    const groups = new Map();
    for (const c of children[p]) {
      if (unfolded(p, c)) continue;
      if (!groups.has(nodes[c].group)) groups.set(nodes[c].group, []);
      groups.get(nodes[c].group).push(c);
    }
    for (const [g, members] of [...groups.entries()].sort()) out.push([p, g, members]);
  }
  return out;
}

// --- the org chart: d3-hierarchy's tidy tree, left to right, over what is unfolded ----------
let chart = null; // Map key -> {x, y}

function layoutChart() {
  const shown = revealed();
  const set = new Set(shown);
  const folds = foldedGroups(shown);
  const kids = new Map();
  const add = (parent, item) => {
    if (!kids.has(parent)) kids.set(parent, []);
    kids.get(parent).push(item);
  };
  for (const i of shown) add(nodes[i].parent !== null && set.has(nodes[i].parent) ? String(nodes[i].parent) : "root", String(i));
  for (const [p, g] of folds) add(String(p), `a:${p}:${g}`);
  const build = (key) => ({ key, children: (kids.get(key) || []).map(build) });
  const root = hierarchy(build("root"));
  tree().nodeSize([1, 14]).separation((a, b) => (a.parent === b.parent ? 1 : 1.5))(root);
  chart = new Map();
  root.each((d) => {
    if (d.data.key !== "root") chart.set(d.data.key, { x: d.y, y: -d.x });
  });
}

function position(key, i) {
  if (state.layout === "hierarchy") return chart.get(key) || { x: 0, y: 0 };
  if (i !== undefined) return { x: nodes[i].x, y: nodes[i].y };
  return null;
}

function bboxOf(points) {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const p of points) {
    x0 = Math.min(x0, p.x); x1 = Math.max(x1, p.x); y0 = Math.min(y0, p.y); y1 = Math.max(y1, p.y);
  }
  if (!isFinite(x0)) return { x: [0, 1], y: [0, 1] };
  if (x1 - x0 < 1e-6) { x0 -= 0.5; x1 += 0.5; }
  if (y1 - y0 < 1e-6) { y0 -= 0.5; y1 += 0.5; }
  return { x: [x0, x1], y: [y0, y1] };
}

// The frame of the whole layout: kept while filters change, so that nothing moves.
function frame() {
  if (state.layout === "hierarchy") return bboxOf(chart.values());
  return bboxOf(nodes);
}

// --- what is shown ---------------------------------------------------------------------------
const graph = new Graph({ multi: true, type: "directed" });
let renderer = null;
let view = { visible: [], ghosts: [], aggregates: [], edges: 0, aggregated: 0 };

function lighten(hex, amount) {
  const n = parseInt(hex.slice(1, 7), 16);
  const mix = (c) => Math.round(c + (255 - c) * amount);
  return `rgb(${mix(n >> 16)},${mix((n >> 8) & 255)},${mix(n & 255)})`;
}

function nodeSize(i) {
  const n = nodes[i];
  if (n.parent === null && n.group !== UNIT_GROUP && children[i].length > 5) return 12;
  if (n.group === UNIT_GROUP) return n.parent === null ? 7 : 5;
  if (n.parent !== null && nodes[n.parent].parent === null && nodes[n.parent].group !== UNIT_GROUP) return 8;
  return n.attached ? 5 : 6;
}

// Labels no reader could tell apart get what tells them apart: their parent, else their time.
function labels(shown) {
  const out = new Map();
  const by = new Map();
  for (const i of shown) {
    const text = label(nodes[i]);
    out.set(i, text);
    if (!by.has(text)) by.set(text, []);
    by.get(text).push(i);
  }
  for (const [text, same] of by) {
    if (same.length < 2) continue;
    const parents = same.map((i) => (nodes[i].parent !== null ? label(nodes[nodes[i].parent]) : ""));
    const distinct = new Set(parents).size === same.length && !parents.includes("");
    same.forEach((i, k) => out.set(i, `${text} · ${distinct ? parents[k] : period(i)}`));
  }
  return out;
}

function aggregateLabel(p, g, count, members) {
  const kinds = new Map();
  for (const c of members) kinds.set(nodes[c].kind, (kinds.get(nodes[c].kind) || 0) + 1);
  const kind = [...kinds.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
  return `${count} ${label(data.kinds[kind])}`;
}

function aggregatePlace(p, members) {
  let x = 0, y = 0;
  for (const c of members) { x += nodes[c].x; y += nodes[c].y; }
  x /= members.length; y /= members.length;
  if (Math.abs(x - nodes[p].x) + Math.abs(y - nodes[p].y) < 0.1) return { x: nodes[p].x, y: nodes[p].y - 0.16 };
  return { x, y };
}

function rebuild() {
  const shownTree = revealed();
  const inTree = new Set(shownTree);
  const visible = shownTree.filter((i) => validOn(i, state.date) && !state.hiddenKinds.has(nodes[i].kind));
  const vis = new Set(visible);
  const ghosts = [];
  if (state.showChanges && state.date) {
    for (const i of visible) {
      for (const k of incident[i]) {
        const e = data.edges[k];
        if (e.s !== i || !data.relations[e.r].change) continue;
        if (!vis.has(e.t) && inTree.has(e.t) && !state.hiddenKinds.has(nodes[e.t].kind) && !ghosts.includes(e.t)) ghosts.push(e.t);
      }
    }
  }
  const drawn = new Set([...visible, ...ghosts]);
  const text = labels([...visible, ...ghosts]);
  graph.clear();
  const ghostSet = new Set(ghosts);
  for (const i of [...visible, ...ghosts]) {
    const n = nodes[i];
    const p = position(String(i), i);
    const ghost = ghostSet.has(i);
    const color = data.kinds[n.kind].color;
    const top = n.group !== UNIT_GROUP && (n.parent === null || nodes[n.parent].parent === null) && !n.attached;
    graph.addNode(String(i), {
      x: p.x,
      y: p.y,
      size: nodeSize(i),
      color: ghost ? lighten(color, 0.6) : color,
      label: ghost ? `${text.get(i)} ${ghostNote(i)}` : text.get(i),
      forceLabel: top && !ghost && children[i].length + incident[i].length > 0 && nodes[i].group === "agency",
      ghost,
    });
  }
  let edges = 0;
  data.edges.forEach((e, k) => {
    if (!drawn.has(e.s) || !drawn.has(e.t) || state.hiddenRelations.has(e.r)) return;
    const change = data.relations[e.r].change;
    if (change && !state.showChanges) return;
    if (!change && (ghostSet.has(e.s) || ghostSet.has(e.t))) return;
    graph.addEdgeWithKey(`e${k}`, String(e.s), String(e.t), {
      size: change ? 2 : 1.2,
      color: change ? "#c2185b" : "#9aa5b1",
      type: "arrow",
      relation: e.r,
    });
    edges++;
  });
  const aggregates = [];
  for (const [p, g, members] of foldedGroups(visible)) {
    const live = members.filter((c) => validOn(c, state.date) && !state.hiddenKinds.has(nodes[c].kind));
    if (!live.length) continue;
    const key = `a:${p}:${g}`;
    const at = state.layout === "hierarchy" ? chart.get(key) || position(String(p), p) : aggregatePlace(p, members);
    graph.addNode(key, {
      x: at.x,
      y: at.y,
      size: 3,
      color: "#cbd2d9",
      label: aggregateLabel(p, g, live.length, live),
      aggregate: [p, g],
    });
    graph.addEdgeWithKey(`ae:${p}:${g}`, key, String(p), { size: Math.min(6, 1 + Math.log2(live.length)), color: "#d9e2ec", type: "line" });
    aggregates.push(key);
  }
  view = { visible, ghosts, aggregates, edges, aggregated: aggregates.length };
  $("status").textContent = t().status(visible.length, edges + aggregates.length, state.date);
  if (renderer) {
    renderer.setCustomBBox(frame());
    renderer.refresh();
  }
}

// --- the camera: fit, and centring in the part of the view the panel leaves free ------------
function framedOf(p) {
  return renderer.viewportToFramedGraph(renderer.graphToViewport(p));
}

function fit({ animate = true } = {}) {
  const keys = graph.nodes();
  if (!keys.length) return;
  const pts = keys.map((k) => framedOf(graph.getNodeAttributes(k)));
  const box = bboxOf(pts);
  const state_ = {
    x: (box.x[0] + box.x[1]) / 2,
    y: (box.y[0] + box.y[1]) / 2,
    ratio: Math.max(box.x[1] - box.x[0], box.y[1] - box.y[0], 0.02) * 1.15,
  };
  if (animate) renderer.getCamera().animate(state_, { duration: 300 });
  else renderer.getCamera().setState(state_);
}

function centreOn(i) {
  if (!graph.hasNode(String(i))) return;
  const camera = renderer.getCamera();
  const ratio = Math.min(camera.getState().ratio, 0.5);
  const f = framedOf(graph.getNodeAttributes(String(i)));
  const { width } = renderer.getDimensions();
  const panel = $("panel");
  const free = panel.hidden ? width : Math.max(200, width - panel.offsetWidth - 20);
  const a = renderer.viewportToFramedGraph({ x: 0, y: 0 });
  const b = renderer.viewportToFramedGraph({ x: 1, y: 0 });
  const perPixel = ((b.x - a.x) * ratio) / camera.getState().ratio;
  camera.animate({ x: f.x + (width / 2 - free / 2) * perPixel, y: f.y, ratio }, { duration: 300 });
}

// --- selection and the panel -----------------------------------------------------------------
function reveal(i) {
  for (let c = i, p = nodes[i].parent; p !== null; c = p, p = nodes[p].parent) state.open.add(`${p}:${nodes[c].group}`);
}

function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function relayout() {
  if (state.layout === "hierarchy") layoutChart();
}

function select(i, { move = true } = {}) {
  state.selected = i;
  const wasShown = graph.hasNode(String(i));
  reveal(i);
  if (!wasShown) relayout();
  rebuild();
  showPanel(i);
  if (move) centreOn(i);
}

function link(i) {
  const a = el("a", { href: "#", "data-iri": nodes[i].id }, label(nodes[i]));
  a.onclick = (ev) => {
    ev.preventDefault();
    select(i);
  };
  return a;
}

function companions(i) {
  const out = new Set();
  for (const k of incident[i]) {
    const e = data.edges[k];
    const place = e.s === i ? e.t : null;
    if (place === null || nodes[place].group !== UNIT_GROUP) continue;
    for (const k2 of incident[place]) {
      const o = data.edges[k2];
      if (o.t === place && o.s !== i && nodes[o.s].group === "agency") out.add(o.s);
    }
  }
  return [...out].sort((a, b) => a - b);
}

function showPanel(i) {
  const n = nodes[i];
  const panel = $("panel");
  panel.hidden = false;
  panel.replaceChildren();
  const close = el("button", { id: "panel-close", type: "button", title: t().close }, "×");
  close.onclick = () => {
    panel.hidden = true;
    state.selected = null;
    renderer.refresh();
  };
  panel.append(close, el("h2", { id: "panel-label" }, label(n)));
  const dl = el("dl");
  dl.append(el("dt", {}, t().kind), el("dd", { id: "panel-kind" }, label(data.kinds[n.kind])));
  const valid = el("dd", { id: "panel-valid" }, period(i));
  if (!validOn(i, state.date)) valid.append(el("em", {}, ` (${t().notShown})`));
  dl.append(el("dt", {}, t().valid), valid);
  dl.append(el("dt", {}, t().iri), el("dd", { id: "panel-iri" }, n.id));
  panel.append(dl);
  for (const [p, g, members] of foldedGroups([i]).concat(
    [...new Set(children[i].filter((c) => !nodes[c].attached && unfolded(i, c)).map((c) => nodes[c].group))].map((g) => [i, g, null]),
  )) {
    const what = TEXT[state.lang].groups[g] || label(data.kinds[nodes[children[i].find((c) => nodes[c].group === g)].kind]);
    const b = el("button", { type: "button", class: "panel-toggle", "data-group": g });
    b.textContent = members ? t().open(members.length, what) : t().collapse(what);
    b.onclick = () => {
      if (members) state.open.add(`${p}:${g}`);
      else state.open.delete(`${p}:${g}`);
      relayout();
      select(i, { move: false });
    };
    panel.append(b);
  }
  panel.append(el("h3", {}, t().relations));
  const ul = el("ul", { id: "panel-relations" });
  for (const k of incident[i]) {
    const e = data.edges[k];
    const other = e.s === i ? e.t : e.s;
    const li = el("li");
    const rel = label(data.relations[e.r]) + (e.date ? ` (${e.date})` : "");
    if (e.s === i) li.append(`${rel} → `, link(other));
    else li.append(link(other), ` → ${rel} → ${label(n)}`);
    ul.append(li);
  }
  panel.append(ul);
  const same = companions(i);
  if (same.length) {
    panel.append(el("h3", {}, t().samePlace));
    const sp = el("ul", { id: "panel-same-place" });
    for (const o of same) {
      const li = el("li");
      li.append(link(o));
      sp.append(li);
    }
    panel.append(sp);
  }
  panel.append(el("h3", {}, t().sources));
  const src = el("ul", { id: "panel-sources" });
  const sources = new Set(n.sources);
  for (const k of incident[i]) for (const s of data.edges[k].sources) sources.add(s);
  if (!sources.size) src.append(el("li", {}, t().noSource));
  for (const s of [...sources].sort((a, b) => a - b)) {
    // by its title where it has one, else by its address (a source known only by its address
    // has no label), else by its IRI
    const source = data.sources[s];
    const title = source[state.lang] || source[state.lang === "vi" ? "en" : "vi"];
    const li = el("li");
    if (source.url) li.append(el("a", { href: source.url, target: "_blank", rel: "noopener noreferrer" }, title || source.url));
    else li.append(title || source.id);
    src.append(li);
  }
  panel.append(src);
}

// --- search: every word typed begins a word of a name ----------------------------------------
function search(text) {
  const q = words(fold(text));
  if (!q.length) return [];
  const phrase = q.join(" ");
  if (nameWords === null) nameWords = nodes.map((n) => n.key.split("\n").map(words));
  const hits = [];
  nodes.forEach((n, i) => {
    let best = Infinity;
    for (const name of nameWords[i]) {
      if (q.every((w) => name.some((v) => v.startsWith(w)))) best = Math.min(best, name.length - q.length);
    }
    if (best === Infinity) {
      const all = nameWords[i].flat();
      if (!q.every((w) => all.some((v) => v.startsWith(w)))) return;
      best = 50;
    }
    const exact = n.key.split("\n").includes(phrase) ? 0 : 1;
    hits.push([exact, validOn(i, state.date) ? 0 : 1, best, n.vi.length, i]);
  });
  hits.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3] || a[4] - b[4]);
  return hits.slice(0, 20).map((h) => h[4]);
}

function showResults() {
  const list = $("results");
  list.replaceChildren();
  const typed = $("search").value;
  const found = search(typed);
  const note = $("search-note");
  note.replaceChildren();
  if (typed.trim() && !found.length) note.append(el("p", { id: "no-match" }, t().noMatch(typed.trim())));
  const missing = (data.hidden_groups || []).filter((g) => g === "person" || g === "document");
  if (typed.trim() && missing.length) {
    note.append(el("p", { class: "hint", id: "hidden-hint" }, missing.map((g) => t().hidden(TEXT[state.lang].groups[g])).join(" ")));
  }
  for (const i of found) {
    const li = el("li", { role: "option", "data-iri": nodes[i].id }, label(nodes[i]));
    li.append(el("small", {}, ` · ${label(data.kinds[nodes[i].kind])} · ${period(i)}`));
    li.onclick = () => {
      list.replaceChildren();
      if (!validOn(i, state.date)) setDate(nodes[i].end || nodes[i].begin || state.date, { keepSelection: true });
      select(i);
    };
    list.append(li);
  }
}

// --- controls --------------------------------------------------------------------------------
function checkbox(container, id, text, color, onChange) {
  const lab = el("label");
  const box = el("input", { type: "checkbox", "data-id": id });
  box.checked = true;
  box.onchange = () => onChange(box.checked);
  lab.append(box);
  if (color) lab.append(el("span", { class: "swatch", style: `background:${color}` }));
  lab.append(el("span", { class: "text" }, text));
  container.append(lab);
}

function dayBefore(day) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

function buildControls() {
  document.documentElement.lang = state.lang;
  const title = data.title[state.lang] || data.title.vi || "cchc-kg";
  document.title = title;
  $("title").textContent = title;
  $("search").placeholder = t().search;
  $("h-relations").textContent = t().relations;
  $("h-kinds").textContent = t().kinds;
  $("h-layout").textContent = t().layout;
  $("h-date").textContent = t().date;
  $("h-changes").textContent = t().changes;
  $("show-changes-text").textContent = t().showChanges;
  $("layout-hierarchy").textContent = t().hierarchy;
  $("layout-network").textContent = t().network;
  $("fit").textContent = t().fit;
  $("h-lang").textContent = t().language;
  const rel = $("relations");
  rel.replaceChildren();
  data.relations.forEach((r, k) =>
    checkbox(rel, r.id, label(r), r.change ? "#c2185b" : null, (on) => {
      if (on) state.hiddenRelations.delete(k);
      else state.hiddenRelations.add(k);
      rebuild();
    }),
  );
  const kinds = $("kinds");
  kinds.replaceChildren();
  data.kinds.forEach((kd, k) =>
    checkbox(kinds, kd.id, label(kd), kd.color, (on) => {
      if (on) state.hiddenKinds.delete(k);
      else state.hiddenKinds.add(k);
      rebuild();
    }),
  );
  for (const box of document.querySelectorAll("#relations input")) {
    box.checked = !state.hiddenRelations.has(data.relations.findIndex((r) => r.id === box.dataset.id));
  }
  for (const box of document.querySelectorAll("#kinds input")) {
    box.checked = !state.hiddenKinds.has(data.kinds.findIndex((r) => r.id === box.dataset.id));
  }
  const years = $("years");
  years.replaceChildren();
  const changes = $("changes");
  changes.replaceChildren();
  if (data.latest) {
    const last = Number(data.latest.slice(0, 4));
    const first = Math.min(last, ...data.changes.map((d) => Number(d.slice(0, 4)) - 5));
    for (let y = first; y <= last; y++) {
      const day = y === last ? data.latest : `${y}-12-31`;
      const b = el("button", { type: "button", "data-date": day }, String(y));
      b.onclick = () => setDate(day);
      years.append(b);
    }
    for (const d of data.changes) {
      for (const [word, day] of [[t().before, dayBefore(d)], [t().after, d]]) {
        const b = el("button", { type: "button", "data-date": day }, `${word} ${d}`);
        b.onclick = () => setDate(day);
        changes.append(b);
      }
    }
  }
  for (const b of document.querySelectorAll("#years button, #changes button")) b.classList.toggle("active", b.dataset.date === state.date);
  $("date").value = state.date || "";
  $("layout-hierarchy").classList.toggle("active", state.layout === "hierarchy");
  $("layout-network").classList.toggle("active", state.layout === "network");
  $("lang").value = state.lang;
}

function setDate(day, { keepSelection = false } = {}) {
  state.date = day;
  buildControls();
  rebuild();
  if (state.selected !== null && keepSelection) showPanel(state.selected);
  else if (state.selected !== null) showPanel(state.selected);
}

function setLanguage(lang) {
  state.lang = lang;
  buildControls();
  rebuild();
  if (state.selected !== null) showPanel(state.selected);
  showResults();
}

function setLayout(layout) {
  state.layout = layout;
  relayout();
  buildControls();
  rebuild();
  fit({ animate: false });
}

// A small read-only state for tests and scripts: what is shown, on which day.
function kgState() {
  const kinds = {};
  const levels = {};
  for (const i of view.visible) {
    const kind = data.kinds[nodes[i].kind].id;
    kinds[kind] = (kinds[kind] || 0) + 1;
    const key = `${kind}|${nodes[i].level}`;
    levels[key] = (levels[key] || 0) + 1;
  }
  const labelsShown = [];
  const forced = [];
  const aggregateLabels = [];
  graph.forEachNode((key, a) => {
    if (a.aggregate) aggregateLabels.push(a.label);
    else labelsShown.push(a.label);
    if (a.forceLabel) forced.push(a.label);
  });
  return {
    date: state.date,
    lang: state.lang,
    layout: state.layout,
    nodes: view.visible.length,
    edges: view.edges + view.aggregated,
    realEdges: view.edges,
    aggregated: view.aggregated,
    ghosts: view.ghosts.length,
    kinds,
    levels,
    labels: labelsShown,
    aggregateLabels,
    forced,
    title: document.title,
  };
}

function start() {
  buildControls();
  if (!nodes.length) {
    $("empty").hidden = false;
    $("empty").textContent = t().empty;
    window.kgState = () => ({ date: state.date, nodes: 0, edges: 0 });
    window.kgReady = true;
    return;
  }
  if (data.focus !== null) reveal(data.focus);
  relayout();
  rebuild();
  renderer = new Sigma(graph, $("graph"), {
    renderEdgeLabels: false,
    defaultEdgeType: "arrow",
    labelRenderedSizeThreshold: 5,
    labelSize: 12,
    labelDensity: 0.8,
    zIndex: true,
    minCameraRatio: 0.002,
    maxCameraRatio: 4,
    nodeReducer: (key, attrs) => {
      const out = { ...attrs };
      if (attrs.aggregate) return out;
      const i = Number(key);
      if (state.selected === i || data.focus === i) {
        out.highlighted = true;
        out.forceLabel = true;
        out.zIndex = 2;
      }
      return out;
    },
    edgeReducer: (key, attrs) => {
      if (state.selected !== null && key[0] === "e") {
        const e = data.edges[Number(key.slice(1))];
        if (e.s === state.selected || e.t === state.selected) return { ...attrs, color: "#d64545", size: 2.5, zIndex: 1 };
      }
      return attrs;
    },
  });
  renderer.setCustomBBox(frame());
  renderer.on("clickNode", ({ node }) => {
    const attrs = graph.getNodeAttributes(node);
    if (attrs.aggregate) {
      const [p, g] = attrs.aggregate;
      state.open.add(`${p}:${g}`);
      relayout();
      select(p, { move: false });
      return;
    }
    select(Number(node), { move: false });
    centreOn(Number(node));
  });
  $("search").addEventListener("input", showResults);
  $("search").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      const first = search($("search").value)[0];
      if (first !== undefined) {
        $("results").replaceChildren();
        select(first);
      }
    }
  });
  $("lang").addEventListener("change", (ev) => setLanguage(ev.target.value));
  $("date").addEventListener("change", (ev) => ev.target.value && setDate(ev.target.value));
  $("show-changes").addEventListener("change", (ev) => {
    state.showChanges = ev.target.checked;
    rebuild();
  });
  $("layout-hierarchy").onclick = () => setLayout("hierarchy");
  $("layout-network").onclick = () => setLayout("network");
  $("fit").onclick = () => fit();
  fit({ animate: false });
  if (data.focus !== null) {
    showPanel(data.focus);
    centreOn(data.focus);
  }
  renderer.once("afterRender", () => {
    window.kgReady = true;
  });
  renderer.refresh();
  window.kgState = kgState;
  window.kg = { renderer, graph, search, select, setLanguage, setDate, setLayout, fit, nodes, byId, state };
}

start();
