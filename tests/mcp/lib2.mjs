// Helpers for the tests with the official v2 client
// (@modelcontextprotocol/client, pinned in package-lock.json): connect in
// one of three version-negotiation modes (legacy: initialize; auto: probe
// with server/discover, then modern; modern: pinned to 2026-07-28),
// straight over the Unix socket or through `racktop mcp` (the SDK's own
// StdioClientTransport), and validate every tool result against the
// tool's outputSchema with the SDK's AJV validator.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { Client, ReadBuffer, serializeMessage } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/client/validators/ajv';

import { RACKTOP, childEnv, scaled } from './lib.mjs';

export const MODERN = '2026-07-28';
export const MODES = {
  legacy: 'legacy',
  auto: 'auto',
  modern: { pin: MODERN },
};

const trace = process.env.RT_MCP_TRACE === '1';

// Newline-delimited JSON-RPC over a Unix socket (the stdio framing), with
// the v2 SDK's own ReadBuffer and serializer. A custom transport: the SDK
// probes on the connection itself in auto mode.
class SocketTransport {
  constructor(sock, label) {
    this._path = sock;
    this._label = label;
    this._rb = new ReadBuffer();
    this.lines = [];
  }

  _note(dir, msg) {
    const line = `${this._label} ${dir} ${JSON.stringify(msg)}`;
    this.lines.push(line.length > 2000 ? `${line.slice(0, 2000)}...` : line);
    if (this.lines.length > 200) this.lines.shift();
    if (trace) process.stderr.write(`${line}\n`);
  }

  start() {
    return new Promise((resolve, reject) => {
      let connected = false;
      const s = net.createConnection({ path: this._path });
      this._s = s;
      s.once('connect', () => {
        connected = true;
        resolve();
      });
      s.on('error', (err) => {
        if (!connected) reject(err);
        else this.onerror?.(err);
      });
      s.on('data', (chunk) => {
        this._rb.append(chunk);
        for (;;) {
          let msg;
          try {
            msg = this._rb.readMessage();
          } catch (err) {
            this.onerror?.(err);
            continue;
          }
          if (msg === null) break;
          this._note('<-', msg);
          this.onmessage?.(msg);
        }
      });
      s.on('close', () => this.onclose?.());
    });
  }

  send(msg) {
    this._note('->', msg);
    return new Promise((resolve, reject) => {
      if (!this._s || this._s.destroyed) {
        reject(new Error('Not connected'));
        return;
      }
      if (this._s.write(serializeMessage(msg))) resolve();
      else this._s.once('drain', resolve);
    });
  }

  async close() {
    const s = this._s;
    if (!s || s.destroyed) return;
    await new Promise((resolve) => {
      s.once('close', resolve);
      s.end();
      setTimeout(() => s.destroy(), 1000).unref();
    });
  }

  transcript(n = 20) {
    return this.lines.slice(-n).join('\n');
  }
}

// The v2 SDK runs notification handlers a microtask later but handles
// responses at once, so a notification read in the same chunk as the
// response after it (the last notifications/progress, which racktop always
// sends before the result, as the spec requires) finds its request gone.
// Deliver each message on its own turn, in order, so that the SDK sees
// what racktop sent in the order it was sent.
function serialise(transport) {
  const deliver = transport.onmessage;
  let chain = Promise.resolve();
  transport.onmessage = (msg, extra) => {
    chain = chain.then(() => new Promise((r) => setImmediate(r))).then(() => deliver(msg, extra));
  };
}

// A connected v2 client. how: 'socket' or 'bridge' (racktop mcp, which
// relays to the socket, or serves in lazy mode when nothing listens).
// opts.capabilities: the client's (default none); opts.setup(client):
// registers handlers before connecting; opts.inputRequired: the SDK's.
export async function connect2(how, mode, sock, name = 'racktop-v2-test', opts = {}) {
  let transport;
  let stderr = null;
  if (how === 'socket') transport = new SocketTransport(sock, name);
  else {
    const dir = path.dirname(sock);
    const conf = path.join(dir, 'racktop.conf');
    const args = ['mcp', '--socket', sock];
    if (fs.existsSync(conf)) args.push('--config', conf);
    transport = new StdioClientTransport({
      command: RACKTOP,
      args,
      env: childEnv(dir),
      stderr: 'pipe',
    });
    stderr = { text: '' };
    transport.stderr.on('data', (d) => {
      stderr.text += d;
    });
  }
  const client = new Client({ name, version: '2.0.0' }, {
    capabilities: opts.capabilities ?? {},
    versionNegotiation: { mode: MODES[mode] },
    ...(opts.inputRequired ? { inputRequired: opts.inputRequired } : {}),
    jsonSchemaValidator: new AjvJsonSchemaValidator(),
  });
  opts.setup?.(client);
  const errors = [];
  client.onerror = (err) => errors.push(err);
  await client.connect(transport, { timeout: scaled(20000) });
  serialise(transport);
  const close = async () => {
    await client.close();
    if (stderr !== null && /Sanitizer|runtime error:/.test(stderr.text)) {
      throw new Error(`racktop mcp (${name}) reported:\n${stderr.text}`);
    }
  };
  const transcript = () => (transport.transcript ? transport.transcript(8) : '');
  return { client, transport, errors, stderr, close, transcript };
}

// Every tool, page by page.
export async function allTools(client) {
  const tools = [];
  let cursor;
  let pages = 0;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout: scaled(10000) });
    tools.push(...page.tools);
    cursor = page.nextCursor;
    assert.ok(++pages < 1000, 'tools/list never ends');
  } while (cursor !== undefined);
  return tools;
}

// Validates CallToolResults against the tools' output schemas.
export class OutputCheck2 {
  constructor(tools) {
    const v = new AjvJsonSchemaValidator();
    this.validators = new Map();
    for (const t of tools) {
      assert.ok(t.outputSchema, `${t.name} has no outputSchema`);
      this.validators.set(t.name, v.getValidator(t.outputSchema));
    }
  }

  check(name, result, ctx = '') {
    assert.ok(Array.isArray(result.content), `${name}: content is not an array${ctx}`);
    if (result.isError) {
      assert.ok(result.content.some((c) => c.type === 'text' && c.text.length > 0), `${name}: error without text${ctx}`);
      return result;
    }
    const sc = result.structuredContent;
    assert.ok(sc !== null && typeof sc === 'object', `${name}: no structuredContent${ctx}`);
    const validate = this.validators.get(name);
    assert.ok(validate, `${name}: not in tools/list${ctx}`);
    const r = validate(sc);
    assert.ok(r.valid, `${name}: result does not match outputSchema: ${r.errorMessage}${ctx}`);
    const text = result.content.find((c) => c.type === 'text');
    assert.deepEqual(JSON.parse(text.text), sc, `${name}: text differs from structuredContent${ctx}`);
    return result;
  }
}

// Calls a tool and validates its result.
export async function call2(conn, check, name, args = {}, options = {}) {
  const result = await conn.client.callTool({ name, arguments: args }, { timeout: scaled(10000), ...options });
  check.check(name, result, `\n--- transcript:\n${conn.transcript()}`);
  return result;
}
