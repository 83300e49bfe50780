// Helpers for racktop's MCP tests, which drive the real binaries through
// the official TypeScript SDK: start racktop-testd or racktop on a private
// socket, connect a Client straight over the socket or through the
// `racktop mcp` stdio bridge, validate every result against the tool's
// outputSchema, and wait for conditions with deadlines (never sleeps).
//
// Environment: RACKTOP and RACKTOP_TESTD (absolute paths of the built
// binaries), RT_TIMEOUT_SCALE (multiplies every deadline), RT_MCP_TRACE=1
// (print every JSON-RPC line on stderr).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { deserializeMessage, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';

export const RACKTOP = process.env.RACKTOP;
export const RACKTOP_TESTD = process.env.RACKTOP_TESTD;

const scale = Math.max(1, Number.parseInt(process.env.RT_TIMEOUT_SCALE ?? '1', 10) || 1);
const trace = process.env.RT_MCP_TRACE === '1';

// ms multiplied by RT_TIMEOUT_SCALE.
export function scaled(ms) {
  return ms * scale;
}

// The environment for every child: sealed from the developer's setup.
export function childEnv(dir) {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    XDG_RUNTIME_DIR: dir,
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    LC_ALL: 'C.UTF-8',
  };
  for (const k of ['RT_TIMEOUT_SCALE', 'ASAN_OPTIONS', 'UBSAN_OPTIONS', 'TSAN_OPTIONS',
    'LSAN_OPTIONS', 'RACKTOP_TESTD_DEBUG']) {
    if (process.env[k] !== undefined) env[k] = process.env[k];
  }
  return env;
}

// A fresh private directory; removed by the returned cleanup.
export function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-mcp-'));
  fs.mkdirSync(path.join(dir, 'config'), { mode: 0o700 });
  return dir;
}

