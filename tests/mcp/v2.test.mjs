// The official v2 client (@modelcontextprotocol/client) against
// racktop-testd and racktop, in the three version-negotiation modes
// (legacy: initialize 2025-11-25; auto: probe with server/discover, then
// 2026-07-28; modern: pinned to 2026-07-28), straight over the socket and
// through `racktop mcp`: discover, list, call, progress, cancellation,
// resource read, subscription with an update notification after the test
// service publishes a snapshot, prompts and completion. Every tool result
// is validated against the tool's outputSchema (by the SDK and here).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { scaled, startRacktop, startTestd, waitFor } from './lib.mjs';
import { MODERN, OutputCheck2, allTools, call2, connect2 } from './lib2.mjs';

const URI = 'racktop://testsvc/a/snapshot';

// The JSON envelope of a resources/read result's single content.
function envelope(r, uri) {
  assert.equal(r.contents.length, 1, JSON.stringify(r));
  assert.equal(r.contents[0].uri, uri);
  assert.equal(r.contents[0].mimeType, 'application/json');
  return JSON.parse(r.contents[0].text);
}

// The JSON-RPC error code a rejected request carried.
async function errorCode(promise) {
  try {
    await promise;
  } catch (err) {
    return err.code;
  }
  assert.fail('the request succeeded');
  return undefined;
}

for (const how of ['socket', 'bridge']) {
  for (const mode of ['legacy', 'auto', 'modern']) {
    const modern = mode !== 'legacy';
    describe(`v2 client, racktop-testd over ${how}, ${mode} mode`, () => {
      let srv;
      let conn;
      let check;

      async function count() {
        return (await call2(conn, check, 'testsvc_count')).structuredContent;
      }

      before(async () => {
        srv = await startTestd(['--workers', '4']);
        conn = await connect2(how, mode, srv.sock);
        check = new OutputCheck2(await allTools(conn.client));
      });

      after(async () => {
        await conn?.close();
        await srv?.stop();
        srv?.cleanup();
      });

      test('negotiates the era the mode asks for', () => {
        assert.equal(conn.client.getNegotiatedProtocolVersion(), modern ? MODERN : '2025-11-25');
        assert.equal(conn.client.getProtocolEra(), modern ? 'modern' : 'legacy');
        const caps = conn.client.getServerCapabilities();
        assert.ok(caps?.tools && caps?.prompts && caps?.completions, JSON.stringify(caps));
        assert.equal(caps?.resources?.subscribe, true, JSON.stringify(caps));
        assert.equal(conn.client.getServerVersion()?.name, 'racktop');
      });

      test('server/discover answers with versions and caching hints', { skip: !modern }, async () => {
        const d = await conn.client.discover({ timeout: scaled(5000) });
        assert.equal(d.supportedVersions[0], MODERN);
        assert.ok(d.supportedVersions.includes('2025-11-25'));
        // resultType is checked on the wire (test-protocol): the SDK strips it.
        assert.ok(Number.isInteger(d.ttlMs) && d.ttlMs >= 0, JSON.stringify(d));
        assert.equal(d.cacheScope, 'public');
      });

      test('lists tools and calls one, validated', { timeout: scaled(10000) }, async () => {
        const tools = await allTools(conn.client);
        const names = tools.map((t) => t.name);
        for (const n of ['testsvc_echo', 'testsvc_publish', 'racktop_status']) assert.ok(names.includes(n), names.join());
        const r = await call2(conn, check, 'testsvc_echo', { text: 'hi', n: 3 });
        assert.deepEqual(r.structuredContent, { echo: { text: 'hi', n: 3 } });
        const bad = await call2(conn, check, 'testsvc_echo', { n: 11 });
        assert.equal(bad.isError, true);
      });

      test('progress arrives before the result, increasing', { timeout: scaled(10000) }, async () => {
        const seen = [];
        const r = await call2(conn, check, 'testsvc_progress', { steps: 3, pause_ms: 5 },
          { onprogress: (p) => seen.push(p.progress) });
        assert.equal(r.isError, false);
        assert.deepEqual(seen, [1, 2, 3]);
      });

      test('cancellation stops the call', { timeout: scaled(20000) }, async () => {
        const before0 = await count();
        const ac = new AbortController();
        const p = conn.client.callTool({ name: 'testsvc_sleep', arguments: { ms: 60000 } },
          { signal: ac.signal, timeout: scaled(60000) });
        await waitFor('the sleep to start', async () => (await count()).started > before0.started);
        ac.abort('test');
        await assert.rejects(p);
        await waitFor('the sleep to stop', async () => (await count()).stopped > before0.stopped, 10000);
      });

      test('resources: list, templates, read, not found', { timeout: scaled(10000) }, async () => {
        const list = await conn.client.listResources();
        assert.ok(list.resources.some((r) => r.uri === URI), JSON.stringify(list));
        const t = await conn.client.listResourceTemplates();
        assert.equal(t.resourceTemplates[0].uriTemplate, 'racktop://{service}/{instance}/snapshot');
        const r = await conn.client.readResource({ uri: URI });
        const env = envelope(r, URI);
        assert.equal(env.service, 'testsvc');
        assert.equal(env.instance, 'a');
        assert.equal(typeof env.data.counter, 'number');
        if (modern) {
          assert.ok(Number.isInteger(r.ttlMs) && r.ttlMs >= 0, JSON.stringify(r));
          assert.equal(r.cacheScope, 'private');
        }
        // The SDK maps a legacy -32002 to -32602; the socket's transcript
        // shows what racktop sent.
        const code = await errorCode(conn.client.readResource({ uri: 'racktop://testsvc/zz/snapshot' }));
        assert.equal(code, -32602);
        if (how === 'socket') {
          assert.match(conn.transcript(), modern ? /"code":-32602,"message":"Resource not found"/
            : /"code":-32002,"message":"Resource not found"/);
        }
      });

      test('a published snapshot sends notifications/resources/updated', { timeout: scaled(20000) }, async () => {
        const got = [];
        conn.client.setNotificationHandler('notifications/resources/updated', (n) => got.push(n));
        let sub;
        if (modern) {
          sub = await conn.client.listen({ resourceSubscriptions: [URI, 'racktop://nope/x/snapshot'] });
          assert.deepEqual(sub.honoredFilter.resourceSubscriptions, [URI]);
        } else {
          await conn.client.subscribeResource({ uri: URI });
        }
        const pub = await call2(conn, check, 'testsvc_publish', { note: `${how}-${mode}` });
        assert.equal(pub.structuredContent.published, 1);
        await waitFor('the update notification', () => got.some((n) => n.params.uri === URI));
        if (modern) {
          assert.notEqual(got[0].params._meta?.['io.modelcontextprotocol/subscriptionId'], undefined,
            JSON.stringify(got[0]));
        }
        const env = envelope(await conn.client.readResource({ uri: URI }), URI);
        assert.ok(env.data.counter >= pub.structuredContent.counter, JSON.stringify(env));
        assert.equal(env.data.note, `${how}-${mode}`);
        if (modern) await sub.close();
        else await conn.client.unsubscribeResource({ uri: URI });
        const n = got.length;
        await call2(conn, check, 'testsvc_publish', {});
        await call2(conn, check, 'testsvc_count');
        assert.equal(got.length, n, 'an update after the subscription ended');
      });

      test('prompts and completion', { timeout: scaled(10000) }, async () => {
        const p = await conn.client.listPrompts();
        assert.deepEqual(p.prompts.map((x) => x.name).sort(), ['homelab_health_check', 'investigate']);
        const g = await conn.client.getPrompt({ name: 'homelab_health_check' });
        assert.match(g.messages[0].content.text, /racktop_status/);
        assert.match(g.messages[0].content.text, /racktop:\/\/testsvc\/a\/snapshot/);
        const inv = await conn.client.getPrompt({ name: 'investigate', arguments: { kind: 'guest', target: '101' } });
        assert.match(inv.messages[0].content.text, /101/);
        assert.equal(await errorCode(conn.client.getPrompt({ name: 'investigate', arguments: { kind: 'guest' } })), -32602);
        const c = await conn.client.complete({ ref: { type: 'ref/prompt', name: 'investigate' },
          argument: { name: 'kind', value: 'cl' } });
        assert.deepEqual(c.completion.values, ['client']);
        const ci = await conn.client.complete({ ref: { type: 'ref/resource', uri: 'racktop://{service}/{instance}/snapshot' },
          argument: { name: 'instance', value: '' }, context: { arguments: { service: 'testsvc' } } });
        assert.deepEqual(ci.completion.values, ['a']);
      });

      test('no errors out of band', () => {
        assert.deepEqual(conn.errors.map((e) => e.message), []);
      });
    });
  }
}

