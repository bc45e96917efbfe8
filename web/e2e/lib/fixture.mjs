// Builds the two-node network the browser tests run against:
//   node A "MY-AISI" (MY): the 42 example records (amber audiences mapped to
//     SG-AISI), principals alice (contributor), ana (analyst), root (admin),
//     a peer SG-AISI it has synced from;
//   node B "SG-AISI" (SG): a few records of its own (a clear Vietnamese one,
//     a green one, an amber one addressed to MY-AISI), which A pulls;
//   node C "TH-ETDA" (TH) and a fork of it (C's key, another record at the
//     same size): A pulls from C, then from the fork, and so holds a real
//     split-view alert for C (docs/federation.md), which /network must show.
// Returns everything the scenarios need to know (ids, titles, tokens, URL).
import fs from 'node:fs';
import path from 'node:path';
import { cli, CliError, lines, Server } from './nodes.mjs';

export const NODE_A = 'MY-AISI';
export const NODE_B = 'SG-AISI';
export const NODE_C = 'TH-ETDA';
const HIDDEN_FROM_CONTRIBUTOR = new Set(['amber', 'amber+strict', 'red']);

// Records node B publishes. Titles are unique so a page's text can be
// searched for them.
function nodeBRecords() {
  return [
    {
      type: 'incident', tlp: 'clear', lang: 'vi', countries: ['VN', 'SG'],
      title: 'Cuộc gọi video giả mạo bằng AI lừa đảo kế toán doanh nghiệp ở Hà Nội',
      summary: 'Kẻ gian dùng video giả mạo giám đốc tài chính để yêu cầu chuyển khoản khẩn cấp.',
      body: {
        occurred: '2026-10-05', domain: 'financial', harm_categories: ['malicious-use'], severity: 'high',
        description: 'Một kế toán nhận cuộc gọi video từ người trông giống giám đốc tài chính, giọng nói và khuôn mặt đều do AI tạo ra, yêu cầu chuyển 2 tỷ đồng cho đối tác mới.',
      },
    },
    {
      type: 'practice', tlp: 'green', lang: 'en', countries: ['SG'],
      title: 'Call-back verification before any payment requested over video',
      body: {
        kind: 'safeguard', principles: ['security-safety'],
        description: 'Finance teams confirm every urgent payment request received by video call through a call-back to a number on file.',
      },
    },
    {
      type: 'incident', tlp: 'amber', audience: [NODE_A], lang: 'en', countries: ['SG', 'MY'],
      title: 'Attempted exfiltration of model weights from a regional cloud tenant (SG amber)',
      body: {
        occurred: '2026-10-11', domain: 'cyber', harm_categories: ['privacy-security'], severity: 'critical',
        description: 'Unusual egress of large files from a GPU tenant; the files matched the hashes of a fine-tuned model.',
      },
    },
  ];
}

