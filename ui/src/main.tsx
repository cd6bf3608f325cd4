import { render } from "preact";
import "./theme.css";
import "./pages/trace.css";
import { App } from "./app";
import { interceptLinks } from "./router";
import { applyTheme } from "./prefs";

applyTheme();
interceptLinks();
render(<App />, document.getElementById("app")!);
