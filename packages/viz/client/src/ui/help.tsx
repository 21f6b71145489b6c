/** The keyboard shortcuts, behind a "?" button (and the `?` key). */
import { useEffect, useState } from "preact/hooks";

const SHORTCUTS: Array<[string, string]> = [
  ["↑ / ↓", "move through the calls"],
  ["← / →", "collapse / expand (← on a leaf goes to the parent)"],
  ["Enter", "select the call under the cursor (details, URL)"],
  ["Space", "collapse / expand the call under the cursor"],
  ["Home / End, PgUp / PgDn", "jump"],
  ["/", "search"],
  ["Enter / Shift+Enter", "next / previous match (in the search box)"],
  ["Esc", "clear the search, close this help"],
  ["e", "errors only"],
  ["c", "critical path"],
];

function typing(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  return (
    !!element && (element.tagName === "INPUT" || element.tagName === "TEXTAREA" || element.isContentEditable)
  );
}

export function Help() {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (typing(event.target)) return;
      if (event.key === "?") setOpen((value) => !value);
      else if (event.key === "Escape") setOpen(false);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  return (
    <div class="help">
      <button
        type="button"
        class="icon-button"
        aria-expanded={open}
        title="Keyboard shortcuts (?)"
        onClick={() => setOpen(!open)}
      >
        ?
      </button>
      {open && (
        <div class="help-pop" role="dialog" aria-label="Keyboard shortcuts">
          <h3>Keyboard</h3>
          <table>
            <tbody>
              {SHORTCUTS.map(([keys, what]) => (
                <tr key={keys}>
                  <td>
                    <kbd>{keys}</kbd>
                  </td>
                  <td>{what}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export { typing };
