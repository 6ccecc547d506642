// The page of `kg viz`: the agency network drawn with sigma.js (WebGL) over a graphology graph.
// The data is inlined by the Python side as JSON in <script id="kg-data">; the page never makes a
// request to any host. Layouts are computed here from the inlined hierarchy, deterministically:
// a tree by hierarchy depth (org chart) and ForceAtlas2 with fixed iterations started from it.
import Graph from "graphology";
import forceAtlas2 from "graphology-layout-forceatlas2";
import Sigma from "sigma";
import "./style.css";

const TEXT = {
  vi: {
    search: "Tìm cơ quan (có dấu hoặc không dấu)…",
    relations: "Quan hệ",
    kinds: "Loại",
    layout: "Bố cục",
    hierarchy: "Sơ đồ tổ chức",
    force: "Lực hút",
    language: "Ngôn ngữ",
    kind: "Loại",
    iri: "IRI",
    sources: "Nguồn",
    noSource: "(không ghi nguồn)",
    empty: "Mạng lưới trống: truy vấn không trả về quan hệ nào.",
    folded: (n) => `${n} mục đang thu gọn: bấm để mở`,
    overview: (shown, total) => `Đang hiện ${shown} trong ${total} nút; bấm một nút có dấu + để mở.`,
    all: (total) => `${total} nút`,
    expand: "Mở rộng",
    collapse: "Thu gọn",
    close: "Đóng",
  },
  en: {
    search: "Find an agency (with or without diacritics)…",
    relations: "Relations",
    kinds: "Kinds",
    layout: "Layout",
    hierarchy: "Org chart",
    force: "Force",
    language: "Language",
    kind: "Kind",
    iri: "IRI",
    sources: "Sources",
    noSource: "(no source given)",
    empty: "The network is empty: the query returned no relation.",
    folded: (n) => `${n} folded: click to open`,
    overview: (shown, total) => `Showing ${shown} of ${total} nodes; click a node marked + to open it.`,
    all: (total) => `${total} nodes`,
    expand: "Expand",
    collapse: "Collapse",
    close: "Close",
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

const data = JSON.parse(document.getElementById("kg-data").textContent);
const state = {
  lang: data.lang,
  layout: data.layout,
  hiddenRelations: new Set(),
  hiddenKinds: new Set(),
  open: new Set(),
  selected: null,
};
const nodes = data.nodes; // [{id, vi, en, alt, kind, group, parent, depth, sources, key}]
const byId = new Map(nodes.map((n, i) => [n.id, i]));
const children = nodes.map(() => []);
nodes.forEach((n, i) => {
  if (n.parent !== null) children[n.parent].push(i);
});
const incident = nodes.map(() => []);
data.edges.forEach((e, i) => {
  incident[e.s].push(i);
  if (e.t !== e.s) incident[e.t].push(i);
});
const $ = (id) => document.getElementById(id);
const t = () => TEXT[state.lang];
const label = (item) => item[state.lang] || item[state.lang === "vi" ? "en" : "vi"] || item.id;

function ancestors(i) {
  const out = [];
  for (let p = nodes[i].parent; p !== null; p = nodes[p].parent) out.push(p);
  return out;
}

// Which nodes are on screen: all of them for a small network; for a large one the roots of the
// hierarchy (provinces, ministries) with everything below folded until opened, or the focus.
function visibleNodes() {
  const out = [];
  const stack = nodes.map((n, i) => i).filter((i) => nodes[i].parent === null).reverse();
  while (stack.length) {
    const i = stack.pop();
    if (!state.hiddenKinds.has(nodes[i].kind)) out.push(i);
    if (state.open.has(i)) {
      for (let k = children[i].length - 1; k >= 0; k--) stack.push(children[i][k]);
    }
  }
  return out;
}

// The org chart: each visible tree laid out by depth, leaves side by side, a parent above the
// middle of its children; trees packed in rows so that a forest of many roots stays readable.
function treeLayout(visible) {
  const shown = new Set(visible);
  const kids = (i) => (state.open.has(i) ? children[i].filter((c) => shown.has(c)) : []);
  const pos = new Map();
  const roots = visible.filter((i) => nodes[i].parent === null || !shown.has(nodes[i].parent));
  const widths = new Map();
  const width = (i) => {
    if (!widths.has(i)) {
      const ks = kids(i);
      widths.set(i, ks.length ? ks.reduce((s, c) => s + width(c), 0) : 1);
    }
    return widths.get(i);
  };
  // Iterative post-order so that deep hierarchies do not overflow the stack.
  for (const r of roots) {
    const order = [];
    const st = [r];
    while (st.length) {
      const i = st.pop();
      order.push(i);
      for (const c of kids(i)) st.push(c);
    }
    for (let k = order.length - 1; k >= 0; k--) width(order[k]);
  }
  const total = roots.reduce((s, r) => s + width(r), 0);
  const rowWidth = Math.max(Math.ceil(Math.sqrt(total) * 3), ...roots.map((r) => width(r)));
  let x0 = 0;
  let y0 = 0;
  let rowDepth = 0;
  for (const r of roots) {
    if (x0 > 0 && x0 + width(r) > rowWidth) {
      x0 = 0;
      y0 += rowDepth + 2;
      rowDepth = 0;
    }
    const st = [[r, x0, 0]];
    while (st.length) {
      const [i, left, d] = st.pop();
      rowDepth = Math.max(rowDepth, d);
      pos.set(i, { x: left + width(i) / 2, y: -(y0 + d) * 1.5 });
      let l = left;
      for (const c of kids(i)) {
        st.push([c, l, d + 1]);
        l += width(c);
      }
    }
    x0 += width(r);
  }
  return pos;
}

const graph = new Graph({ multi: true, type: "directed" });
let renderer = null;

function nodeSize(i) {
  const n = children[i].length;
  return 4 + Math.min(10, Math.sqrt(n) * 1.5) + (nodes[i].group === "agency" ? 2 : 0);
}

function rebuild() {
  const visible = visibleNodes();
  const pos = treeLayout(visible);
  graph.clear();
  for (const i of visible) {
    const n = nodes[i];
    graph.addNode(String(i), {
      x: pos.get(i).x,
      y: pos.get(i).y,
      size: nodeSize(i),
      color: data.kinds[n.kind].color,
      label: label(n),
    });
  }
  const shown = new Set(visible);
  data.edges.forEach((e, k) => {
    if (!shown.has(e.s) || !shown.has(e.t)) return;
    graph.addEdgeWithKey(String(k), String(e.s), String(e.t), {
      size: 1.5,
      color: "#9aa5b1",
      type: "arrow",
      relation: e.r,
    });
  });
  if (state.layout === "force" && graph.order > 1) {
    const iterations = graph.order > 5000 ? 30 : graph.order > 1000 ? 100 : 300;
    const settings = forceAtlas2.inferSettings(graph);
    settings.barnesHutOptimize = graph.order > 1000;
    forceAtlas2.assign(graph, { iterations, settings });
  }
  $("status").textContent =
    visible.length < nodes.length ? t().overview(visible.length, nodes.length) : t().all(nodes.length);
  if (renderer) renderer.refresh();
}

function reveal(i) {
  for (const a of ancestors(i)) state.open.add(a);
}

function relationLabel(r) {
  return label(data.relations[r]);
}

function select(i, { move = true } = {}) {
  state.selected = i;
  reveal(i);
  rebuild();
  showPanel(i);
  if (move && renderer && graph.hasNode(String(i))) {
    const p = renderer.getNodeDisplayData(String(i));
    if (p) renderer.getCamera().animate({ x: p.x, y: p.y, ratio: 0.5 }, { duration: 300 });
  }
}

function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
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
  dl.append(el("dt", {}, t().iri), el("dd", { id: "panel-iri" }, n.id));
  panel.append(dl);
  if (children[i].length) {
    const b = el("button", { type: "button", id: "panel-toggle" });
    b.textContent = state.open.has(i) ? t().collapse : `${t().expand} (+${children[i].length})`;
    b.onclick = () => {
      if (state.open.has(i)) state.open.delete(i);
      else state.open.add(i);
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
    const a = el("a", { href: "#" }, label(nodes[other]));
    a.onclick = (ev) => {
      ev.preventDefault();
      select(other);
    };
    if (e.s === i) li.append(`${relationLabel(e.r)} → `, a);
    else li.append(a, ` → ${relationLabel(e.r)} → ${label(n)}`);
    ul.append(li);
  }
  panel.append(ul);
  panel.append(el("h3", {}, t().sources));
  const src = el("ul", { id: "panel-sources" });
  const sources = new Set(n.sources);
  for (const k of incident[i]) for (const s of data.edges[k].sources) sources.add(s);
  if (!sources.size) src.append(el("li", {}, t().noSource));
  for (const s of [...sources].sort((a, b) => a - b)) src.append(el("li", {}, data.sources[s]));
  panel.append(src);
}

function search(text) {
  const q = fold(text);
  if (!q) return [];
  const hits = [];
  nodes.forEach((n, i) => {
    const at = n.key.indexOf(q);
    if (at < 0) return;
    const exact = n.key.split("\n").includes(q) ? 0 : 1;
    hits.push([exact, at === 0 || n.key.includes("\n" + q) ? 0 : 1, n.vi.length, i]);
  });
  hits.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3]);
  return hits.slice(0, 20).map((h) => h[3]);
}

