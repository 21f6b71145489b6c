import type { IncomingMessage } from "node:http";
import { hostname, networkInterfaces } from "node:os";

const WILDCARDS = new Set(["0.0.0.0", "::", "[::]"]);

function bracket(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/**
 * The `Host` header values the server answers: loopback names and the host it listens on, with its
 * port. A page on another origin that rebinds its DNS name to 127.0.0.1 still sends its own name, so
 * it gets 403 (DNS rebinding). Listening on a wildcard address also admits this machine's addresses
 * and host name.
 */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set(["127.0.0.1", "localhost", "[::1]", bracket(host.toLowerCase())]);
  if (WILDCARDS.has(host)) {
    names.add(hostname().toLowerCase());
    for (const list of Object.values(networkInterfaces())) {
      for (const address of list ?? []) names.add(bracket(address.address.toLowerCase()));
    }
  }
  const allowed = new Set<string>();
  for (const name of names) {
    allowed.add(`${name}:${port}`);
    if (port === 80) allowed.add(name);
  }
  return allowed;
}

/**
 * Why a request is refused for its `Host` header (not one of `allowed`), or `undefined` when it is
 * fine. `server` names what answers ("this viewer") and `fix` how to reach it properly.
 */
export function foreignHostRefusal(
  req: IncomingMessage,
  allowed: ReadonlySet<string>,
  server: string,
  fix: string,
): string | undefined {
  const host = (req.headers.host ?? "").toLowerCase();
  if (allowed.has(host)) return undefined;
  return `Requests for host ${JSON.stringify(req.headers.host ?? "")} are refused: ${server} answers only ${[...allowed].slice(0, 4).join(", ")}. ${fix} (a foreign Host is how DNS-rebinding pages reach local servers).`;
}
