// The REST client: Tencent's `/v4/<service>/<command>` with the admin's UserSig, and Natter's
// `/_natter/` control plane, which takes the same query parameters. Paths are relative to the
// console's own URL, so the console works behind a proxy that mounts Natter under a path.

const ROOT = new URL('../', location.href);

/** A reply whose ActionStatus is FAIL (or an HTTP failure): `code` is Tencent's ErrorCode. */
export class ApiError extends Error {
  constructor(code, info, reply) {
    super(`${code}: ${info}`);
    this.code = code;
    this.info = info;
    this.reply = reply;
  }
}

/** Tencent's code for an expired UserSig: the console then asks to sign in again. */
const USERSIG_EXPIRED = 70001;

async function readReply(response) {
  let reply;
  try {
    reply = await response.json();
  } catch {
    throw new ApiError(response.status, `HTTP ${response.status} without a JSON body`, null);
  }
  if (reply.ActionStatus === 'FAIL' || !response.ok) {
    if (reply.ErrorCode === USERSIG_EXPIRED) window.dispatchEvent(new CustomEvent('natter:expired'));
    throw new ApiError(reply.ErrorCode ?? response.status, reply.ErrorInfo ?? '', reply);
  }
  return reply;
}

export class Api {
  /** `session`: {sdkappid, identifier, usersig}. */
  constructor(session) {
    this.session = session;
  }

  query(extra = {}) {
    const params = new URLSearchParams({
      sdkappid: this.session.sdkappid,
      identifier: this.session.identifier,
      usersig: this.session.usersig,
      random: String(Math.floor(Math.random() * 2 ** 31)),
      contenttype: 'json',
      ...extra,
    });
    return params.toString();
  }

  /** Calls `/v4/<service>/<command>`; resolves to the reply, rejects with an ApiError. */
  async rest(service, command, body = {}) {
    const url = new URL(`v4/${service}/${command}?${this.query()}`, ROOT);
    const response = await fetch(url, { method: 'POST', body: JSON.stringify(body) });
    return readReply(response);
  }

  /** Calls a `/_natter/` endpoint as the admin. */
  async control(method, path, body, extra = {}) {
    const url = new URL(`_natter/${path}?${this.query(extra)}`, ROOT);
    const init = { method };
    if (body !== undefined) init.body = JSON.stringify(body);
    return readReply(await fetch(url, init));
  }

  /** A UserSig for `identifier`, from the local emulator (see docs/console.md). */
  mintSig(identifier, expire = 86400) {
    return mintSig(this.session.sdkappid, identifier, expire);
  }
}

/** `/_natter/health`: open, says whether this server is a local emulator. */
export async function health() {
  const response = await fetch(new URL('_natter/health', ROOT));
  return response.json();
}

/** Asks a local emulator to mint a UserSig; refused (HTTP 403) anywhere else. */
export async function mintSig(sdkappid, identifier, expire = 86400) {
  const url = new URL(`_natter/usersig?sdkappid=${encodeURIComponent(sdkappid)}`, ROOT);
  const response = await fetch(url, { method: 'POST', body: JSON.stringify({ identifier, expire }) });
  return (await readReply(response)).UserSig;
}
