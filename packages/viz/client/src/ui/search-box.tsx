/**
 * The session page's search field: typing searches (debounced by the page), Enter and Shift+Enter
 * go to the next and previous match, Esc clears and hands the keyboard back to the tree.
 */
import type { Ref } from "preact";
import { count } from "../format.js";
import { Chevron, SearchIcon } from "./icons.js";

interface Props {
  inputRef: Ref<HTMLInputElement>;
  query: string;
  /** The query the matches were computed for (lags `query` while the user types). */
  activeQuery: string;
  matchCount: number;
  matchIndex: number;
  onQuery(query: string): void;
  onStep(direction: 1 | -1): void;
  onEscape(): void;
}

export function SearchBox({
  inputRef,
  query,
  activeQuery,
  matchCount,
  matchIndex,
  onQuery,
  onStep,
  onEscape,
}: Props) {
  return (
    <label class="search-box">
      <SearchIcon />
      <input
        ref={inputRef}
        type="search"
        placeholder="Search names, ids, inputs, outputs"
        title="Search (/): Enter next, Shift+Enter previous, Esc clears"
        value={query}
        aria-label="Search calls"
        onInput={(event) => onQuery((event.target as HTMLInputElement).value)}
        onKeyDown={(event) => {
          if (event.key === "Enter") {
            event.preventDefault();
            if (query !== activeQuery) return; // the debounced search will go to the first match
            onStep(event.shiftKey ? -1 : 1);
          } else if (event.key === "Escape") {
            onQuery("");
            onEscape();
          }
        }}
      />
      <span class="match-count" aria-live="polite">
        {activeQuery.trim() === ""
          ? ""
          : matchCount === 0
            ? "no match"
            : `${matchIndex + 1} / ${count(matchCount)}`}
      </span>
      <button
        type="button"
        class="icon-button"
        title="Previous match (Shift+Enter)"
        aria-label="Previous match"
        disabled={matchCount === 0}
        onClick={() => onStep(-1)}
      >
        <Chevron up />
      </button>
      <button
        type="button"
        class="icon-button"
        title="Next match (Enter)"
        aria-label="Next match"
        disabled={matchCount === 0}
        onClick={() => onStep(1)}
      >
        <Chevron up={false} />
      </button>
    </label>
  );
}
