// Operator approval with the official TypeScript SDK, against
// racktop-testd --approvals (its test-only stand-in for the operator on a
// control socket), straight over the socket and through `racktop mcp`:
// an agent's testsvc_wipe waits, saying so in progress notifications
// repeated until the answer, until y runs it or n denies it; more calls held than there are workers
// while reads complete; a approves that caller's tool on its connection
// only, so a second client claiming the same clientInfo name is still
// held; a cancelled or disconnected call is withdrawn and never runs,
// even when approved afterwards; an unanswered call times out; a dry run
// needs no approval. The operator sees the kernel's view of the caller.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  OutputCheck, callChecked, connect, listAllTools, resultText, scaled, startTestd, tempDir,
  waitFor,
} from './lib.mjs';

// The control socket's client: held calls in, decisions out.
class Operator {
  constructor(sock) {
    this.events = [];
    this.buf = '';
    this.sock = net.createConnection({ path: sock });
    this.sock.setEncoding('utf8');
    this.sock.on('data', (d) => {
      this.buf += d;
      let nl;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        this.events.push(JSON.parse(this.buf.slice(0, nl)));
        this.buf = this.buf.slice(nl + 1);
      }
    });
  }

  // The next request (after those already seen) matching pred.
  async request(pred = () => true) {
    const seen = new Set(this.taken ?? []);
    const ev = await waitFor('a held call', async () => this.events.find((e) =>
      e.event === 'request' && !seen.has(e.id) && pred(e)) ?? null, 10000);
    this.taken = [...seen, ev.id];
    return ev;
  }

  // The withdrawal of request id.
  withdrawn(id) {
    return waitFor(`request ${id} to be withdrawn`, async () =>
      this.events.find((e) => e.event === 'withdrawn' && e.id === id) ?? null, 10000);
  }

  decide(verb, id) {
    this.sock.write(`${verb} ${id}\n`);
  }

  close() {
    this.sock.destroy();
  }
}