// Polls cond() (sync or async) until it returns a truthy value or the deadline
// passes; the poll interval is a bounded wait, not the synchronisation.
export async function waitFor(what, cond, ms = 5000) {
  const deadline = Date.now() + scaled(ms);
  let last;
  for (;;) {
    last = await cond();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${scaled(ms)} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

// Every child started here, so a crashed test still kills them.
const children = new Set();
process.on('exit', () => {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

// A started server process: its socket path, stderr so far, and stop().
class ServerProcess {
  constructor(name, child, sock, dir) {
    this.name = name;
    this.child = child;
    this.sock = sock;
    this.dir = dir;
    this.stderr = '';
    this.stdout = '';
    this.exited = null;
    child.stderr.on('data', (d) => {
      this.stderr += d;
    });
    child.stdout.on('data', (d) => {
      this.stdout += d;
    });
    this.exit = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        children.delete(child);
        this.exited = { code, signal };
        resolve(this.exited);
      });
    });
  }

  // Sends SIGTERM and waits for the exit; SIGKILL past the deadline.
  async stop(ms = 10000) {
    if (this.exited === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), scaled(ms));
      await this.exit;
      clearTimeout(timer);
    }
    return this.exited;
  }

  // Removes the private directory (after stop).
  cleanup() {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// Whether something accepts connections on sock.
function canConnect(sock) {
  return new Promise((resolve) => {
    const s = net.createConnection({ path: sock });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

// Starts a server binary and waits until its socket accepts connections.
async function startServer(name, bin, args, dir, sock) {
  assert.ok(bin, `${name}: binary not set in the environment`);
  const child = spawn(bin, args, { env: childEnv(dir), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const sp = new ServerProcess(name, child, sock, dir);
  try {
    await waitFor(`${name} to listen on ${sock}`, async () => {
      if (sp.exited !== null) {
        throw new Error(`${name} exited (${JSON.stringify(sp.exited)}) before listening: ${sp.stderr}`);
      }
      return canConnect(sock);
    }, 10000);
  } catch (err) {
    await sp.stop();
    sp.cleanup();
    throw err;
  }
  return sp;
}

// Starts racktop-testd with extra arguments (--page-size N, --workers N).
export async function startTestd(extra = []) {
  const dir = tempDir();
  const sock = path.join(dir, 'mcp.sock');
  return startServer('racktop-testd', RACKTOP_TESTD, ['--socket', sock, ...extra], dir, sock);
}

// Starts the real racktop, headless, with an empty configuration file.
export async function startRacktop() {
  const dir = tempDir();
  const sock = path.join(dir, 'mcp.sock');
  const conf = path.join(dir, 'racktop.conf');
  fs.writeFileSync(conf, '', { mode: 0o600 });
  return startServer('racktop', RACKTOP, ['--headless', '--socket', sock, '--config', conf], dir, sock);
}

// Splits a byte stream into JSON-RPC messages like the SDK's ReadBuffer,
// but an unparseable line is reported with its text, so a failure shows
// exactly what the server sent.
class LineBuffer {
  constructor(max = 16 * 1024 * 1024) {
    this._max = max;
    this._buffer = undefined;
  }

  append(chunk) {
    const size = (this._buffer?.length ?? 0) + chunk.length;
    if (size > this._max) {
      this.clear();
      throw new Error(`a line from the server exceeds ${this._max} bytes`);
    }
    this._buffer = this._buffer ? Buffer.concat([this._buffer, chunk]) : chunk;
  }

  readMessage() {
    if (!this._buffer) return null;
    const i = this._buffer.indexOf('\n');
    if (i === -1) return null;
    const line = this._buffer.toString('utf8', 0, i).replace(/\r$/, '');
    this._buffer = this._buffer.subarray(i + 1);
    try {
      return deserializeMessage(line);
    } catch (err) {
      const why = String(err.message ?? err).replace(/\s+/g, ' ').slice(0, 300);
      throw new Error(`the server sent a line the SDK rejects: ${line.slice(0, 1000)} (${why})`);
    }
  }

  clear() {
    this._buffer = undefined;
  }
}

// An MCP Transport over a Unix socket: newline-delimited JSON-RPC, exactly
// the stdio binding, reusing the SDK's own framing helpers.
export class UnixSocketTransport {
  constructor(sock) {
    this._path = sock;
    this._readBuffer = new LineBuffer();
    this._socket = undefined;
  }

  start() {
    if (this._socket) throw new Error('UnixSocketTransport already started');
    return new Promise((resolve, reject) => {
      let connected = false;
      const s = net.createConnection({ path: this._path });
      this._socket = s;
      s.once('connect', () => {
        connected = true;
        resolve();
      });
      s.on('error', (err) => {
        if (!connected) reject(err);
        else this.onerror?.(err);
      });
      s.on('data', (chunk) => {
        try {
          this._readBuffer.append(chunk);
        } catch (err) {
          this.onerror?.(err);
          s.destroy();
          return;
        }
        for (;;) {
          let msg;
          try {
            msg = this._readBuffer.readMessage();
          } catch (err) {
            this.onerror?.(err);
            continue;
          }
          if (msg === null) break;
          this.onmessage?.(msg);
        }
      });
      s.on('close', () => {
        this._socket = undefined;
        this._readBuffer.clear();
        this.onclose?.();
      });
    });
  }

  send(message) {
    return new Promise((resolve, reject) => {
      const s = this._socket;
      if (!s || s.destroyed) {
        reject(new Error('Not connected'));
        return;
      }
      if (s.write(serializeMessage(message))) resolve();
      else s.once('drain', resolve);
    });
  }

  async close() {
    const s = this._socket;
    if (!s) return;
    await new Promise((resolve) => {
      s.once('close', resolve);
      s.end();
      setTimeout(() => s.destroy(), 1000).unref();
    });
  }
}

// Wraps a transport to keep the last lines each way (and print them with
// RT_MCP_TRACE=1), so a failure can quote what was sent and received.
class TracedTransport {
  constructor(inner, label) {
    this.inner = inner;
    this.label = label;
    this.lines = [];
    this.protocolVersion = undefined;
  }

  _note(dir, msg) {
    const line = `${this.label} ${dir} ${JSON.stringify(msg)}`;
    this.lines.push(line.length > 2000 ? `${line.slice(0, 2000)}...` : line);
    if (this.lines.length > 200) this.lines.shift();
    if (trace) process.stderr.write(`${line}\n`);
  }

  start() {
    this.inner.onmessage = (msg, extra) => {
      this._note('<-', msg);
      this.onmessage?.(msg, extra);
    };
    this.inner.onerror = (err) => {
      this.lines.push(`${this.label} !! ${err.message ?? err}`);
      this.onerror?.(err);
    };
    this.inner.onclose = () => this.onclose?.();
    return this.inner.start();
  }

  send(msg, options) {
    this._note('->', msg);
    return this.inner.send(msg, options);
  }

  close() {
    return this.inner.close();
  }

  setProtocolVersion(v) {
    this.protocolVersion = v;
    this.inner.setProtocolVersion?.(v);
  }

  // The last n lines, for an assertion message.
  transcript(n = 20) {
    return this.lines.slice(-n).join('\n');
  }
}

// A connected client: the SDK Client, its traced transport, the errors the
// SDK reported out of band, and the bridge's stderr when there is one.
// opts.capabilities: the client's (default none); opts.setup(client):
// registers handlers (elicitation/create...) before connecting.
export async function connect(mode, sock, name = 'racktop-test', opts = {}) {
  let inner;
  let stderr = null;
  if (mode === 'socket') inner = new UnixSocketTransport(sock);
  else if (mode === 'bridge' || mode === 'lazy') {
    const dir = path.dirname(sock);
    const args = ['mcp', '--socket', sock];
    if (mode === 'lazy') args.push('--config', path.join(dir, 'racktop.conf'));
    inner = new StdioClientTransport({ command: RACKTOP, args, env: childEnv(dir), stderr: 'pipe' });
    // Same framing, but unparseable lines are reported with their text.
    inner._readBuffer = new LineBuffer();
    stderr = { text: '' };
    inner.stderr.on('data', (d) => {
      stderr.text += d;
    });
  } else throw new Error(`unknown mode ${mode}`);
  const transport = new TracedTransport(inner, name);
  const client = new Client({ name, version: '1.0.0' }, { capabilities: opts.capabilities ?? {} });
  opts.setup?.(client);
  const errors = [];
  client.onerror = (err) => errors.push(err);
  await client.connect(transport, { timeout: scaled(20000) });
  // Closing checks that a bridge said nothing a sanitizer would say.
  const close = async () => {
    await client.close();
    if (stderr !== null && /Sanitizer|runtime error:/.test(stderr.text)) {
      throw new Error(`racktop mcp (${name}) reported:\n${stderr.text}`);
    }
  };
  return { client, transport, errors, stderr, close };
}

// Every tool, walking tools/list page by page; returns the tools and pages.
export async function listAllTools(client, limit = 1000) {
  const pages = [];
  const tools = [];
  let cursor;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout: scaled(10000) });
    pages.push(page);
    tools.push(...page.tools);
    cursor = page.nextCursor;
    assert.ok(pages.length <= limit, 'tools/list never ends');
  } while (cursor !== undefined);
  return { tools, pages };
}

// Compiled outputSchema validators, keyed by tool name.
export class OutputCheck {
  constructor(tools) {
    const v = new AjvJsonSchemaValidator();
    this.validators = new Map();
    this.tools = new Map();
    for (const t of tools) {
      assert.ok(t.outputSchema, `${t.name} has no outputSchema`);
      this.validators.set(t.name, v.getValidator(t.outputSchema));
      this.tools.set(t.name, t);
    }
  }

  // Checks a CallToolResult: a success has structuredContent that
  // validates and the same JSON as its text content; an error has text.
  check(name, result, ctx = '') {
    assert.ok(Array.isArray(result.content), `${name}: content is not an array${ctx}`);
    if (result.isError) {
      assert.ok(result.content.some((c) => c.type === 'text' && c.text.length > 0),
        `${name}: an error without text${ctx}`);
      return result;
    }
    const sc = result.structuredContent;
    assert.ok(sc !== null && typeof sc === 'object' && !Array.isArray(sc),
      `${name}: structuredContent is not an object${ctx}`);
    const validate = this.validators.get(name);
    assert.ok(validate, `${name}: not in tools/list${ctx}`);
    const r = validate(sc);
    assert.ok(r.valid, `${name}: result does not match outputSchema: ${r.errorMessage}${ctx}`);
    const text = result.content.find((c) => c.type === 'text');
    assert.ok(text, `${name}: no text content${ctx}`);
    assert.deepEqual(JSON.parse(text.text), sc, `${name}: text content differs from structuredContent${ctx}`);
    return result;
  }
}

// Calls a tool and validates the result; options go to client.callTool.
export async function callChecked(conn, check, name, args = {}, options = {}) {
  const result = await conn.client.callTool({ name, arguments: args }, undefined,
    { timeout: scaled(10000), ...options });
  check.check(name, result, `\n--- transcript:\n${conn.transport.transcript(6)}`);
  return result;
}

// The text of a result's first text content.
export function resultText(result) {
  return result.content.find((c) => c.type === 'text')?.text ?? '';
}
