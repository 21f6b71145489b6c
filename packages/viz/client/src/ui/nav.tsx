/** Client-side navigation: the current mode, `go(route)`, and links that use it. */
import type { ComponentChildren } from "preact";
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { href, type Mode, type Route } from "../router.js";

export interface Nav {
  mode: Mode;
  /** Shows `route`; `replace` rewrites the current history entry (selecting a call) instead of adding one. */
  go(route: Route, replace?: boolean): void;
}

export const NavContext = createContext<Nav>({ mode: "served", go: () => {} });

export function useNav(): Nav {
  return useContext(NavContext);
}

interface LinkProps {
  route: Route;
  replace?: boolean;
  class?: string;
  title?: string;
  children: ComponentChildren;
}

/** An in-app link: a real `href` (open in a new tab works), a click handled without a reload. */
export function Link({ route, replace, class: className, title, children }: LinkProps) {
  const nav = useNav();
  return (
    <a
      href={href(nav.mode, route)}
      class={className}
      title={title}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        nav.go(route, replace);
      }}
    >
      {children}
    </a>
  );
}
