// The WebSocket connection to the API: signs in with a token when one is set
// (an auth message first, as browsers cannot set headers on a WebSocket),
// sends requests with a request_id, hands each reply to the request it
// answers, and reconnects with backoff when the connection is lost.

const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 8000;
// the close code of a server that refused the connection's credentials
const POLICY_VIOLATION = 1008;

export class ApiConnection extends EventTarget {
  constructor(url) {
    super();
    this.url = url;
    this.socket = null;
    this.counter = 0;
    this.handlers = new Map();
    this.backoff = MIN_BACKOFF_MS;
    this.reconnectTimer = null;
    this.stopped = false;
    this.token = '';
    this.signedIn = false;
  }

  get isOpen() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN && this.signedIn;
  }

  /** Sets the token sent on every (re)connection, and connects again with it. */
  useToken(token) {
    this.token = token;
    this.connect();
  }

  connect(url = this.url) {
    this.url = url;
    this.stopped = false;
    clearTimeout(this.reconnectTimer);
    if (this.socket) {
      this.socket.onclose = null;
      this.socket.close(1000, 'endpoint changed');
    }
    this.emit('state', { state: 'connecting' });
    let socket;
    try {
      socket = new WebSocket(url);
    } catch (e) {
      this.emit('state', { state: 'closed', reason: `Not a WebSocket address: ${url}` });
      return;
    }
    this.socket = socket;
    this.signedIn = false;
    socket.onopen = () => {
      this.backoff = MIN_BACKOFF_MS;
      if (!this.token) {
        this.opened();
        return;
      }
      this.emit('state', { state: 'signing-in' });
      const requestId = `p${++this.counter}`;
      this.handlers.set(requestId, (reply) => {
        this.handlers.delete(requestId);
        if (reply.type === 'authenticated') {
          this.opened();
        } else if (reply.type === 'error') {
          this.refused(reply.message);
        }
      });
      socket.send(JSON.stringify({ action: 'auth', token: this.token, request_id: requestId }));
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = (event) => {
      if (this.socket !== socket) {
        return;
      }
      this.socket = null;
      this.signedIn = false;
      // requests in flight on the lost connection will get no reply
      const pending = [...this.handlers.values()];
      this.handlers.clear();
      pending.forEach((handler) => handler({ type: 'disconnected', code: event.code }));
      if (this.stopped) {
        this.emit('state', { state: 'closed', reason: this.stopReason });
        return;
      }
      if (event.code === POLICY_VIOLATION) {
        // reconnecting with the same credentials would be refused again
        this.stopped = true;
        this.emit('state', { state: 'closed', reason: this.token
          ? 'The server refused the token.' : 'The server requires a token: enter one above.' });
        return;
      }
      const delay = this.backoff;
      this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
      this.emit('state', { state: 'reconnecting', delay, code: event.code });
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    };
  }

  opened() {
    this.signedIn = true;
    this.stopReason = undefined;
    this.emit('state', { state: 'open' });
    this.emit('open', {});
  }

  refused(message) {
    this.stopped = true;
    this.stopReason = `The server refused the token: ${message}`;
    this.socket.close(1000, 'signed out');
  }

  /** Sends a request; `onReply` gets every reply carrying its request_id. Returns the request_id. */
  request(action, fields, onReply) {
    const requestId = `p${++this.counter}`;
    if (!this.isOpen) {
      onReply({ type: 'disconnected' });
      return requestId;
    }
    this.handlers.set(requestId, onReply);
    this.socket.send(JSON.stringify({ action, ...fields, request_id: requestId }));
    return requestId;
  }

  /** Stops delivering replies of a request to its handler. */
  forget(requestId) {
    this.handlers.delete(requestId);
  }

  receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch (e) {
      return;
    }
    const handler = this.handlers.get(message.request_id);
    if (handler) {
      handler(message);
    }
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
