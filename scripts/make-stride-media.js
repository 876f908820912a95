'use strict';
/**
 * Makes examples/stride/media/: the demo brand's own media, all made by this project so it may
 * ship them (issue 11): product illustrations of the Cloudline running shoe drawn as SVG and
 * rendered by sharp (several distinct shots on the brand palette), the logo (SVG + PNG), the
 * caption font (DejaVu Sans Bold, copied from Debian's fonts-dejavu-core with its licence), the
 * music bed (lib/media/music.ts), and media.json describing every file (LICENSE.md beside it is
 * kept up to date by hand).
 *
 *   node scripts/make-stride-media.js        (re-creates the folder; deterministic)
 */
require('../test/helpers/ts-register.js');
const fs = require('node:fs');
const path = require('node:path');
const sharp = require('sharp');

const { writeMusicBed } = require('../lib/media/music.ts');

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, 'examples', 'stride', 'media');
const brand = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'stride', 'brand.json'), 'utf8'));
const [NAVY, ORANGE, CREAM] = brand.color_palette;
const NAVY_LIGHT = '#16385F';
const NAVY_DARK = '#061729';
const FONT_SRC = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';
const FONT_LICENCE = '/usr/share/doc/fonts-dejavu-core/copyright';

/** The Cloudline, side view, toe to the right, in a 1000×520 box. */
function shoe({ upper = NAVY_LIGHT, accent = ORANGE, sole = CREAM } = {}) {
  const laces = [0, 1, 2, 3, 4]
    .map((k) => {
      const x = 360 + k * 46;
      const y = 168 + k * 26;
      return `<line x1="${x - 22}" y1="${y + 22}" x2="${x + 26}" y2="${y - 14}" stroke="${sole}" stroke-width="11" stroke-linecap="round"/>`;
    })
    .join('');
  return `
    <g>
      <path d="M70 400 Q40 452 100 468 L905 468 Q985 462 968 404 Q960 384 930 382 L90 382 Z" fill="${NAVY_DARK}"/>
      <path d="M78 330 Q48 392 98 410 L910 410 Q975 404 962 352 Q950 322 900 320 L560 318 Q300 332 78 330 Z" fill="${sole}"/>
      <path d="M96 372 L930 366" stroke="${accent}" stroke-width="10" stroke-linecap="round"/>
      <path d="M92 338 C78 250 118 164 204 146 L332 126 C386 120 426 146 466 188 L566 270 C660 300 786 300 884 312 C934 318 954 334 948 350 L100 348 Z" fill="${upper}"/>
      <path d="M150 318 C330 300 520 230 700 300 C540 268 360 318 168 342 Z" fill="${accent}"/>
      <path d="M204 146 L332 126 C350 150 352 178 336 200 C300 190 250 188 214 196 Z" fill="${NAVY}"/>
      <rect x="96" y="196" width="34" height="86" rx="12" fill="${accent}"/>
      ${laces}
      <path d="M760 304 C820 300 880 306 930 322" stroke="${sole}" stroke-width="6" fill="none" opacity="0.5"/>
    </g>`;
}

function skyline(y, colour, seed) {
  let x = 0;
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const blocks = [];
  while (x < 2400) {
    const w = 60 + Math.floor(rand() * 120);
    const h = 120 + Math.floor(rand() * 360);
    blocks.push(`<rect x="${x}" y="${y - h}" width="${w}" height="${h + 400}" fill="${colour}"/>`);
    x += w + 6;
  }
  return blocks.join('');
}

const defs = `
  <defs>
    <linearGradient id="dusk" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="${NAVY}"/><stop offset="0.62" stop-color="#3A3552"/><stop offset="1" stop-color="${ORANGE}"/>
    </linearGradient>
    <radialGradient id="sun" cx="0.5" cy="0.5" r="0.5">
      <stop offset="0" stop-color="#FFB36B"/><stop offset="0.45" stop-color="${ORANGE}"/><stop offset="1" stop-color="${ORANGE}" stop-opacity="0"/>
    </radialGradient>
    <radialGradient id="spot" cx="0.5" cy="0.45" r="0.6">
      <stop offset="0" stop-color="${CREAM}"/><stop offset="1" stop-color="#D9D6CB"/>
    </radialGradient>
  </defs>`;

