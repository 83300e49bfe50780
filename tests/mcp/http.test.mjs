// MCP over Streamable HTTP with the official SDKs: racktop headless with
// http_listen and a token file, in front of racktop-sim's Proxmox. The v1
// StreamableHTTPClientTransport and the v2 client (legacy and 2026-07-28)
// call real backend tools; a call whose stream the server closes is
// resumed with Last-Event-ID (racktop-conformance, whose test_reconnection
// outlasts --close-stream-ms); a bad Origin, a missing or wrong token and
// a deleted session are refused.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import {
  Client as Client2,
  StreamableHTTPClientTransport as Transport2,
} from '@modelcontextprotocol/client';

import { RACKTOP, childEnv, resultText, scaled, tempDir, waitFor } from './lib.mjs';

const BIN = path.dirname(RACKTOP ?? '.');
const SIM = process.env.RACKTOP_SIM ?? path.join(BIN, 'racktop-sim');
const CONFORMANCE = process.env.RACKTOP_CONFORMANCE ?? path.join(BIN, 'racktop-conformance');
const TOKEN = 'http-test-token-0123456789abcdef';

let dir;
let sim;
let rt;
let rtErr = '';
let url;
let fixtures;
let fixturesUrl;

const auth = { Authorization: `Bearer ${TOKEN}` };

// Spawns a child and waits until its output matches re; returns [child, match].
async function startUntil(what, bin, args, env, re, stream = 'stderr') {
  const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let exited = null;
  child.stdout.on('data', (d) => { if (stream === 'stdout') out += d; });
  child.stderr.on('data', (d) => {
    if (stream === 'stderr') out += d;
    rtErr += d;
  });
  child.on('exit', (code, sig) => { exited = { code, sig }; });
  const m = await waitFor(what, () => {
    if (exited !== null) throw new Error(`${what}: exited ${JSON.stringify(exited)}: ${out}`);
    return out.match(re);
  }, 10000);
  return [child, m];
}

before(async () => {
  dir = tempDir();
  const ep = path.join(dir, 'ep.json');
  sim = spawn(SIM, ['--seed', '1', '--clock', 'fixed', '--scale', 'small', '--services', 'proxmox',
    '--endpoints', ep], { env: childEnv(dir), stdio: ['ignore', 'ignore', 'pipe'] });
  await waitFor('the simulator', async () => fs.existsSync(ep) && fs.statSync(ep).size > 0, 10000);
  const e = JSON.parse(fs.readFileSync(ep, 'utf8'));
  const tokens = path.join(dir, 'tokens');
  fs.writeFileSync(tokens, `sdk-agent ${TOKEN}\n`, { mode: 0o600 });
  const conf = path.join(dir, 'racktop.conf');
  fs.writeFileSync(conf, '[racktop]\nhttp_listen = 127.0.0.1:0\n' +
    `http_token_file = ${tokens}\n\n[proxmox "lab"]\nurl = ${e.proxmox.url}\n` +
    `token_id = ${e.proxmox.token_id}\ntoken = ${e.proxmox.token}\ntimeout = 5\n`, { mode: 0o600 });
  let m;
  [rt, m] = await startUntil('racktop over HTTP', RACKTOP, ['--headless', '--socket',
    path.join(dir, 'mcp.sock'), '--config', conf], childEnv(dir), /mcp over http on .* \(port (\d+)\)/);
  url = new URL(`http://127.0.0.1:${m[1]}/mcp`);
  [fixtures, m] = await startUntil('racktop-conformance', CONFORMANCE, ['--close-stream-ms', '200'],
    childEnv(dir), /ready (\S+)/, 'stdout');
  fixturesUrl = new URL(m[1]);
});

