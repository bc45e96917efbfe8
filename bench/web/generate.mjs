#!/usr/bin/env node
// Generated records for the web bench: valid records of five types
// (incident, system, assessment, evaluation, practice; oversight needs a
// human's signature and is left out), TLP clear/green/amber/amber+strict/red
// mixed, the 11 member states, `created` spread over the last two years
// (RFC 3339, Z), text in English, Thai, Vietnamese, Malay, Indonesian and
// Filipino, about 600 bytes each. Deterministic for a seed.
//
//   node bench/web/generate.mjs --count N [--start K] [--seed S] [--audience NAME] > records.jsonl
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

export const MEMBER_STATES = ['BN', 'KH', 'ID', 'LA', 'MY', 'MM', 'PH', 'SG', 'TH', 'TL', 'VN'];

// Deterministic PRNG (mulberry32) per record: record i is the same whatever
// chunk it is generated in.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Phrase banks per language: subjects, harms, places, details.
const TEXT = {
  en: {
    subj: ['Deepfake video of a minister', 'Voice-cloned call to a parent', 'Chatbot for a public hospital', 'Credit-scoring model', 'Vessel-classification model', 'AI-written news site', 'Face-recognition gate at a port', 'Translation model for health advisories', 'Recruitment screening tool', 'Drone target-recognition aid'],
    harm: ['promoted a fake investment platform', 'demanded a ransom in crypto', 'gave an unsafe dosage', 'rejected applicants from rural districts', 'misclassified fishing boats as fast attack craft', 'spread false flood warnings', 'leaked personal data of travellers', 'mistranslated rehydration instructions', 'filtered out older women', 'proposed a low-confidence classification'],
    detail: ['Reports came from several provinces over two weeks.', 'The operator paused the system pending review.', 'Victims were asked to transfer money to new accounts.', 'A human reviewer caught the error before harm in some cases.', 'The platform removed the content after notification.', 'Similar patterns were seen in neighbouring states.'],
  },
  th: {
    subj: ['คลิปดีปเฟกของรัฐมนตรี', 'การโทรด้วยเสียงโคลนถึงผู้ปกครอง', 'แชตบอตของโรงพยาบาลรัฐ', 'แบบจำลองให้คะแนนสินเชื่อ', 'ระบบจำแนกเรือ', 'เว็บไซต์ข่าวที่เขียนด้วย AI'],
    harm: ['ชักชวนให้ลงทุนในแพลตฟอร์มปลอม', 'เรียกค่าไถ่เป็นเงินดิจิทัล', 'แนะนำขนาดยาที่ไม่ปลอดภัย', 'ปฏิเสธผู้สมัครจากชนบท', 'ระบุเรือประมงผิดเป็นเรือติดอาวุธ', 'เผยแพร่คำเตือนน้ำท่วมปลอม'],
    detail: ['มีผู้ร้องเรียนจากหลายจังหวัดภายในสองสัปดาห์', 'ผู้ให้บริการระงับระบบเพื่อตรวจสอบ', 'ผู้เสียหายถูกขอให้โอนเงินเข้าบัญชีใหม่', 'เจ้าหน้าที่ตรวจพบข้อผิดพลาดก่อนเกิดความเสียหาย'],
  },
  vi: {
    subj: ['Video giả mạo bộ trưởng', 'Cuộc gọi nhân bản giọng nói tới phụ huynh', 'Chatbot của bệnh viện công', 'Mô hình chấm điểm tín dụng', 'Hệ thống phân loại tàu cá', 'Trang tin tức do AI viết'],
    harm: ['quảng cáo nền tảng đầu tư lừa đảo', 'đòi tiền chuộc bằng tiền mã hóa', 'đưa ra liều thuốc không an toàn', 'từ chối người nộp đơn ở nông thôn', 'nhận nhầm tàu cá là tàu vũ trang', 'lan truyền cảnh báo lũ giả'],
    detail: ['Nhiều tỉnh ghi nhận phản ánh trong hai tuần.', 'Đơn vị vận hành tạm dừng hệ thống để rà soát.', 'Nạn nhân bị yêu cầu chuyển tiền vào tài khoản mới.', 'Cán bộ phát hiện lỗi trước khi gây thiệt hại.'],
  },
  ms: {
    subj: ['Video deepfake menteri', 'Panggilan suara klon kepada ibu bapa', 'Chatbot hospital awam', 'Model pemarkahan kredit', 'Sistem klasifikasi kapal', 'Laman berita ditulis AI'],
    harm: ['mempromosikan platform pelaburan palsu', 'menuntut wang tebusan dalam kripto', 'memberi dos yang tidak selamat', 'menolak pemohon dari luar bandar', 'tersalah mengenal pasti bot nelayan', 'menyebarkan amaran banjir palsu'],
    detail: ['Aduan diterima dari beberapa negeri dalam dua minggu.', 'Pengendali menggantung sistem untuk semakan.', 'Mangsa diminta memindahkan wang ke akaun baharu.'],
  },
  id: {
    subj: ['Video deepfake menteri', 'Panggilan suara kloning kepada orang tua', 'Chatbot rumah sakit umum', 'Model penilaian kredit', 'Sistem klasifikasi kapal', 'Situs berita buatan AI'],
    harm: ['mempromosikan platform investasi palsu', 'meminta tebusan dalam kripto', 'memberikan dosis yang tidak aman', 'menolak pelamar dari desa', 'salah mengenali kapal nelayan', 'menyebarkan peringatan banjir palsu'],
    detail: ['Laporan datang dari beberapa provinsi dalam dua minggu.', 'Operator menghentikan sistem untuk ditinjau.', 'Korban diminta mentransfer uang ke rekening baru.'],
  },
  fil: {
    subj: ['Deepfake na video ng ministro', 'Tawag na may kinopyang boses sa magulang', 'Chatbot ng pampublikong ospital', 'Modelo ng credit scoring', 'Sistema ng pag-uuri ng barko'],
    harm: ['nag-alok ng pekeng pamumuhunan', 'humingi ng ransom sa crypto', 'nagbigay ng hindi ligtas na dosis', 'tumanggi sa mga aplikante mula sa probinsya', 'nagkamali sa pagkilala ng bangkang pangisda'],
    detail: ['Maraming ulat mula sa iba\'t ibang lalawigan sa loob ng dalawang linggo.', 'Itinigil ng operator ang sistema para suriin.'],
  },
};
const LANGS = ['en', 'en', 'th', 'vi', 'ms', 'id', 'fil'];
const TYPES = ['incident', 'incident', 'incident', 'incident', 'system', 'assessment', 'evaluation', 'practice'];
const TLPS = ['clear', 'clear', 'clear', 'clear', 'green', 'green', 'green', 'amber', 'amber', 'amber+strict', 'red'];
const DOMAINS = ['information', 'financial', 'cyber', 'maritime', 'health', 'public-services', 'employment', 'defence'];
const HARMS = ['discrimination-toxicity', 'privacy-security', 'misinformation', 'malicious-use', 'human-computer-interaction', 'socioeconomic-environmental', 'ai-system-safety'];
const SEVERITIES = ['low', 'moderate', 'high', 'critical'];
const PRINCIPLES = ['transparency-explainability', 'fairness-equity', 'security-safety', 'human-centricity', 'privacy-data-governance', 'accountability-integrity', 'robustness-reliability'];
const SECTORS = ['public-administration', 'finance', 'health', 'education', 'employment', 'transport', 'maritime', 'defence'];
const TIERS = ['minimal', 'limited', 'high', 'unacceptable'];
const INVOLVEMENT = ['human-in-the-loop', 'human-over-the-loop', 'human-out-of-the-loop'];
const DAY = 86_400_000;

