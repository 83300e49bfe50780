// Caller policy end to end, with the official v1 SDK over the socket and
// through `racktop mcp`: a caller whose verified uid has the read role
// (racktop-testd --roles "uid=N read") reads, but cannot call a write
// tool, destructive or not, with or without elicitation or an
// idempotency_key, and not even a dry run; each refusal is one audit
// line naming the policy.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';

import {
  OutputCheck, callChecked, connect, listAllTools, resultText, scaled, startTestd, tempDir,
} from './lib.mjs';

let srv;
let auditDir;
let auditPath;

before(async () => {
  auditDir = tempDir();
  auditPath = path.join(auditDir, 'audit.jsonl');
  srv = await startTestd(['--roles', `uid=${process.getuid()} read`, '--audit', auditPath]);
});

after(async () => {
  const exited = await srv?.stop();
  // A clean exit: no sanitizer report, nothing leaked.
  assert.deepEqual(exited, { code: 0, signal: null }, srv?.stderr);
  assert.doesNotMatch(srv?.stderr ?? '', /Sanitizer|runtime error:/);
  srv?.cleanup();
  fs.rmSync(auditDir, { recursive: true, force: true });
});

for (const mode of ['socket', 'bridge']) {
  describe(`a read caller over ${mode === 'socket' ? 'the socket' : 'racktop mcp'}`, () => {
    let conn;
    let check;
    let asked = 0;

    before(async () => {
      conn = await connect(mode, srv.sock, `reader-${mode}`, {
        capabilities: { elicitation: { form: {} } },
        setup: (c) => c.setRequestHandler(ElicitRequestSchema, () => {
          asked++;
          return { action: 'accept', content: { approve: true } };
        }),
      });
      check = new OutputCheck((await listAllTools(conn.client)).tools);
    });

    after(async () => {
      await conn?.close();
    });

    test('reads, but no write tool runs', { timeout: scaled(20000) }, async () => {
      const r = await callChecked(conn, check, 'testsvc_echo', { text: 'hi' });
      assert.equal(r.isError, false);
      const before0 = (await callChecked(conn, check, 'testsvc_count')).structuredContent;
      const calls = [
        ['testsvc_wipe', { target: `${mode}-w` }],
        ['testsvc_wipe', { target: `${mode}-w`, dry_run: true }],
        ['testsvc_wipe', { target: `${mode}-w`, idempotency_key: `k-${mode}` }],
        ['testsvc_publish', { note: `${mode}-p` }],
      ];
      for (const [name, args] of calls) {
        const w = await callChecked(conn, check, name, args);
        assert.equal(w.isError, true, `${name} ran for a read caller`);
        assert.match(resultText(w), /role is read/);
      }
      const after0 = (await callChecked(conn, check, 'testsvc_count')).structuredContent;
      assert.equal(after0.wipes, before0.wipes);
      assert.equal(asked, 0, 'a read caller was asked to approve');
      const lines = fs.readFileSync(auditPath, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l))
        .filter((l) => l.identity?.includes(`client=reader-${mode}`) && l.type === 'decision');
      assert.equal(lines.length, calls.length);
      for (const l of lines) {
        assert.equal(l.decision, 'denied');
        assert.equal(l.detail, 'policy');
        assert.equal(l.source, 'agent');
        assert.equal(l.outcome, 'error');
        assert.match(l.error, /role is read/);
        assert.match(l.identity, new RegExp(`^uid=${process.getuid()} pid=\\d+ exe=/`));
      }
    });
  });
}