export async function buildFixture({ aisafe, web, root, examples, servers }) {
  const dirA = path.join(root, 'node-a');
  const dirB = path.join(root, 'node-b');
  const fx = { root, nodeA: NODE_A, nodeB: NODE_B, servers };

  // Node B: init, records, a member (A) it will serve green/amber to.
  cli(aisafe, dirB, ['init', '--name', NODE_B, '--country', 'SG']);
  cli(aisafe, dirA, ['init', '--name', NODE_A, '--country', 'MY']);
  const keyA = cli(aisafe, dirA, ['key']).trim();
  const keyB = cli(aisafe, dirB, ['key']).trim();
  const bDocs = nodeBRecords();
  const bIds = lines(cli(aisafe, dirB, ['submit', '-'], { input: bDocs.map((d) => JSON.stringify(d)).join('\n') + '\n' }));
  cli(aisafe, dirB, ['member', 'add', NODE_A, keyA, '--country', 'MY']);

  // Node A: the examples, amber audiences mapped to B.
  const exLines = lines(fs.readFileSync(examples, 'utf8'));
  const aDocs = exLines.map((l) => {
    const d = JSON.parse(l);
    if (d.audience) d.audience = [NODE_B];
    return d;
  });
  const aIds = lines(cli(aisafe, dirA, ['submit', '-'], { input: aDocs.map((d) => JSON.stringify(d)).join('\n') + '\n' }));
  if (aIds.length !== aDocs.length) throw new Error(`node A stored ${aIds.length} of ${aDocs.length} examples`);

  const token = (dir, name, role) => {
    cli(aisafe, dir, ['principal', 'add', name, '--role', role]);
    return cli(aisafe, dir, ['token', 'create', name]).trim();
  };
  fx.tokens = {
    contributor: token(dirA, 'alice', 'contributor'),
    analyst: token(dirA, 'ana', 'analyst'),
    admin: token(dirA, 'root', 'admin'),
  };
  fx.principals = { contributor: 'alice', analyst: 'ana', admin: 'root' };

  // B serves; A peers with it and pulls once.
  const b = new Server(aisafe, dirB, { logFile: path.join(root, 'node-b.serve.log') });
  servers.push(b);
  fx.urlB = await b.start();
  cli(aisafe, dirA, ['peer', 'add', NODE_B, fx.urlB, keyB, '--country', 'SG']);
  cli(aisafe, dirA, ['sync'], { timeoutMs: 60_000 });

  // C and its fork: two histories under one key. A witnesses C's, then is
  // shown the other one.
  const dirC = path.join(root, 'node-c');
  const dirFork = path.join(root, 'node-c-fork');
  cli(aisafe, dirC, ['init', '--name', NODE_C, '--country', 'TH']);
  fs.cpSync(dirC, dirFork, { recursive: true });
  const keyC = cli(aisafe, dirC, ['key']).trim();
  const history = (title) => JSON.stringify({
    type: 'incident', tlp: 'clear', lang: 'en', countries: ['TH'], title,
    body: { occurred: '2026-11-01', domain: 'information', harm_categories: ['misinformation'], severity: 'low',
      description: 'A record that exists in one of two histories of the same log.' },
  }) + '\n';
  cli(aisafe, dirC, ['submit', '-'], { input: history('Forked log test: the history TH-ETDA showed first') });
  cli(aisafe, dirFork, ['submit', '-'], { input: history('Forked log test: the other history') });
  const c = new Server(aisafe, dirC, { logFile: path.join(root, 'node-c.serve.log') });
  const fork = new Server(aisafe, dirFork, { logFile: path.join(root, 'node-c-fork.serve.log') });
  servers.push(c, fork);
  const urlC = await c.start();
  const urlFork = await fork.start();
  cli(aisafe, dirA, ['peer', 'add', NODE_C, urlC, keyC, '--country', 'TH']);
  cli(aisafe, dirA, ['sync', NODE_C], { timeoutMs: 60_000 });
  cli(aisafe, dirA, ['peer', 'remove', NODE_C]);
  cli(aisafe, dirA, ['peer', 'add', NODE_C, urlFork, keyC, '--country', 'TH']);
  let forkRefused = false;
  try {
    cli(aisafe, dirA, ['sync', NODE_C], { timeoutMs: 60_000 });
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    forkRefused = /split view/i.test(e.message);
  }
  if (!forkRefused) throw new Error(`node A did not refuse the fork of ${NODE_C} as a split view`);
  await Promise.all([c.stop(), fork.stop()]);
  fx.nodeC = NODE_C;

  const a = new Server(aisafe, dirA, { web, logFile: path.join(root, 'node-a.serve.log') });
  servers.push(a);
  fx.url = await a.start();

  // What the scenarios need to know about the records.
  const recs = [];
  aDocs.forEach((d, i) => recs.push({ id: aIds[i], origin: NODE_A, type: d.type, tlp: d.tlp, lang: d.lang, title: d.title }));
  bDocs.forEach((d, i) => recs.push({ id: bIds[i], origin: NODE_B, type: d.type, tlp: d.tlp, lang: d.lang, title: d.title }));
  fx.records = recs;
  fx.hiddenFromContributor = recs.filter((r) => HIDDEN_FROM_CONTRIBUTOR.has(r.tlp));
  fx.amber = recs.filter((r) => r.tlp === 'amber' || r.tlp === 'amber+strict');
  fx.clear = recs.filter((r) => r.tlp === 'clear');
  fx.green = recs.filter((r) => r.tlp === 'green');
  return fx;
}

export async function stopServers(servers) {
  await Promise.all(servers.map((s) => s.stop()));
}