function showResults() {
  const list = $("results");
  list.replaceChildren();
  for (const i of search($("search").value)) {
    const li = el("li", { role: "option", "data-iri": nodes[i].id }, label(nodes[i]));
    li.append(el("small", {}, " · " + label(data.kinds[nodes[i].kind])));
    li.onclick = () => {
      list.replaceChildren();
      select(i);
    };
    list.append(li);
  }
}

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

function buildControls() {
  document.documentElement.lang = state.lang;
  $("search").placeholder = t().search;
  $("h-relations").textContent = t().relations;
  $("h-kinds").textContent = t().kinds;
  $("h-layout").textContent = t().layout;
  $("layout-hierarchy").textContent = t().hierarchy;
  $("layout-force").textContent = t().force;
  $("h-lang").textContent = t().language;
  const rel = $("relations");
  rel.replaceChildren();
  data.relations.forEach((r, k) =>
    checkbox(rel, r.id, label(r), null, (on) => {
      if (on) state.hiddenRelations.delete(k);
      else state.hiddenRelations.add(k);
      renderer.refresh();
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
  $("layout-hierarchy").classList.toggle("active", state.layout === "hierarchy");
  $("layout-force").classList.toggle("active", state.layout === "force");
  $("lang").value = state.lang;
}

function setLanguage(lang) {
  state.lang = lang;
  buildControls();
  graph.forEachNode((key) => graph.setNodeAttribute(key, "label", label(nodes[Number(key)])));
  if (state.selected !== null) showPanel(state.selected);
  rebuild();
  showResults();
}

function start() {
  buildControls();
  if (!nodes.length) {
    $("empty").hidden = false;
    $("empty").textContent = t().empty;
    window.kgReady = true;
    return;
  }
  const big = nodes.length > data.overview_limit;
  if (!big) nodes.forEach((n, i) => state.open.add(i));
  if (data.focus !== null) {
    state.open.add(data.focus);
    reveal(data.focus);
  }
  rebuild();
  renderer = new Sigma(graph, $("graph"), {
    renderEdgeLabels: false,
    defaultEdgeType: "arrow",
    labelRenderedSizeThreshold: big ? 8 : 4,
    zIndex: true,
    nodeReducer: (key, attrs) => {
      const i = Number(key);
      const out = { ...attrs };
      if (!state.open.has(i) && children[i].length) out.label = `${attrs.label} (+${children[i].length})`;
      if (state.selected === i || data.focus === i) {
        out.highlighted = true;
        out.zIndex = 1;
      }
      return out;
    },
    edgeReducer: (key, attrs) => {
      if (state.hiddenRelations.has(attrs.relation)) return { ...attrs, hidden: true };
      if (state.selected !== null) {
        const e = data.edges[Number(key)];
        if (e.s === state.selected || e.t === state.selected) return { ...attrs, color: "#d64545", size: 2.5 };
      }
      return attrs;
    },
  });
  renderer.on("clickNode", ({ node }) => {
    const i = Number(node);
    if (children[i].length && !state.open.has(i)) state.open.add(i);
    select(i, { move: false });
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
  $("layout-hierarchy").onclick = () => {
    state.layout = "hierarchy";
    buildControls();
    rebuild();
  };
  $("layout-force").onclick = () => {
    state.layout = "force";
    buildControls();
    rebuild();
  };
  if (data.focus !== null) showPanel(data.focus);
  renderer.once("afterRender", () => {
    window.kgReady = true;
  });
  renderer.refresh();
  window.kg = { renderer, graph, search, select, setLanguage, nodes, byId };
}

start();
