/** Reading the viewer's JSON API (`docs/viewer.md`, types in `src/shared/types.ts`). */
import type {
  CallsResponse,
  ConfigResponse,
  ErrorResponse,
  SessionResponse,
  SessionsResponse,
} from "../../../src/shared/types.js";

export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

export async function getJSON<T>(url: string, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: "application/json" }, signal: signal ?? null });
  } catch (error) {
    if ((error as { name?: string }).name === "AbortError") throw error;
    throw new ApiError(
      `Cannot reach the viewer's server (${String(error)}). Is \`runtrace viz\` still running?`,
      0,
      "network",
    );
  }
  if (!response.ok) {
    let code = `http_${response.status}`;
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = (await response.json()) as ErrorResponse;
      if (body?.error) {
        code = String(body.error.code);
        message = String(body.error.message);
      }
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(message, response.status, code);
  }
  return (await response.json()) as T;
}

const sessionPath = (id: string) => `/api/sessions/${encodeURIComponent(id)}`;

export const api = {
  sessions: (signal?: AbortSignal) => getJSON<SessionsResponse>("/api/sessions", signal),
  session: (id: string, signal?: AbortSignal) => getJSON<SessionResponse>(sessionPath(id), signal),
  calls: (id: string, offset: number, limit: number, signal?: AbortSignal) =>
    getJSON<CallsResponse>(`${sessionPath(id)}/calls?offset=${offset}&limit=${limit}`, signal),
  config: () => getJSON<ConfigResponse>("/api/config"),
  streamUrl: (id: string) => `${sessionPath(id)}/stream`,
};
