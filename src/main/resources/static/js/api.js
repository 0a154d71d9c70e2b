// The REST API as the console uses it: the key from sessionStorage as a Bearer token,
// problem+json errors turned into ApiError, binary answers as blob URLs, SSE read with fetch.

const KEY = 'dti.apiKey';

export const apiKey = () => sessionStorage.getItem(KEY);
export const saveKey = (key) => sessionStorage.setItem(KEY, key);
export const forgetKey = () => sessionStorage.removeItem(KEY);

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export async function request(path, { method = 'GET', body, headers = {}, key = apiKey() } = {}) {
  const sent = { ...headers };
  if (key) sent.Authorization = `Bearer ${key}`;
  if (body !== undefined && !(body instanceof FormData)) {
    sent['Content-Type'] = 'application/json';
    body = JSON.stringify(body);
  }
  const response = await fetch(path, { method, body, headers: sent });
  if (!response.ok) {
    let problem;
    try {
      problem = await response.json();
    } catch {
      problem = { detail: `${response.status} ${response.statusText}` };
    }
    throw new ApiError(response.status, problem);
  }
  return response;
}

export async function json(path, options) {
  const response = await request(path, options);
  return response.status === 204 ? null : response.json();
}

export async function blobUrl(path) {
  const response = await request(path);
  return URL.createObjectURL(await response.blob());
}

/** Downloads an authenticated resource through a blob URL and an <a download>. */
export async function download(path, fallbackName) {
  const response = await request(path);
  const disposition = response.headers.get('Content-Disposition') || '';
  const match = /filename="?([^";]+)"?/.exec(disposition);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = match ? match[1] : fallbackName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/**
 * Reads a text/event-stream answer with fetch and a stream reader (EventSource cannot send
 * Authorization) and calls onEvent({event, id, data}) for each event. Resolves when the server
 * closes the stream; rejects when the request or the stream fails.
 */
export async function readEvents(path, onEvent, signal) {
  const response = await request(path, { headers: { Accept: 'text/event-stream' } });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    if (signal && signal.aborted) {
      await reader.cancel();
      return;
    }
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = { event: 'message', id: null, data: '' };
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event.event = text;
        else if (field === 'id') event.id = text;
        else if (field === 'data') data.push(text);
      }
      if (data.length) {
        event.data = data.join('\n');
        onEvent(event);
      }
    }
  }
}

/** The embedding's norm m, from the safetensors header's __metadata__ ("dti.norm_m"). */
export async function embeddingNormM(path) {
  const response = await request(path);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const length = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  const value = header.__metadata__ && header.__metadata__['dti.norm_m'];
  return value === undefined ? null : Number(value);
}