after(async () => {
  for (const c of [rt, fixtures, sim]) c?.kill('SIGTERM');
  if (rt) {
    await new Promise((r) => (rt.exitCode !== null ? r() : rt.once('exit', r)));
    assert.equal(rt.exitCode, 0, `racktop exited ${rt.exitCode} (${rt.signalCode}): ${rtErr}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  assert.doesNotMatch(rtErr, /Sanitizer|runtime error:/);
  assert.ok(!rtErr.includes(TOKEN), 'racktop logged the token');
});

// A v1 client over HTTP with these headers.
async function connectV1(headers = auth, opts = {}) {
  const transport = new StreamableHTTPClientTransport(opts.url ?? url, {
    requestInit: { headers },
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  const client = new Client({ name: 'http-v1', version: '1.0.0' }, { capabilities: {} });
  await client.connect(transport, { timeout: scaled(10000) });
  return { client, transport };
}

// A raw POST with node:http (Origin and Host are the caller's to set).
function rawPost(target, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(target, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
    }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

describe('MCP over Streamable HTTP', () => {
  // The v1 SDK compiles every tool's output schema on tools/list: seconds
  // on a loaded machine, so these deadlines are generous.
  test('v1 client: real backend tools, JSON and SSE answers', { timeout: scaled(90000) }, async () => {
    const { client, transport } = await connectV1();
    try {
      assert.match(transport.sessionId, /^[0-9a-f]{32}$/);
      const { tools } = await client.listTools(undefined, { timeout: scaled(60000) });
      assert.ok(tools.some((t) => t.name === 'proxmox_list_vms'));
      const r = await client.callTool({ name: 'proxmox_list_vms', arguments: {} }, CallToolResultSchema,
        { timeout: scaled(10000) });
      assert.equal(r.isError, false, resultText(r));
      assert.ok(Array.isArray(r.structuredContent.items) && r.structuredContent.items.length > 0,
        resultText(r));
      // With a progress token the answer may stream; the reply still comes.
      const progress = [];
      const p = await client.callTool({ name: 'proxmox_list_nodes', arguments: {} }, CallToolResultSchema,
        { timeout: scaled(10000), onprogress: (e) => progress.push(e) });
      assert.equal(p.isError, false, resultText(p));
      assert.ok(p.structuredContent.items.length > 0);
    } finally {
      await client.close();
    }
  });

  for (const mode of ['legacy', 'modern']) {
    test(`v2 client (${mode}): a real backend tool`, { timeout: scaled(30000) }, async () => {
      const client = new Client2({ name: `http-v2-${mode}`, version: '2.0.0' }, {
        capabilities: {},
        versionNegotiation: { mode: mode === 'legacy' ? 'legacy' : { pin: '2026-07-28' } },
      });
      const transport = new Transport2(url, { requestInit: { headers: auth } });
      await client.connect(transport, { timeout: scaled(10000) });
      try {
        const r = await client.callTool({ name: 'proxmox_list_vms', arguments: {} }, { timeout: scaled(10000) });
        assert.equal(r.isError, false, JSON.stringify(r));
        assert.ok(r.structuredContent.items.length > 0);
        if (mode === 'modern') assert.equal(transport.sessionId, undefined, 'a modern exchange got a session');
        else assert.match(transport.sessionId, /^[0-9a-f]{32}$/);
      } finally {
        await client.close();
      }
    });
  }

  test('a stream closed mid-call is resumed with Last-Event-ID', { timeout: scaled(30000) }, async () => {
    const seen = [];
    const spy = (u, init) => {
      const h = new Headers(init?.headers);
      seen.push({ method: init?.method ?? 'GET', last: h.get('last-event-id') });
      return fetch(u, init);
    };
    const { client } = await connectV1({}, { url: fixturesUrl, fetch: spy });
    try {
      const r = await client.callTool({ name: 'test_reconnection', arguments: {} }, CallToolResultSchema,
        { timeout: scaled(15000) });
      assert.equal(r.isError, false, resultText(r));
      assert.equal(r.structuredContent.text, 'Reconnection test completed');
      const resumed = seen.filter((s) => s.method === 'GET' && s.last !== null);
      assert.ok(resumed.length >= 1, `no GET with Last-Event-ID: ${JSON.stringify(seen)}`);
      assert.match(resumed[0].last, /^\d+-\d+$/);
    } finally {
      await client.close();
    }
  });

  test('a bad Origin or Host is refused', async () => {
    let r = await rawPost(url, { ...auth, Origin: 'http://evil.example' }, INIT);
    assert.equal(r.status, 403, r.text);
    r = await rawPost(url, { ...auth, Host: 'evil.example' }, INIT);
    assert.equal(r.status, 403, r.text);
    r = await rawPost(url, { ...auth, Origin: `http://localhost:${url.port}` }, INIT);
    assert.equal(r.status, 200, r.text);
  });

  test('a missing or wrong token is refused', { timeout: scaled(20000) }, async () => {
    await assert.rejects(connectV1({}), /401|Unauthorized/);
    await assert.rejects(connectV1({ Authorization: 'Bearer wrong-token-0123456789' }), /401|Unauthorized/);
    const r = await rawPost(url, {}, INIT);
    assert.equal(r.status, 401);
    assert.match(r.headers['www-authenticate'], /^Bearer/);
  });

  test('a deleted session cannot be used again', { timeout: scaled(60000) }, async () => {
    const { client, transport } = await connectV1();
    const sid = transport.sessionId;
    await client.ping();
    await transport.terminateSession();
    const r = await rawPost(url, { ...auth, 'Mcp-Session-Id': sid },
      { jsonrpc: '2.0', id: 9, method: 'tools/list' });
    assert.equal(r.status, 404, r.text);
    await client.close();
  });
});
