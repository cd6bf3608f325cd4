// The shell: top bar (pages, trace id lookup, time zone and theme) and the
// page for the current route.
import { useState } from "preact/hooks";
import { navigate, useLocation } from "./router";
import { setPrefs, usePrefs } from "./prefs";
import { TracePage } from "./pages/trace_page";
import { SearchPage } from "./pages/search_page";
import { ServicesPage } from "./pages/services_page";
import { LogsPage } from "./pages/logs_page";
import { ComparePage } from "./pages/compare_page";
import { KeyDialog } from "./pages/key_dialog";

function TopBar({ path }: { path: string }) {
  const prefs = usePrefs();
  const [lookup, setLookup] = useState("");
  const link = (href: string, label: string) => (
    <a href={href} class={path.startsWith(href) ? "active" : ""}>
      {label}
    </a>
  );
  return (
    <header class="top">
      <a class="brand" href="/search">
        callpath
      </a>
      <nav aria-label="pages">
        {link("/search", "Search")}
        {link("/services", "Services")}
        {link("/logs", "Logs")}
      </nav>
      <span class="spacer" />
      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          const ids = lookup.split(/[\s,]+/).filter(Boolean);
          if (ids.length === 1) navigate(`/trace/${ids[0].toLowerCase()}`);
          else if (ids.length > 1) navigate(`/search?ids=${ids.join(",")}`);
        }}
      >
        <input aria-label="trace ids" placeholder="trace id(s)" value={lookup} size={28}
          onInput={(e) => setLookup((e.target as HTMLInputElement).value)} />
        <button type="submit">Open</button>
      </form>
      <button title="switch times between UTC and local" onClick={() => setPrefs({ utc: !prefs.utc })}>
        {prefs.utc ? "UTC" : "Local"}
      </button>
      <button title="switch theme" onClick={() => setPrefs({ theme: prefs.theme === "dark" ? "light" : "dark" })}>
        {prefs.theme === "dark" ? "Light" : "Dark"}
      </button>
    </header>
  );
}

export function App() {
  const { path, search } = useLocation();
  let page;
  const compare = /^\/trace\/([0-9a-fA-F]+)\.\.\.([0-9a-fA-F]+)\/?$/.exec(path);
  const trace = /^\/trace\/([0-9a-fA-F]+)\/?$/.exec(path);
  if (compare) page = <ComparePage a={compare[1].toLowerCase()} b={compare[2].toLowerCase()} />;
  else if (trace) page = <TracePage id={trace[1].toLowerCase()} search={search} />;
  else if (path.startsWith("/services")) page = <ServicesPage search={search} />;
  else if (path.startsWith("/logs")) page = <LogsPage search={search} />;
  else page = <SearchPage search={search} />;
  return (
    <>
      <TopBar path={path} />
      <main>{page}</main>
      <KeyDialog />
    </>
  );
}
