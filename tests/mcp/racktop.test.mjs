// The real racktop, headless with an empty configuration, driven straight
// over its socket and through `racktop mcp`; and `racktop mcp` alone in lazy
// mode, when nothing listens on the socket.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  OutputCheck, callChecked, connect, listAllTools, resultText, scaled, startRacktop, tempDir,
} from './lib.mjs';

// The tests every way of reaching racktop shares; setup() returns the socket.
function commonTests(mode, setup, teardown) {
  let conn;
  let tools;
  let check;

  before(async () => {
    const sock = await setup();
    conn = await connect(mode, sock);
    ({ tools } = await listAllTools(conn.client));
    check = new OutputCheck(tools);
    conn.client.cacheToolMetadata(tools);
  });

  after(async () => {
    await conn?.close();
    await teardown?.();
  });

  test('initialize negotiates the newest version', () => {
    assert.equal(conn.transport.protocolVersion, '2025-11-25');
    assert.ok(conn.client.getServerCapabilities()?.tools);
    assert.equal(typeof conn.client.getServerVersion()?.name, 'string');
  });

  test('tools/list has racktop_status with its schemas and annotations', () => {
    const t = tools.find((x) => x.name === 'racktop_status');
    assert.ok(t, `racktop_status missing: ${tools.map((x) => x.name)}`);
    assert.equal(t.inputSchema.type, 'object');
    assert.equal(t.outputSchema.type, 'object');
    assert.equal(t.annotations?.readOnlyHint, true);
    assert.equal(tools.some((x) => x.name.startsWith('testsvc_')), false, 'the test service is in racktop');
  });

  test('racktop_status returns a list with items', { timeout: scaled(10000) }, async () => {
    const r = await callChecked(conn, check, 'racktop_status');
    assert.ok(!r.isError, resultText(r));
    assert.ok(Array.isArray(r.structuredContent.items), JSON.stringify(r.structuredContent));
    assert.equal(r.structuredContent.total, r.structuredContent.items.length);
    assert.ok(Array.isArray(r.structuredContent.instance_errors));
  });

  test('racktop_status with an invalid argument names the field', { timeout: scaled(10000) }, async () => {
    for (const [args, field] of [[{ service: 'Not A Service' }, 'service'], [{ limit: 0 }, 'limit'],
      [{ limit: 1001 }, 'limit'], [{ unknown_arg: 1 }, 'unknown_arg']]) {
      const r = await callChecked(conn, check, 'racktop_status', args);
      assert.equal(r.isError, true, `${JSON.stringify(args)} was accepted`);
      assert.match(resultText(r), new RegExp(`\\b${field}\\b`));
    }
  });
}

describe('racktop --headless', () => {
  let srv;

  before(async () => {
    srv = await startRacktop();
  });

  after(async () => {
    await srv?.stop();
    srv?.cleanup();
  });

  describe('over the socket', () => {
    commonTests('socket', () => srv.sock);
  });

  describe('through racktop mcp', () => {
    commonTests('bridge', () => srv.sock);
  });

  test('SIGTERM shuts racktop down cleanly and removes the socket', { timeout: scaled(20000) }, async () => {
    const st = await srv.stop();
    assert.deepEqual(st, { code: 0, signal: null }, `racktop: ${srv.stderr}`);
    assert.equal(fs.existsSync(srv.sock), false, 'the socket is still there');
  });
});

describe('racktop mcp in lazy mode (nothing listens)', () => {
  let dir;

  commonTests('lazy', () => {
    dir = tempDir();
    fs.writeFileSync(path.join(dir, 'racktop.conf'), '', { mode: 0o600 });
    return path.join(dir, 'mcp.sock');
  }, () => fs.rmSync(dir, { recursive: true, force: true }));
});