const pick = (r, a) => a[Math.floor(r() * a.length)];
function some(r, a, max) {
  const n = 1 + Math.floor(r() * max);
  const out = new Set();
  while (out.size < n) out.add(pick(r, a));
  return [...out];
}
const date = (ms) => new Date(ms).toISOString().slice(0, 10);

// Record number i (0-based) of the set made with `seed`; `now` fixes the
// two-year window.
export function generateRecord(i, { seed = 7, now = Date.now(), audience = ['SG-AISI'] } = {}) {
  const r = rng((seed * 0x9e3779b1) ^ (i * 0x85ebca6b) ^ 0x5bd1e995);
  const lang = pick(r, LANGS);
  const t = TEXT[lang];
  const type = pick(r, TYPES);
  const tlp = pick(r, TLPS);
  // Most records of the last weeks, as a live node would have: the newest
  // tenth of the records in the last 30 days, the rest over two years.
  const age = r() < 0.1 ? r() * 30 * DAY : r() * 730 * DAY;
  const createdMs = now - age;
  const created = new Date(createdMs).toISOString().replace(/\.\d{3}Z$/, `.${String(i % 1000).padStart(3, '0')}Z`);
  const countries = some(r, MEMBER_STATES, 2);
  const subj = pick(r, t.subj);
  const harm = pick(r, t.harm);
  const title = `${subj} ${harm} (#${i + 1})`;
  const description = `${subj} ${harm}. ${pick(r, t.detail)} ${pick(r, t.detail)} ${pick(r, t.detail)}`;
  const doc = { type, tlp, lang, countries, created, title, summary: `${subj} ${harm}. ${pick(r, t.detail)}` };
  if (tlp === 'amber' || tlp === 'amber+strict') doc.audience = audience;
  switch (type) {
    case 'incident':
      doc.body = {
        occurred: date(createdMs - Math.floor(r() * 20) * DAY), domain: pick(r, DOMAINS), harm_categories: some(r, HARMS, 2),
        severity: pick(r, SEVERITIES), description, affected: Math.floor(r() * 5000),
      };
      break;
    case 'system':
      doc.body = {
        name: `${subj.split(' ').slice(0, 3).join(' ')} ${i % 97}`, provider: pick(r, ['Acme AI', 'Nusantara Labs', 'Mekong Systems', 'Lion City AI']),
        purpose: description, sector: pick(r, SECTORS), deployment_countries: countries, risk_tier: pick(r, TIERS),
        human_involvement: pick(r, INVOLVEMENT),
      };
      break;
    case 'assessment':
      doc.body = {
        system: { name: `${subj.split(' ').slice(0, 3).join(' ')} ${i % 97}` },
        answers: { [pick(r, PRINCIPLES)]: { rating: pick(r, ['met', 'partially-met', 'not-met']), answer: description } },
        risk_tier: pick(r, TIERS), recommended_human_involvement: pick(r, INVOLVEMENT),
      };
      break;
    case 'evaluation':
      doc.body = {
        model: pick(r, ['SeaLLM-7B', 'Llama-3-8B', 'Qwen2-7B', 'Sailor-7B']), task: `${subj} (${lang})`,
        framework: pick(r, ['inspect', 'lm-evaluation-harness', 'other']), samples: 100 + Math.floor(r() * 2000),
        metrics: [{ name: 'accuracy', value: Math.round(r() * 1000) / 1000 }], findings: description,
      };
      break;
    default:
      doc.body = { kind: pick(r, ['safeguard', 'best-practice', 'lesson-learned', 'policy']), principles: some(r, PRINCIPLES, 2), description };
  }
  return doc;
}

// JSON Lines of records [start, start + count).
export function* generateLines(start, count, opts) {
  for (let i = start; i < start + count; i++) yield JSON.stringify(generateRecord(i, opts)) + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '1000' },
      start: { type: 'string', default: '0' },
      seed: { type: 'string', default: '7' },
      audience: { type: 'string', default: 'SG-AISI' },
      now: { type: 'string' },
    },
  });
  const opts = { seed: Number(values.seed), audience: [values.audience], now: values.now ? Date.parse(values.now) : Date.now() };
  let buf = '';
  for (const line of generateLines(Number(values.start), Number(values.count), opts)) {
    buf += line;
    if (buf.length > 1 << 20) { process.stdout.write(buf); buf = ''; }
  }
  process.stdout.write(buf);
}