/** The shots: [file, width, height, svg body, tags, description]. */
const SHOTS = [
  [
    'cloudline-hero.jpg', 1800, 1800,
    `<rect width="1800" height="1800" fill="${NAVY}"/>
     <circle cx="900" cy="760" r="620" fill="url(#sun)" opacity="0.55"/>
     <ellipse cx="900" cy="1330" rx="720" ry="64" fill="${NAVY_DARK}" opacity="0.7"/>
     <g transform="translate(230 680) scale(1.35)">${shoe()}</g>`,
    ['product', 'hero', 'shoe', 'studio', 'cloudline'],
    'The Cloudline running shoe in side profile, centred on deep navy with a warm orange glow behind it: the hero product shot.',
  ],
  [
    'cloudline-city-dawn.jpg', 1800, 1800,
    `<rect width="1800" height="1800" fill="url(#dusk)"/>
     <circle cx="1240" cy="1080" r="330" fill="url(#sun)"/>
     ${skyline(1250, '#0D2C4B', 7)}
     <rect y="1250" width="1800" height="550" fill="${NAVY_DARK}"/>
     <g stroke="${ORANGE}" stroke-width="8" stroke-linecap="round" opacity="0.8">
       <line x1="180" y1="1060" x2="420" y2="1060"/><line x1="120" y1="1130" x2="380" y2="1130"/><line x1="220" y1="1200" x2="430" y2="1200"/>
     </g>
     <g transform="translate(470 830) rotate(-12 500 260) scale(0.95)">${shoe()}</g>`,
    ['product', 'city', 'golden hour', 'running', 'motion', 'morning'],
    'The Cloudline mid-stride over a city skyline at golden hour, speed lines behind it: a morning city run.',
  ],
  [
    'cloudline-detail.jpg', 1800, 1800,
    `<rect width="1800" height="1800" fill="${NAVY_LIGHT}"/>
     <g transform="translate(-640 -260) scale(3.1)">${shoe()}</g>
     <rect x="0" y="1580" width="1800" height="220" fill="${NAVY}" opacity="0.85"/>
     <rect x="120" y="1660" width="320" height="14" rx="7" fill="${ORANGE}"/>`,
    ['product', 'detail', 'close-up', 'laces', 'midsole', 'texture'],
    'Close-up of the Cloudline: the laces, the orange stripe and the springy cream midsole filling the frame.',
  ],
  [
    'cloudline-pair-flatlay.jpg', 1800, 1800,
    `<rect width="1800" height="1800" fill="url(#spot)"/>
     <g transform="translate(300 430) rotate(8 500 260)"><g opacity="0.25" transform="translate(24 30)">${shoe({ upper: NAVY_DARK, accent: NAVY_DARK, sole: NAVY_DARK })}</g>${shoe()}</g>
     <g transform="translate(520 930) rotate(-6 500 260)"><g opacity="0.25" transform="translate(24 30)">${shoe({ upper: NAVY_DARK, accent: NAVY_DARK, sole: NAVY_DARK })}</g>${shoe({ upper: NAVY, accent: ORANGE })}</g>`,
    ['product', 'pair', 'flat lay', 'light background', 'shoe'],
    'A pair of Cloudline shoes laid out on a warm off-white surface with soft shadows: a clean flat-lay product shot.',
  ],
  [
    'cloudline-track-wide.jpg', 2400, 1350,
    `<rect width="2400" height="1350" fill="${NAVY}"/>
     <path d="M0 980 L2400 860 L2400 1350 L0 1350 Z" fill="#B8461B"/>
     <g stroke="${CREAM}" stroke-width="10" opacity="0.85"><path d="M0 1060 L2400 930"/><path d="M0 1180 L2400 1020"/><path d="M0 1310 L2400 1120"/></g>
     <circle cx="1900" cy="420" r="260" fill="url(#sun)" opacity="0.9"/>
     <g transform="translate(760 560) rotate(-4 500 260) scale(0.9)">${shoe()}</g>`,
    ['product', 'wide', 'track', 'landscape', 'sunrise', 'running'],
    'A wide shot of the Cloudline on an orange running track under a rising sun, with space on the left for text.',
  ],
];

