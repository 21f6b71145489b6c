/**
 * Reads a server-sent-events body and yields the `data` of each event (multi-line data joined with
 * "\n"). `onChunk` runs for every piece received, so a caller can restart an idle timer. Stopping
 * the iteration early cancels the body, which closes the connection.
 */
export async function* sseData(
  body: ReadableStream<Uint8Array>,
  onChunk: () => void,
): AsyncGenerator<string, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let data: string[] = [];
  let finished = false;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        buffer += decoder.decode();
      } else {
        onChunk();
        buffer += decoder.decode(value, { stream: true });
      }
      let newline = buffer.search(/\r\n|\r|\n/);
      while (newline !== -1) {
        // A "\r" at the very end may be the first half of "\r\n": wait for the next piece.
        if (!done && newline === buffer.length - 1 && buffer.endsWith("\r")) break;
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
        if (line === "") {
          if (data.length > 0) yield data.join("\n");
          data = [];
        } else if (line.startsWith("data:")) {
          data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
        }
        // Comments (":"), `event:`, `id:` and `retry:` lines carry nothing a chat stream needs.
        newline = buffer.search(/\r\n|\r|\n/);
      }
      if (done) {
        if (buffer.startsWith("data:")) data.push(buffer.slice(buffer.startsWith("data: ") ? 6 : 5));
        if (data.length > 0) yield data.join("\n");
        return;
      }
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
