// Natter's own client protocol (docs/client-protocol.md): one WebSocket per user at `/ws`,
// JSON frames; requests carry `ReqId` and `Op`, replies come back with the same `ReqId`, and
// events (`Event`) arrive in between. Every chat pane of the console is one of these.

import { ApiError } from './api.js';

export class WsClient extends EventTarget {
  constructor(socket, identifier) {
    super();
    this.socket = socket;
    this.identifier = identifier;
    this.nextId = 1;
    this.waiting = new Map();
    this.closed = false;
    socket.addEventListener('message', (e) => this.receive(e.data));
    socket.addEventListener('close', (e) => {
      this.closed = true;
      for (const { reject } of this.waiting.values()) reject(new ApiError(-1, 'connection closed', null));
      this.waiting.clear();
      this.dispatchEvent(new CustomEvent('close', { detail: { code: e.code, reason: e.reason } }));
    });
  }

  /** Opens `/ws` and logs in; resolves once the login is answered OK. */
  static async connect({ sdkappid, identifier, usersig, platform = 'Web' }) {
    const url = new URL('../ws', location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => {
      socket.addEventListener('open', resolve, { once: true });
      socket.addEventListener('error', () => reject(new ApiError(-1, 'cannot open /ws', null)), { once: true });
    });
    const client = new WsClient(socket, identifier);
    try {
      await client.request('login', { SdkAppId: Number(sdkappid), Identifier: identifier, UserSig: usersig, Platform: platform });
    } catch (error) {
      socket.close();
      throw error;
    }
    return client;
  }

  receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (frame.Event) {
      this.dispatchEvent(new CustomEvent('event', { detail: frame }));
      return;
    }
    const pending = this.waiting.get(frame.ReqId);
    if (!pending) return;
    this.waiting.delete(frame.ReqId);
    if (frame.ActionStatus === 'OK') pending.resolve(frame);
    else pending.reject(new ApiError(frame.ErrorCode, frame.ErrorInfo, frame));
  }

  /** Sends one request; resolves to its reply, rejects with an ApiError. */
  request(op, fields = {}) {
    if (this.closed) return Promise.reject(new ApiError(-1, 'connection closed', null));
    const ReqId = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(ReqId, { resolve, reject });
      this.socket.send(JSON.stringify({ ReqId, Op: op, ...fields }));
    });
  }

  async logout() {
    try {
      await this.request('logout');
    } catch {
      // The server closes the socket after answering; either way the user is gone.
    }
    this.socket.close();
  }
}
