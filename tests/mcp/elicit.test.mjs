// Approval with no dashboard (racktop-testd without --approvals, as
// `racktop --headless`), with the official SDK clients in both eras:
// - 2025-11-25 (v1 SDK 1.32.2): a destructive call from a client that
//   declared elicitation is asked through elicitation/create on its own
//   connection (form mode, a boolean "approve", a message naming the
//   tool, the target and describe's request); accept runs it, decline or
//   approve=false ends it "denied by operator"; a call cancelled while
//   asked never runs, whatever the answer; idempotency_key returns the
//   first outcome without asking again.
// - 2026-07-28 (v2 client 2.4.0): input_required with a requestState;
//   the SDK's own multi-round-trip driver answers through the same
//   handler; a replayed, tampered, foreign or mismatched requestState is
//   refused with a clear error.
// - A client without elicitation is refused (headless default).
// Every decision's audit line is checked for its fields, and neither the
// audit log nor racktop_activity ever shows a requestState.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';

import {
  OutputCheck, callChecked, connect, listAllTools, resultText, scaled, startTestd, tempDir,
  waitFor,
} from './lib.mjs';
import { OutputCheck2, allTools, connect2 } from './lib2.mjs';

const ELICIT = { elicitation: { form: {} } };

// An elicitation handler whose answers the test sets, recording requests.
class User {
  constructor() {
    this.asked = [];
    this.answer = { action: 'accept', content: { approve: true } };
    this.gate = null;
    this.aborts = 0;
  }

  // extra.signal aborts when racktop cancels its question.
  async handle(params, extra) {
    this.asked.push(params);
    extra?.signal?.addEventListener('abort', () => {
      this.aborts++;
    });
    if (this.gate) await this.gate;
    return this.answer;
  }
}

let srv;
let auditDir;
let auditPath;
const timeoutMs = scaled(4000);
const states = [];

function auditLines() {
  if (!fs.existsSync(auditPath)) return [];
  return fs.readFileSync(auditPath, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l));
}

// The decision lines of testsvc_wipe on a target.
function decisions(target) {
  return auditLines().filter((l) => l.type === 'decision' && l.tool === 'testsvc_wipe' &&
    l.arguments?.target === target);
}