const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="400" viewBox="0 0 1200 400">
  <rect width="1200" height="400" rx="48" fill="${NAVY}"/>
  <g fill="${ORANGE}" transform="translate(90 92)">
    <path d="M60 0 L130 0 L70 216 L0 216 Z"/>
    <path d="M160 0 L230 0 L170 216 L100 216 Z" opacity="0.8"/>
    <path d="M260 0 L330 0 L270 216 L200 216 Z" opacity="0.6"/>
  </g>
  <text x="470" y="250" font-family="DejaVu Sans" font-weight="bold" font-size="150" fill="${CREAM}" letter-spacing="6">STRIDE</text>
  <text x="476" y="318" font-family="DejaVu Sans" font-weight="bold" font-size="40" fill="${ORANGE}" letter-spacing="14">RUNNING CO.</text>
</svg>
`;

async function main() {
  // LICENSE.md is written by hand and kept; everything else is made again.
  for (const d of ['images', 'logo', 'fonts', 'music']) {
    fs.rmSync(path.join(OUT, d), { recursive: true, force: true });
    fs.mkdirSync(path.join(OUT, d), { recursive: true });
  }
  const entries = [];
  for (const [file, w, h, body, tags, description] of SHOTS) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${defs}${body}</svg>`;
    await sharp(Buffer.from(svg)).jpeg({ quality: 88, mozjpeg: true }).toFile(path.join(OUT, 'images', file));
    entries.push({ file: `images/${file}`, kind: 'image', tags, description, licence: 'CC0-1.0', attribution: 'Made by the Brand Infinity project (scripts/make-stride-media.js)' });
  }
  fs.writeFileSync(path.join(OUT, 'logo', 'stride-logo.svg'), LOGO_SVG);
  await sharp(Buffer.from(LOGO_SVG)).png({ compressionLevel: 9 }).toFile(path.join(OUT, 'logo', 'stride-logo.png'));
  for (const f of ['stride-logo.svg', 'stride-logo.png']) {
    entries.push({
      file: `logo/${f}`,
      kind: 'logo',
      tags: ['logo', 'wordmark', 'end card', f.endsWith('.svg') ? 'vector' : 'raster'],
      description: `The Stride Running Co. logo (${f.endsWith('.svg') ? 'SVG, text set in DejaVu Sans Bold' : 'PNG, 1200×400'}): three orange forward stripes and the STRIDE wordmark on navy.`,
      licence: 'CC0-1.0',
      attribution: 'Made by the Brand Infinity project (scripts/make-stride-media.js)',
    });
  }
  fs.copyFileSync(FONT_SRC, path.join(OUT, 'fonts', 'DejaVuSans-Bold.ttf'));
  fs.copyFileSync(FONT_LICENCE, path.join(OUT, 'fonts', 'LICENSE-DejaVu.txt'));
  entries.push({
    file: 'fonts/DejaVuSans-Bold.ttf',
    kind: 'font',
    tags: ['font', 'captions', 'headline', 'sans-serif', 'DejaVu Sans'],
    description: 'DejaVu Sans Bold, the brand font for captions and end-card text.',
    licence: 'Bitstream-Vera (DejaVu changes public domain); see fonts/LICENSE-DejaVu.txt',
    attribution: 'DejaVu fonts (dejavu-fonts.github.io), Bitstream Vera by Bitstream, Inc.; copied from Debian fonts-dejavu-core',
  });
  const bed = await writeMusicBed(path.join(OUT, 'music', 'stride-morning-bed.mp3'), { durationSeconds: 64, seed: brand.brand_name });
  entries.push({
    file: 'music/stride-morning-bed.mp3',
    kind: 'music',
    tags: ['music', 'bed', 'upbeat', 'warm', `${bed.bpm} bpm`, 'instrumental'],
    description: `An upbeat instrumental bed, ${bed.chords.join('–')} at ${bed.bpm} bpm with a soft pulse, 64 s at −16 LUFS: synthesised by lib/media/music.ts.`,
    licence: 'CC0-1.0',
    attribution: 'Made by the Brand Infinity project (lib/media/music.ts)',
  });
  fs.writeFileSync(path.join(OUT, 'media.json'), `${JSON.stringify({ brand: brand.brand_name, files: entries }, null, 2)}\n`);
  process.stdout.write(`wrote ${entries.length} files to ${path.relative(ROOT, OUT)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
