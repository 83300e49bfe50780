// Approval in lazy mode (`racktop mcp` with nothing listening serves the
// tools itself over stdio, with no dashboard): a Proxmox reboot against
// racktop-sim is asked through the client's elicitation, in both eras,
// with the official SDKs; accept reboots (the simulator counts the
// request), decline does not.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';

import { RACKTOP, childEnv, connect, resultText, scaled, tempDir, waitFor } from './lib.mjs';
import { connect2 } from './lib2.mjs';

const SIM = process.env.RACKTOP_SIM ?? path.join(path.dirname(RACKTOP ?? '.'), 'racktop-sim');

let dir;
let sim;
let control;

// The simulator's count of reboot requests.
async function reboots() {
  const counts = await (await fetch(`${control}/counts`)).json();
  return Object.entries(counts.proxmox ?? {}).filter(([k]) => /status\/reboot$/.test(k))
    .reduce((n, [, v]) => n + v, 0);
}

before(async () => {
  dir = tempDir();
  const ep = path.join(dir, 'ep.json');
  sim = spawn(SIM, ['--seed', '1', '--clock', 'fixed', '--scale', 'small', '--services', 'proxmox',
    '--endpoints', ep], { env: childEnv(dir), stdio: ['ignore', 'ignore', 'pipe'] });
  await waitFor('the simulator', async () => fs.existsSync(ep) && fs.statSync(ep).size > 0, 10000);
  const e = JSON.parse(fs.readFileSync(ep, 'utf8'));
  control = e.control;
  fs.writeFileSync(path.join(dir, 'racktop.conf'), `[proxmox "lab"]\nurl = ${e.proxmox.url}\n` +
    `token_id = ${e.proxmox.token_id}\ntoken = ${e.proxmox.token}\ntimeout = 5\n`, { mode: 0o600 });
});

after(() => {
  sim?.kill('SIGTERM');
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('lazy mode asks through elicitation', () => {
  test('2025-11-25: accept reboots, decline does not', { timeout: scaled(30000) }, async () => {
    const asked = [];
    let answer = { action: 'accept', content: { approve: true } };
    const conn = await connect('lazy', path.join(dir, 'mcp.sock'), 'lazy-agent', {
      capabilities: { elicitation: { form: {} } },
      setup: (c) => c.setRequestHandler(ElicitRequestSchema, (req) => {
        asked.push(req.params);
        return answer;
      }),
    });
    try {
      const n0 = await reboots();
      const r = await conn.client.callTool({ name: 'proxmox_reboot_vm', arguments: { vmid: 101 } },
        undefined, { timeout: scaled(20000) });
      assert.equal(r.isError, false, resultText(r));
      assert.equal(await reboots(), n0 + 1);
      assert.match(asked[0].message, /proxmox_reboot_vm/);
      assert.match(asked[0].message, /reboot/);
      answer = { action: 'decline' };
      const d = await conn.client.callTool({ name: 'proxmox_reboot_vm', arguments: { vmid: 101 } },
        undefined, { timeout: scaled(20000) });
      assert.equal(resultText(d), 'denied by operator');
      assert.equal(await reboots(), n0 + 1);
    } finally {
      await conn.close();
    }
  });

  test('2026-07-28: input_required answered by the SDK driver', { timeout: scaled(30000) }, async () => {
    let answer = { action: 'accept', content: { approve: true } };
    const conn = await connect2('bridge', 'modern', path.join(dir, 'mcp.sock'), 'lazy-modern', {
      capabilities: { elicitation: { form: {} } },
      setup: (c) => c.setRequestHandler('elicitation/create', () => answer),
    });
    try {
      const n0 = await reboots();
      const r = await conn.client.callTool({ name: 'proxmox_reboot_vm', arguments: { vmid: 102 } },
        { timeout: scaled(20000) });
      assert.equal(r.isError, false, JSON.stringify(r));
      assert.equal(await reboots(), n0 + 1);
      answer = { action: 'decline' };
      const d = await conn.client.callTool({ name: 'proxmox_reboot_vm', arguments: { vmid: 102 } },
        { timeout: scaled(20000) });
      assert.equal(d.content[0].text, 'denied by operator');
      assert.equal(await reboots(), n0 + 1);
    } finally {
      await conn.close();
    }
  });
});
