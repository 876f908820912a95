/**
 * The README's picture: the contact sheet the offline demo wrote for one of its videos (one frame
 * from the middle of each scene, rows 9:16, 16:9 and 1:1), as a JPEG in docs/.
 *
 *   npm run demo -- --exit
 *   node -r ./test/helpers/ts-register.js scripts/contact-sheet.ts [--variant emotional] [--out out/demo] [docs/contact-sheet.jpg]
 *
 * It reads the demo's manifest (out/demo/manifest.json), takes the variant's contact-sheet.png
 * (default: the first variant), re-encodes it with sharp (JPEG, quality 85) and prints what each
 * scene was made from (the campaign report's scene sources), which is what the README's caption says.
 */
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

import sharp from 'sharp';

const ROOT = join(__dirname, '..');

interface Manifest {
	variants: { variant_type: string; video_id: string; hook: string; outputs: { contact_sheet: string } }[];
	reports: { campaign_json: string };
}
interface SceneSource {
	video_id: string;
	sequence: number;
	source: { type: string; stock_id?: string; media_id?: string; provider?: string; model?: string };
	media: { file_name: string } | null;
}

async function main(): Promise<void> {
	const args = process.argv.slice(2);
	const option = (name: string): string | undefined => {
		const i = args.indexOf(name);
		if (i < 0) return undefined;
		const value = args[i + 1];
		args.splice(i, 2);
		return value;
	};
	const variantType = option('--variant');
	const outDir = resolve(option('--out') ?? join(ROOT, 'out', 'demo'));
	const dest = resolve(args[0] ?? join(ROOT, 'docs', 'contact-sheet.jpg'));
	const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as Manifest;
	const variant = variantType ? manifest.variants.find((v) => v.variant_type === variantType) : manifest.variants[0];
	if (!variant) throw new Error(`no variant ${variantType} in ${join(outDir, 'manifest.json')} (has ${manifest.variants.map((v) => v.variant_type).join(', ')})`);
	await mkdir(dirname(dest), { recursive: true });
	const info = await sharp(variant.outputs.contact_sheet).jpeg({ quality: 85, mozjpeg: true }).toFile(dest);
	process.stdout.write(`${dest}: ${info.width}x${info.height}, ${Math.round(info.size / 1024)} KB, the ${variant.variant_type} variant ("${variant.hook}")\n`);
	const report = JSON.parse(readFileSync(manifest.reports.campaign_json, 'utf8')) as { scene_sources?: SceneSource[] };
	for (const r of (report.scene_sources ?? []).filter((s) => s.video_id === variant.video_id).sort((a, b) => a.sequence - b.sequence)) {
		const s = r.source;
		const what = s.type === 'generator' ? `generator ${s.provider}/${s.model}` : s.type.replace(/_/g, ' ');
		process.stdout.write(`  scene ${r.sequence}: ${what}${r.media ? ` (${r.media.file_name})` : ''}${s.stock_id ? ` ${s.stock_id}` : ''}\n`);
	}
}

main().catch((err) => {
	process.stderr.write(`${(err as Error).stack ?? err}\n`);
	process.exit(1);
});