for (const mode of ['socket', 'bridge']) {
  describe(`approval over ${mode === 'socket' ? 'the socket' : 'racktop mcp'}`, () => {
    let srv;
    let op;
    let conn;
    let check;
    const timeoutMs = scaled(3000);

    async function count() {
      return (await callChecked(conn, check, 'testsvc_count')).structuredContent;
    }

    // Starts a testsvc_wipe that will wait; the promise never rejects.
    function wipe(c, target, options = {}) {
      const progress = [];
      const p = c.client.callTool({ name: 'testsvc_wipe', arguments: { target } }, undefined, {
        timeout: scaled(30000),
        onprogress: (n) => progress.push(n),
        ...options,
      }).then((r) => ({ r }), (err) => ({ err }));
      return { p, progress };
    }

    let ctlDir;
    let ctl;

    before(async () => {
      // A private folder of its own, as sockpath_listen wants.
      ctlDir = tempDir();
      ctl = path.join(ctlDir, 'ctl.sock');
      srv = await startTestd(['--workers', '2', '--approvals', ctl,
        '--approval-timeout', String(timeoutMs)]);
    });

    after(async () => {
      op?.close();
      await conn?.close();
      await srv?.stop();
      srv?.cleanup();
      fs.rmSync(ctlDir, { recursive: true, force: true });
    });

    test('starts with an operator on the control socket', { timeout: scaled(20000) }, async () => {
      await waitFor('the control socket', async () => fs.existsSync(ctl));
      op = new Operator(ctl);
      await waitFor('hello', async () => op.events.some((e) => e.event === 'hello'));
      conn = await connect(mode, srv.sock, 'approval-agent');
      const { tools } = await listAllTools(conn.client);
      check = new OutputCheck(tools);
    });

    test('a held wipe waits, says so, and runs on y', { timeout: scaled(30000) }, async () => {
      const before0 = await count();
      const call = wipe(conn, 'vm-105');
      const ev = await op.request((e) => e.tool === 'testsvc_wipe');
      assert.equal(ev.arguments.target, 'vm-105');
      // The kernel's view of the agent. (Through the bridge, testd sees
      // the bridge itself: only racktop knows its own executable.)
      if (mode === 'socket') {
        assert.equal(ev.pid, process.pid);
        assert.equal(ev.exe, fs.realpathSync(process.execPath));
      }
      assert.match(ev.client, /^approval-agent/);
      await waitFor('the waiting progress', async () => call.progress.length > 0);
      assert.match(call.progress[0].message ?? '', /waiting for operator approval/);
      assert.equal((await count()).wipes, before0.wipes, 'ran before approval');
      op.decide('y', ev.id);
      const { r, err } = await call.p;
      assert.ifError(err);
      check.check('testsvc_wipe', r);
      assert.equal(r.isError, false, resultText(r));
      assert.equal((await count()).wipes, before0.wipes + 1);
    });

    test('while held, waiting progress repeats, each value higher', { timeout: scaled(30000) }, async () => {
      // A fifth of the approval timeout between ticks (at most 10 s).
      const call = wipe(conn, 'vm-107');
      const ev = await op.request();
      await waitFor('three progress notifications', async () => call.progress.length >= 3, 10000);
      for (const [i, n] of call.progress.entries()) {
        assert.match(n.message ?? '', /^waiting for operator approval/);
        if (i > 0) assert.ok(n.progress > call.progress[i - 1].progress, 'progress must increase');
      }
      assert.match(call.progress[1].message, /\(\d+ s left\)$/);
      op.decide('n', ev.id);
      assert.equal(resultText((await call.p).r), 'denied by operator');
    });

    test('n denies', { timeout: scaled(30000) }, async () => {
      const before0 = await count();
      const call = wipe(conn, 'vm-106');
      const ev = await op.request();
      op.decide('n', ev.id);
      const { r } = await call.p;
      assert.equal(r.isError, true);
      assert.equal(resultText(r), 'denied by operator');
      assert.equal((await count()).wipes, before0.wipes);
    });

    test('more calls held than workers while reads complete', { timeout: scaled(30000) }, async () => {
      const before0 = await count();
      const calls = [1, 2, 3, 4, 5].map((i) => wipe(conn, `t-${i}`));
      const evs = [];
      for (let i = 0; i < calls.length; i++) evs.push(await op.request());
      // Another agent's reads, and this one's, still complete.
      const other = await connect(mode, srv.sock, 'reading-agent');
      try {
        for (let i = 0; i < 20; i++) {
          const r = await callChecked(i % 2 ? conn : other, check, 'testsvc_echo', { text: `read ${i}` });
          assert.equal(r.isError, false);
        }
      } finally {
        await other.close();
      }
      for (const ev of evs) op.decide('y', ev.id);
      for (const c of calls) assert.equal((await c.p).r.isError, false);
      assert.equal((await count()).wipes, before0.wipes + calls.length);
    });

    test('a grants this connection only, not a second client of the same name', { timeout: scaled(30000) }, async () => {
      const mine = await connect(mode, srv.sock, 'approval-agent');
      const other = await connect(mode, srv.sock, 'approval-agent');
      try {
        const before0 = await count();
        const first = wipe(mine, 'g-1');
        op.decide('a', (await op.request()).id);
        assert.equal((await first.p).r.isError, false);
        // The same connection's next wipe runs without asking.
        const again = await callChecked(mine, check, 'testsvc_wipe', { target: 'g-2' });
        assert.equal(again.isError, false, resultText(again));
        // Another connection claiming the same name is held.
        const held = wipe(other, 'g-3');
        const ev = await op.request();
        const granted = op.events.find((e) => e.arguments?.target === 'g-1');
        assert.equal(ev.client, granted.client, 'the same clientInfo');
        assert.notEqual(ev.conn, granted.conn);
        op.decide('n', ev.id);
        assert.equal(resultText((await held.p).r), 'denied by operator');
        assert.equal((await count()).wipes, before0.wipes + 2);
      } finally {
        await mine.close();
        await other.close();
      }
    });

    test('a cancelled call never runs, even when approved afterwards', { timeout: scaled(30000) }, async () => {
      const before0 = await count();
      const ac = new AbortController();
      const call = wipe(conn, 'c-1', { signal: ac.signal });
      const ev = await op.request();
      ac.abort('the agent gives up');
      assert.ok((await call.p).err, 'the aborted call resolved');
      const w = await op.withdrawn(ev.id);
      assert.equal(w.why, 'cancelled');
      op.decide('y', ev.id);
      await new Promise((res) => setTimeout(res, scaled(300)));
      assert.equal((await count()).wipes, before0.wipes);
    });

    test('a disconnected client\'s call never runs', { timeout: scaled(30000) }, async () => {
      const gone = await connect(mode, srv.sock, 'leaving-agent');
      const before0 = await count();
      const call = wipe(gone, 'd-1');
      const ev = await op.request();
      await gone.close();
      await call.p;
      const w = await op.withdrawn(ev.id);
      assert.equal(w.why, 'disconnected');
      op.decide('y', ev.id);
      await new Promise((res) => setTimeout(res, scaled(300)));
      assert.equal((await count()).wipes, before0.wipes);
    });

    test('an unanswered call times out', { timeout: scaled(30000) }, async () => {
      const before0 = await count();
      const call = wipe(conn, 'o-1');
      const ev = await op.request();
      const { r } = await call.p;
      assert.equal(r.isError, true);
      assert.match(resultText(r), /^not approved: timed out/);
      assert.equal((await op.withdrawn(ev.id)).why, 'timed out');
      assert.equal((await count()).wipes, before0.wipes);
    });

    test('a dry run previews without approval', { timeout: scaled(10000) }, async () => {
      const before0 = await count();
      const r = await callChecked(conn, check, 'testsvc_wipe', { target: 'p-1', dry_run: true });
      assert.equal(r.isError, false, resultText(r));
      assert.equal((await count()).wipes, before0.wipes);
    });
  });
}
