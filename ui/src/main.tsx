import { render } from "preact";
import "./theme.css";
import "./pages/trace.css";
import { App } from "./app";
import { interceptLinks } from "./router";
import { applyTheme } from "./prefs";
import { prefetch } from "./api";

// The trace page's one big request starts now, not after the first render.
const trace = /^\/trace\/([0-9a-fA-F]+)\/?$/.exec(location.pathname);
if (trace) prefetch(`/api/v1/traces/${trace[1].toLowerCase()}/skeleton`);

applyTheme();
interceptLinks();
render(<App />, document.getElementById("app")!);
