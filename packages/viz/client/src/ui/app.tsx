/** The app shell: top bar, routing between the sessions list and a session page. */
import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import type { ConfigResponse } from "../../../src/shared/types.js";
import type { Source } from "../data/source.js";
import { href, parseHash, parsePath, type Route } from "../router.js";
import { Help } from "./help.js";
import { Logo } from "./icons.js";
import { type Nav, NavContext } from "./nav.js";
import { SessionPage } from "./session-page.js";
import { SessionsPage } from "./sessions-page.js";

function currentRoute(source: Source): Route {
  if (source.mode === "inline") return parseHash(location.hash, source.inlineSessionId ?? "");
  return parsePath(location.pathname);
}

export function App({ source }: { source: Source }) {
  const [route, setRoute] = useState<Route>(() => currentRoute(source));
  const [config, setConfig] = useState<ConfigResponse>({ version: "", jaegerUrl: null });
  const [title, setTitle] = useState<string | undefined>(undefined);

  useEffect(() => {
    const update = () => setRoute(currentRoute(source));
    window.addEventListener("popstate", update);
    window.addEventListener("hashchange", update);
    source.config().then(setConfig, () => {});
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener("hashchange", update);
    };
  }, [source]);

  const go = useCallback(
    (next: Route, replace = false) => {
      const url = href(source.mode, next);
      try {
        if (replace) history.replaceState(null, "", url);
        else history.pushState(null, "", url);
      } catch {
        // some file:// contexts refuse history changes: the view still follows
      }
      setRoute(next);
    },
    [source],
  );
  const nav = useMemo<Nav>(() => ({ mode: source.mode, go }), [source, go]);

  useEffect(() => {
    document.title = title ? `${title} · runtrace` : "runtrace";
  }, [title]);

  let page: preact.JSX.Element;
  if (route.page === "session") {
    page = (
      <SessionPage
        key={route.sessionId}
        source={source}
        sessionId={route.sessionId}
        callId={route.callId}
        config={config}
        onTitle={setTitle}
      />
    );
  } else if (route.page === "sessions") {
    page = <SessionsPage source={source} onTitle={setTitle} />;
  } else {
    page = (
      <div class="empty-state">
        <h2>Nothing here</h2>
        <p>
          This address is not a page of the viewer: <code>{route.path}</code>
        </p>
        <p>
          <a
            href="/"
            onClick={(event) => {
              event.preventDefault();
              go({ page: "sessions" });
            }}
          >
            Go to the sessions
          </a>
        </p>
      </div>
    );
  }

  return (
    <NavContext.Provider value={nav}>
      <div class="app">
        <header class="topbar">
          {source.mode === "served" ? (
            <a
              class="brand"
              href="/"
              onClick={(event) => {
                event.preventDefault();
                go({ page: "sessions" });
              }}
            >
              <Logo />
              <span>runtrace</span>
            </a>
          ) : (
            <span class="brand">
              <Logo />
              <span>runtrace</span>
            </span>
          )}
          {route.page === "session" && source.mode === "served" && (
            <nav class="crumbs" aria-label="Breadcrumb">
              <a
                href="/"
                onClick={(event) => {
                  event.preventDefault();
                  go({ page: "sessions" });
                }}
              >
                Sessions
              </a>
              <span class="sep">/</span>
              <span class="crumb-current">{title ?? route.sessionId}</span>
            </nav>
          )}
          {source.mode === "inline" && <span class="badge-export">exported file</span>}
          <span class="spacer" />
          <Help />
          {config.version && <span class="version">v{config.version}</span>}
        </header>
        <main class="main">{page}</main>
      </div>
    </NavContext.Provider>
  );
}