for (const how of ['socket', 'bridge', 'lazy']) {
  for (const mode of ['legacy', 'auto', 'modern']) {
    const modern = mode !== 'legacy';
    describe(`v2 client, racktop over ${how}, ${mode} mode`, () => {
      let srv;
      let conn;
      let check;

      before(async () => {
        srv = await startRacktop();
        if (how === 'lazy') await srv.stop();	// nothing listens: racktop mcp serves itself
        conn = await connect2(how === 'socket' ? 'socket' : 'bridge', mode, srv.sock);
        check = new OutputCheck2(await allTools(conn.client));
      });

      after(async () => {
        await conn?.close();
        await srv?.stop();
        srv?.cleanup();
      });

      test('negotiates, lists and calls racktop_status, validated', { timeout: scaled(10000) }, async () => {
        assert.equal(conn.client.getNegotiatedProtocolVersion(), modern ? MODERN : '2025-11-25');
        const r = await call2(conn, check, 'racktop_status');
        assert.equal(r.isError, false);
        assert.ok(Array.isArray(r.structuredContent.items));
      });

      test('no instances: only the problems resource, reads are not found', { timeout: scaled(10000) }, async () => {
        assert.deepEqual((await conn.client.listResources()).resources.map((r) => r.uri), ['racktop://problems']);
        const code = await errorCode(conn.client.readResource({ uri: 'racktop://proxmox/home/snapshot' }));
        assert.equal(code, -32602);	// the SDK maps a legacy -32002 to -32602
      });

      test('the health check prompt names racktop_status', { timeout: scaled(10000) }, async () => {
        const g = await conn.client.getPrompt({ name: 'homelab_health_check' });
        assert.match(g.messages[0].content.text, /racktop_status/);
      });
    });
  }
}
