// The protocol tests against racktop-testd (the test service), each run
// straight over the Unix socket and through the `racktop mcp` bridge:
// pagination with a page size of 1, invalid arguments, tool errors, the
// destructive-tool refusal with nobody to approve (approval.test.mjs has
// the operator), cancellation of a held call, progress, and 31
// clients completing 100 calls each while one call is held. Every result is
// validated against its tool's outputSchema, by the SDK and explicitly.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';

import {
  OutputCheck, callChecked, connect, listAllTools, resultText, scaled, startTestd, waitFor,
} from './lib.mjs';

const TESTSVC_TOOLS = ['testsvc_count', 'testsvc_echo', 'testsvc_fail', 'testsvc_progress',
  'testsvc_publish', 'testsvc_sleep', 'testsvc_wipe'];

for (const mode of ['socket', 'bridge']) {
  describe(`racktop-testd over ${mode === 'socket' ? 'the socket' : 'racktop mcp'}`, () => {
    let srv;
    let conn;
    let tools;
    let check;

    // The run counters of the test service.
    async function count(c = conn) {
      return (await callChecked(c, check, 'testsvc_count')).structuredContent;
    }

    before(async () => {
      srv = await startTestd(['--page-size', '1', '--workers', '4']);
      conn = await connect(mode, srv.sock);
      ({ tools } = await listAllTools(conn.client));
      check = new OutputCheck(tools);
      // listTools caches output validators per page; give the SDK them all.
      conn.client.cacheToolMetadata(tools);
    });

    after(async () => {
      await conn?.close();
      await srv?.stop();
      srv?.cleanup();
    });

    test('initialize negotiates the newest version and declares tools', () => {
      assert.equal(conn.transport.protocolVersion, '2025-11-25');
      const caps = conn.client.getServerCapabilities();
      assert.ok(caps?.tools, `no tools capability: ${JSON.stringify(caps)}`);
      const info = conn.client.getServerVersion();
      assert.equal(typeof info?.name, 'string');
      assert.equal(typeof info?.version, 'string');
    });

    test('ping and logging/setLevel answer', { timeout: scaled(10000) }, async () => {
      await conn.client.ping({ timeout: scaled(5000) });
      assert.ok(conn.client.getServerCapabilities()?.logging, 'no logging capability');
      await conn.client.setLoggingLevel('warning', { timeout: scaled(5000) });
    });

    test('tools/list pages one tool at a time in a fixed order', { timeout: scaled(20000) }, async () => {
      const walk = await listAllTools(conn.client);
      const names = walk.tools.map((t) => t.name);
      assert.equal(walk.pages.length, names.length, 'a page size of 1 gives one page per tool');
      for (const [i, p] of walk.pages.entries()) {
        assert.equal(p.tools.length, 1, `page ${i} has ${p.tools.length} tools`);
        if (i < walk.pages.length - 1) assert.equal(typeof p.nextCursor, 'string', `page ${i} has no nextCursor`);
      }
      const cursors = walk.pages.slice(0, -1).map((p) => p.nextCursor);
      assert.equal(new Set(cursors).size, cursors.length, 'cursors repeat');
      assert.equal(new Set(names).size, names.length, `names repeat: ${names}`);
      for (const n of [...TESTSVC_TOOLS, 'racktop_status']) assert.ok(names.includes(n), `${n} missing: ${names}`);
      assert.deepEqual(names, tools.map((t) => t.name), 'the order changed between two walks');

      for (const t of walk.tools) {
        assert.equal(typeof t.title, 'string', `${t.name}: title`);
        assert.ok(t.description.length >= 20, `${t.name}: description`);
        assert.equal(t.inputSchema.type, 'object', `${t.name}: inputSchema`);
        assert.equal(t.outputSchema?.type, 'object', `${t.name}: outputSchema`);
        assert.equal(typeof t.annotations?.readOnlyHint, 'boolean', `${t.name}: annotations`);
      }
      const byName = new Map(walk.tools.map((t) => [t.name, t]));
      assert.equal(byName.get('testsvc_wipe').annotations.destructiveHint, true);
      assert.equal(byName.get('testsvc_echo').annotations.readOnlyHint, true);
    });

    test('an invalid cursor is a JSON-RPC error -32602', { timeout: scaled(10000) }, async () => {
      await assert.rejects(conn.client.listTools({ cursor: 'not-a-cursor' }, { timeout: scaled(5000) }),
        (e) => e.code === -32602 || assert.fail(`${e}\n${conn.transport.transcript(2)}`));
    });

    test('the SDK validates structuredContent against outputSchema', { timeout: scaled(10000) }, async () => {
      // Proves the SDK checks every other call here: a stricter schema fails.
      const strict = tools.map((t) => (t.name === 'testsvc_echo'
        ? { ...t, outputSchema: { type: 'object', required: ['absent'] } } : t));
      conn.client.cacheToolMetadata(strict);
      try {
        await assert.rejects(conn.client.callTool({ name: 'testsvc_echo', arguments: { text: 'x' } }),
          /does not match the tool's output schema/);
      } finally {
        conn.client.cacheToolMetadata(tools);
      }
    });

    test('echo returns its arguments unchanged', { timeout: scaled(10000) }, async () => {
      const args = { text: 'h\u00e9llo \u2713 "quoted"\nsecond line \\ \ud83d\ude00 end', n: 0, tag: 'abc123' };
      const r = await callChecked(conn, check, 'testsvc_echo', args);
      assert.ok(!r.isError, resultText(r));
      assert.deepEqual(r.structuredContent, { echo: args });
    });

    test('a string holding U+0000 round-trips or is refused, and the connection lives', { timeout: scaled(10000) }, async (t) => {
      const args = { text: 'nul \u0000 inside' };
      try {
        const r = await callChecked(conn, check, 'testsvc_echo', args, { timeout: scaled(3000) });
        if (r.isError) t.diagnostic(`refused as a tool error: ${resultText(r)}`);
        else assert.deepEqual(r.structuredContent, { echo: args });
      } catch (e) {
        assert.equal(typeof e.code, 'number', `not a JSON-RPC error: ${e}`);
        assert.notEqual(e.code, -32001, `no reply to the request:\n${conn.transport.transcript(2)}`);
        t.diagnostic(`refused as JSON-RPC error ${e.code}: ${e.message}`);
      }
      await conn.client.ping({ timeout: scaled(5000) });
    });

    test('an invalid argument is an isError result naming the field', { timeout: scaled(20000) }, async () => {
      const before0 = await count();
      const cases = [
        [{ text: 'x', n: 11 }, 'n'],
        [{ text: 'x', n: -1 }, 'n'],
        [{ text: 'x', n: 2.5 }, 'n'],
        [{ text: 'x', n: '3' }, 'n'],
        [{ text: 5 }, 'text'],
        [{}, 'text'],
        [{ text: 'x', bogus: true }, 'bogus'],
        [{ text: 'x', tag: 'ABC' }, 'tag'],
        [{ text: 'x', tag: 'abc1234' }, 'tag'],
      ];
      for (const [args, field] of cases) {
        const r = await callChecked(conn, check, 'testsvc_echo', args);
        const text = resultText(r);
        assert.equal(r.isError, true, `${JSON.stringify(args)} was accepted: ${text}`);
        assert.match(text, new RegExp(`\\b${field}\\b`), `${JSON.stringify(args)}: "${text}" does not name ${field}`);
        assert.equal(r.structuredContent, undefined, 'an error carries no structuredContent');
      }
      const after0 = await count();
      assert.equal(after0.echoes, before0.echoes, 'an invalid call ran the tool');
    });

    test('an unknown tool is a JSON-RPC error -32602', { timeout: scaled(10000) }, async () => {
      await assert.rejects(conn.client.callTool({ name: 'testsvc_nonexistent', arguments: {} }),
        (e) => e.code === -32602 || assert.fail(`${e}\n${conn.transport.transcript(2)}`));
    });

    test('a failing tool is an isError result with its message', { timeout: scaled(10000) }, async () => {
      const r = await callChecked(conn, check, 'testsvc_fail', { message: 'disk on fire' });
      assert.equal(r.isError, true);
      assert.match(resultText(r), /disk on fire/);
    });

    test('a destructive tool is refused when nobody can approve, and never runs', { timeout: scaled(10000) }, async () => {
      const before0 = await count();
      const r = await callChecked(conn, check, 'testsvc_wipe', { target: 'scratch-1' });
      assert.equal(r.isError, true, 'testsvc_wipe ran for an agent with nobody to approve it');
      assert.match(resultText(r), /^not approved/);
      // A dry run only describes: no approval needed, nothing wiped.
      const d = await callChecked(conn, check, 'testsvc_wipe', { target: 'scratch-1', dry_run: true });
      assert.equal(d.isError, false, resultText(d));
      assert.equal((await count()).wipes, before0.wipes);
    });

    test('cancelling a call held for 5 s stops the tool', { timeout: scaled(30000) }, async () => {
      const nerrors = conn.errors.length;
      const before0 = await count();
      const ac = new AbortController();
      const held = conn.client.callTool({ name: 'testsvc_sleep', arguments: { ms: 5000 } }, undefined,
        { signal: ac.signal, timeout: scaled(30000) });
      held.catch(() => {});
      await waitFor('testsvc_sleep to start', async () => (await count()).started > before0.started);
      const t0 = Date.now();
      ac.abort('the test cancels');
      await assert.rejects(held);
      const stopped = await waitFor('testsvc_sleep to stop', async () => {
        const c = await count();
        return c.stopped > before0.stopped ? c : null;
      }, 4000);
      assert.ok(Date.now() - t0 < 5000, `stopping took ${Date.now() - t0} ms`);
      assert.equal(stopped.stopped, before0.stopped + 1);
      assert.equal(stopped.completed, before0.completed, 'the cancelled call completed');
      assert.equal(stopped.started, before0.started + 1);
      // A call that goes through the workers after it: any reply to the
      // cancelled request would have arrived by now.
      const r = await callChecked(conn, check, 'testsvc_sleep', { ms: 10 });
      assert.equal(r.structuredContent.completed, true);
      assert.deepEqual(conn.errors.slice(nerrors).map(String), [],
        `the server answered a cancelled request:\n${conn.transport.transcript(8)}`);
    });

    test('progress notifications arrive before the result', { timeout: scaled(10000) }, async () => {
      const seen = [];
      const r = await callChecked(conn, check, 'testsvc_progress', { steps: 4, pause_ms: 10 },
        { onprogress: (p) => seen.push(p) });
      assert.ok(!r.isError, resultText(r));
      assert.ok(seen.length >= 2, `${seen.length} progress notifications:\n${conn.transport.transcript(8)}`);
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i].progress > seen[i - 1].progress, 'progress must increase');
      assert.equal(seen.at(-1).total, 4);
      assert.equal(typeof seen[0].message, 'string');
    });

    test('31 other clients complete 100 calls each while one call is held', { timeout: scaled(120000) }, async () => {
      const before0 = await count();
      const hold = new AbortController();
      let settled = false;
      const held = conn.client.callTool({ name: 'testsvc_sleep', arguments: { ms: 120000 } }, undefined,
        { signal: hold.signal, timeout: scaled(200000) });
      held.then(() => { settled = true; }, () => { settled = true; });
      await waitFor('the held call to start', async () => (await count()).started > before0.started);

      const others = await Promise.all(Array.from({ length: 31 }, (_, i) => connect(mode, srv.sock, `load-${i}`)));
      try {
        await Promise.all(others.map(async (o, i) => {
          for (let j = 0; j < 100; j++) {
            const args = { text: `client ${i} call ${j}`, n: j % 11 };
            const r = await callChecked(o, check, 'testsvc_echo', args, { timeout: scaled(30000) });
            assert.ok(!r.isError, `client ${i} call ${j}: ${resultText(r)}`);
            assert.deepEqual(r.structuredContent, { echo: args });
          }
          assert.deepEqual(o.errors.map(String), [], `client ${i}: ${o.transport.transcript(4)}`);
        }));
      } finally {
        await Promise.all(others.map((o) => o.close()));
      }
      assert.equal(settled, false, 'the held call finished while the others ran');
      const mid = await count();
      assert.equal(mid.echoes - before0.echoes, 3100);
      hold.abort('done holding');
      await assert.rejects(held);
      await waitFor('the held call to stop', async () => (await count()).stopped > before0.stopped, 4000);
    });

    test('racktop_status lists the one testsvc instance', { timeout: scaled(10000) }, async () => {
      const r = await callChecked(conn, check, 'racktop_status');
      assert.ok(!r.isError, resultText(r));
      assert.deepEqual(r.structuredContent.items.map((i) => `${i.service}/${i.instance}`), ['testsvc/a']);
      assert.equal(r.structuredContent.total, 1);
    });

    test('SIGTERM shuts the server down cleanly and removes the socket', { timeout: scaled(20000) }, async () => {
      await conn.close();
      conn = undefined;
      const st = await srv.stop();
      assert.deepEqual(st, { code: 0, signal: null }, `racktop-testd: ${srv.stderr}`);
      assert.equal(fs.existsSync(srv.sock), false, 'the socket is still there');
    });
  });
}