// Every field DESIGN.md pins for a decision line.
function checkLine(l, decision, detail) {
  assert.equal(l.decision, decision, JSON.stringify(l));
  if (detail !== undefined) assert.match(l.detail ?? '', detail, JSON.stringify(l));
  assert.match(l.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(l.source, 'agent');
  assert.match(l.identity, new RegExp(`^uid=${process.getuid()} pid=\\d+ exe=/`));
  assert.equal(typeof l.arguments, 'object');
  assert.ok(['ok', 'error', 'pending'].includes(l.outcome));
  assert.equal(typeof l.duration_ms, 'number');
  assert.ok(Number.isInteger(l.connection) && l.connection > 0);
}

before(async () => {
  auditDir = tempDir();
  auditPath = path.join(auditDir, 'audit.jsonl');
  srv = await startTestd(['--workers', '2', '--approval-timeout', String(timeoutMs),
    '--audit', auditPath]);
});

after(async () => {
  const exited = await srv?.stop();
  // A clean exit: no sanitizer report, nothing leaked.
  assert.deepEqual(exited, { code: 0, signal: null }, srv?.stderr);
  assert.doesNotMatch(srv?.stderr ?? '', /Sanitizer|runtime error:/);
  srv?.cleanup();
  // Nothing secret in the audit log: no requestState, whole or in part.
  const text = fs.existsSync(auditPath) ? fs.readFileSync(auditPath, 'utf8') : '';
  for (const st of states) {
    assert.ok(!text.includes(st.split('.').pop()), 'a requestState MAC reached the audit log');
  }
  fs.rmSync(auditDir, { recursive: true, force: true });
});

for (const mode of ['socket', 'bridge']) {
  describe(`2025-11-25 elicitation over ${mode === 'socket' ? 'the socket' : 'racktop mcp'}`, () => {
    let conn;
    let check;
    const user = new User();

    async function count() {
      return (await callChecked(conn, check, 'testsvc_count')).structuredContent;
    }

    before(async () => {
      conn = await connect(mode, srv.sock, `elicit-${mode}`, {
        capabilities: ELICIT,
        setup: (c) => c.setRequestHandler(ElicitRequestSchema, (req, extra) => user.handle(req.params, extra)),
      });
      check = new OutputCheck((await listAllTools(conn.client)).tools);
    });

    after(async () => {
      await conn?.close();
    });

    test('accept runs the call; the question names tool, target and request', { timeout: scaled(20000) }, async () => {
      const before0 = await count();
      const r = await callChecked(conn, check, 'testsvc_wipe', { target: `${mode}-a` });
      assert.equal(r.isError, false, resultText(r));
      assert.equal((await count()).wipes, before0.wipes + 1);
      const q = user.asked.at(-1);
      assert.equal(q.mode, 'form');
      assert.match(q.message, /testsvc_wipe/);
      assert.match(q.message, new RegExp(`on ${mode}-a`));
      assert.match(q.message, new RegExp(`"method":"DELETE","path":"/testsvc/wipe/${mode}-a"`));
      assert.equal(q.requestedSchema.properties.approve.type, 'boolean');
      assert.deepEqual(q.requestedSchema.required, ['approve']);
      const lines = decisions(`${mode}-a`);
      checkLine(lines[0], 'held', /^elicitation$/);
      checkLine(lines[1], 'approved', /^elicitation: accept$/);
      assert.ok(auditLines().some((l) => l.type === 'write' && l.arguments?.target === `${mode}-a` &&
        l.outcome === 'ok' && l.arguments.dry_run === false), 'the run itself is audited');
    });

    test('decline and approve=false are denied by operator', { timeout: scaled(20000) }, async () => {
      const before0 = await count();
      for (const [i, answer] of [{ action: 'decline' }, { action: 'cancel' },
        { action: 'accept', content: { approve: false } }].entries()) {
        user.answer = answer;
        const r = await callChecked(conn, check, 'testsvc_wipe', { target: `${mode}-d${i}` });
        assert.equal(r.isError, true);
        assert.equal(resultText(r), 'denied by operator');
        const lines = decisions(`${mode}-d${i}`);
        checkLine(lines.at(-1), 'denied', /^elicitation: /);
        assert.equal(lines.at(-1).outcome, 'error');
        assert.equal(lines.at(-1).error, 'denied by operator');
      }
      assert.equal((await count()).wipes, before0.wipes);
      user.answer = { action: 'accept', content: { approve: true } };
    });

    test('a call cancelled while asked never runs, even when accepted afterwards', { timeout: scaled(20000) }, async () => {
      const before0 = await count();
      let open;
      user.gate = new Promise((res) => {
        open = res;
      });
      const n = user.asked.length;
      const aborts = user.aborts;
      const ac = new AbortController();
      const p = conn.client.callTool({ name: 'testsvc_wipe', arguments: { target: `${mode}-c` } },
        undefined, { signal: ac.signal, timeout: scaled(10000) }).then((r) => ({ r }), (err) => ({ err }));
      await waitFor('the question', async () => user.asked.length > n);
      ac.abort('the agent gives up');
      assert.ok((await p).err, 'the aborted call resolved');
      await waitFor('the withdrawal in the audit log', async () =>
        decisions(`${mode}-c`).some((l) => l.decision === 'withdrawn: cancelled'));
      await waitFor('racktop to cancel its question', async () => user.aborts > aborts);
      open();	// the user says yes, too late
      user.gate = null;
      // Another call after it: the connection still works, the wipe never ran.
      await waitFor('the late answer to be handled', async () =>
        (await count()).echoes >= 0 && user.asked.length > n);
      assert.equal((await count()).wipes, before0.wipes);
      checkLine(decisions(`${mode}-c`).at(-1), 'withdrawn: cancelled', /^elicitation$/);
    });

    test('an unanswered question times out, and the question is cancelled', { timeout: scaled(30000) }, async () => {
      if (mode !== 'socket') return;	// one run is enough: 4 s of waiting
      const before0 = await count();
      const aborts = user.aborts;
      user.gate = new Promise(() => {});	// the user never answers
      const r = await callChecked(conn, check, 'testsvc_wipe', { target: `${mode}-t` }, { timeout: scaled(20000) });
      user.gate = null;
      await waitFor('racktop to cancel its question', async () => user.aborts > aborts);
      assert.equal(r.isError, true);
      assert.match(resultText(r), /^not approved: timed out/);
      assert.equal((await count()).wipes, before0.wipes);
      checkLine(decisions(`${mode}-t`).at(-1), 'timed out', /^elicitation$/);
    });

    test('idempotency_key: a retry returns the first outcome without asking', { timeout: scaled(20000) }, async () => {
      const before0 = await count();
      const key = `key-${mode}-1`;
      const first = await callChecked(conn, check, 'testsvc_wipe', { target: `${mode}-k`, idempotency_key: key });
      assert.equal(first.isError, false, resultText(first));
      const asked = user.asked.length;
      const again = await callChecked(conn, check, 'testsvc_wipe', { target: `${mode}-k`, idempotency_key: key });
      assert.deepEqual(again.structuredContent, first.structuredContent);
      assert.equal(user.asked.length, asked, 'asked twice');
      assert.equal((await count()).wipes, before0.wipes + 1, 'ran twice');
      const replay = decisions(`${mode}-k`).at(-1);
      checkLine(replay, 'replayed', /^idempotency_key$/);
      assert.equal(replay.idempotency_key, key);
      // The same key with other arguments is refused.
      const other = await callChecked(conn, check, 'testsvc_wipe', { target: `${mode}-other`, idempotency_key: key });
      assert.equal(other.isError, true);
      assert.match(resultText(other), /idempotency_key: already used with other arguments/);
      // A denial is a first outcome too.
      user.answer = { action: 'decline' };
      const d1 = await callChecked(conn, check, 'testsvc_wipe', { target: `${mode}-kd`, idempotency_key: `${key}-d` });
      user.answer = { action: 'accept', content: { approve: true } };
      const d2 = await callChecked(conn, check, 'testsvc_wipe', { target: `${mode}-kd`, idempotency_key: `${key}-d` });
      assert.equal(resultText(d1), 'denied by operator');
      assert.equal(resultText(d2), 'denied by operator');
      assert.equal((await count()).wipes, before0.wipes + 1);
    });
  });
}

describe('2025-11-25 without elicitation', () => {
  test('is refused: the headless default', { timeout: scaled(20000) }, async () => {
    const conn = await connect('socket', srv.sock, 'no-elicit');
    try {
      const check = new OutputCheck((await listAllTools(conn.client)).tools);
      const r = await callChecked(conn, check, 'testsvc_wipe', { target: 'plain-1' });
      assert.equal(r.isError, true);
      assert.match(resultText(r), /^not approved: no operator/);
      checkLine(decisions('plain-1').at(-1), 'denied: no operator');
    } finally {
      await conn.close();
    }
  });
});

for (const how of ['socket', 'bridge']) describe(`2026-07-28 input_required over ${how === 'socket' ? 'the socket' : 'racktop mcp'}`, () => {
  const t = (name) => `${how}-${name}`;
  let conn;
  let check;
  const user = new User();

  async function count() {
    const r = await conn.client.callTool({ name: 'testsvc_count', arguments: {} }, { timeout: scaled(10000) });
    return r.structuredContent;
  }

  // One leg, by hand: the input_required result itself.
  function leg(c, args, extra = {}) {
    return c.client.request({ method: 'tools/call', params: { name: 'testsvc_wipe', arguments: args, ...extra } },
      { timeout: scaled(10000), allowInputRequired: true });
  }

  before(async () => {
    conn = await connect2(how, 'modern', srv.sock, `elicit-modern-${how}`, {
      capabilities: ELICIT,
      setup: (c) => c.setRequestHandler('elicitation/create', (req) => user.handle(req.params)),
    });
    check = new OutputCheck2(await allTools(conn.client));
  });

  after(async () => {
    await conn?.close();
  });

  test('the SDK driver answers: accept runs, decline is denied', { timeout: scaled(20000) }, async () => {
    const before0 = await count();
    const r = await conn.client.callTool({ name: 'testsvc_wipe', arguments: { target: t('m-a') } }, { timeout: scaled(10000) });
    check.check('testsvc_wipe', r);
    assert.equal(r.isError, false, JSON.stringify(r));
    assert.match(user.asked.at(-1).message, new RegExp(`testsvc_wipe on ${t('m-a')}`));
    assert.match(user.asked.at(-1).message, new RegExp(`"path":"/testsvc/wipe/${t('m-a')}"`));
    user.answer = { action: 'decline' };
    const d = await conn.client.callTool({ name: 'testsvc_wipe', arguments: { target: t('m-d') } }, { timeout: scaled(10000) });
    user.answer = { action: 'accept', content: { approve: true } };
    assert.equal(d.isError, true);
    assert.equal(d.content[0].text, 'denied by operator');
    assert.equal((await count()).wipes, before0.wipes + 1);
    checkLine(decisions(t('m-a')).at(-1), 'approved', /^elicitation: accept \(requestState\)$/);
    checkLine(decisions(t('m-d')).at(-1), 'denied', /^elicitation: decline \(requestState\)$/);
  });

  test('a requestState is single-use, tamper-proof and bound to caller and call', { timeout: scaled(20000) }, async () => {
    const before0 = await count();
    const yes = { approve: { action: 'accept', content: { approve: true } } };
    const first = await leg(conn, { target: t('m-r') });
    assert.equal(first.resultType, 'input_required');
    assert.equal(first.inputRequests.approve.method, 'elicitation/create');
    assert.equal(typeof first.requestState, 'string');
    states.push(first.requestState);
    const st = first.requestState;

    // Tampered: one character changed.
    const flip = st.slice(0, 10) + (st[10] === 'a' ? 'b' : 'a') + st.slice(11);
    await assert.rejects(leg(conn, { target: t('m-r') }, { requestState: flip, inputResponses: yes }),
      /requestState refused: tampered or not issued by this racktop/);
    // For another call (other arguments).
    await assert.rejects(leg(conn, { target: t('m-x') }, { requestState: st, inputResponses: yes }),
      /requestState refused: issued for another call/);
    // From another connection (another caller, as the stateless era allows).
    const thief = await connect2(how, 'modern', srv.sock, `elicit-modern-${how}`, { capabilities: ELICIT });
    try {
      await assert.rejects(leg(thief, { target: t('m-r') }, { requestState: st, inputResponses: yes }),
        /requestState refused: issued to another caller/);
    } finally {
      await thief.close();
    }
    assert.equal((await count()).wipes, before0.wipes, 'a refused state ran the call');

    // The real retry runs it once; replaying it is refused.
    const ok = await leg(conn, { target: t('m-r') }, { requestState: st, inputResponses: yes });
    check.check('testsvc_wipe', ok);
    assert.equal(ok.isError, false);
    await assert.rejects(leg(conn, { target: t('m-r') }, { requestState: st, inputResponses: yes }),
      /requestState refused: already used or unknown/);
    assert.equal((await count()).wipes, before0.wipes + 1);
    const refused = decisions(t('m-r')).filter((l) => l.detail === 'requestState refused');
    assert.equal(refused.length, 3);
    for (const l of refused) checkLine(l, 'denied');
    assert.equal(decisions(t('m-x')).at(-1).detail, 'requestState refused');

    // Without the answer, it asks again.
    const second = await leg(conn, { target: t('m-r') });
    states.push(second.requestState);
    const again = await leg(conn, { target: t('m-r') }, { requestState: second.requestState });
    assert.equal(again.resultType, 'input_required');
    states.push(again.requestState);
  });

  test('a client without elicitation is refused', { timeout: scaled(20000) }, async () => {
    const plain = await connect2(how, 'modern', srv.sock, 'plain-modern');
    try {
      const r = await plain.client.callTool({ name: 'testsvc_wipe', arguments: { target: t('m-p') } }, { timeout: scaled(10000) });
      assert.equal(r.isError, true);
      assert.match(r.content[0].text, /^not approved: no operator/);
    } finally {
      await plain.close();
    }
  });

  test('racktop_activity lists the decisions, filtered, and no requestState', { timeout: scaled(20000) }, async () => {
    const r = await conn.client.callTool({ name: 'racktop_activity',
      arguments: { tool: 'testsvc_wipe', outcome: 'error', limit: 1000 } }, { timeout: scaled(10000) });
    check.check('racktop_activity', r);
    const items = r.structuredContent.items;
    assert.ok(items.length > 0);
    for (const it of items) {
      assert.equal(it.tool, 'testsvc_wipe');
      assert.equal(it.outcome, 'error');
    }
    assert.ok(items.some((it) => it.decision === 'denied' && it.detail === 'requestState refused'));
    const text = JSON.stringify(r);
    for (const st of states) assert.ok(!text.includes(st.split('.').pop()), 'a requestState in racktop_activity');
    const mine = await conn.client.callTool({ name: 'racktop_activity',
      arguments: { caller: 'client=elicit-socket', limit: 5 } }, { timeout: scaled(10000) });
    check.check('racktop_activity', mine);
    assert.ok(mine.structuredContent.items.length > 0);
    assert.ok(mine.structuredContent.items.length <= 5);
    for (const it of mine.structuredContent.items) assert.match(it.identity, /client=elicit-socket/);
  });
});
