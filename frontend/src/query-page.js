// The query page of `kg serve`: YASGUI pointed at the server's own SPARQL endpoint, and the
// catalog's buttons that load a query into the editor. Bundled by esbuild into
// kg/serve/static/query.bundle.js, which kg/serve/query_page.py inlines into the page.
//
// Nothing here may ask another host for anything: YASGUI's defaults would fetch prefixes
// from prefix.cc, suggest properties and classes from Linked Open Vocabularies, offer
// DBpedia and Wikidata in its endpoint list and share links through a URL shortener. Each of
// those is switched off below, before the editor is made, and the page's Content Security
// Policy (connect-src 'self') refuses any request that would slip through.
import Yasgui from "@zazuko/yasgui";
import "@zazuko/yasgui/build/yasgui.min.css";
import "./query-page.css";

const data = JSON.parse(document.getElementById("kg-data").textContent);
const endpoint = new URL(data.endpoint, window.location.href).href;

// Autocompletion of variables and of the project's own prefixes only: YASGUI's "prefixes"
// completer would read prefix.cc (or its bundled copy of it), "property" and "class" would
// query lov.linkeddata.es. lodash's merge joins arrays index by index, so the defaults
// themselves are replaced, and the unused completers are unregistered.
const ownPrefixes = Object.keys(data.prefixes)
  .sort()
  .map((p) => `${p}: <${data.prefixes[p]}>`);
Yasgui.Yasqe.forkAutocompleter(
  "prefixes",
  { name: "kgPrefixes", persistenceId: null, get: () => Promise.resolve(ownPrefixes) },
  false,
);
const completers = ["variables", "kgPrefixes"];
for (const name of Object.keys(Yasgui.Yasqe.Autocompleters)) {
  if (!completers.includes(name)) delete Yasgui.Yasqe.Autocompleters[name];
}
Yasgui.Yasqe.defaults.autocompleters = completers.slice();
Yasgui.defaults.yasqe.autocompleters = completers.slice();

const yasgui = new Yasgui(document.getElementById("yasgui"), {
  requestConfig: { endpoint, method: "POST" },
  copyEndpointOnNewTab: true,
  // no state in localStorage; a shared link (#query=...) opens its query, but never on
  // another endpoint than ours, whatever the link says
  persistenceId: null,
  populateFromUrl: (tab) => {
    tab.requestConfig = { ...tab.requestConfig, endpoint, headers: {} };
    return tab;
  },
  corsProxy: undefined,
  tabName: data.tabName,
  endpointCatalogueOptions: { getData: () => [{ endpoint }], keys: [] },
  yasqe: {
    value: data.first,
    prefixCcApi: null,
    createShortLink: undefined,
    persistenceId: null,
    editorHeight: "320px",
  },
  yasr: { persistenceId: null, prefixes: data.prefixes },
});

function load(text) {
  const tab = yasgui.getTab();
  tab.setEndpoint(endpoint);
  tab.setQuery(text);
  document.getElementById("yasgui").scrollIntoView({ behavior: "instant", block: "start" });
  tab.getYasqe().focus();
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-load]");
  if (!button) return;
  const text = data.queries[button.dataset.load];
  if (text !== undefined) load(text);
});

window.kg = { yasgui, endpoint, load };
window.kgReady = true;
