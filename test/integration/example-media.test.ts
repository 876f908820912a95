/**
 * examples/stride/media (issue 11): the demo brand's own media as the media library will read it.
 * Every file media.json lists exists, is what its kind says (sharp decodes the images and logo,
 * ffprobe the music, the font is a TrueType file), carries a licence and an attribution, and no
 * file in the folder is left out of the manifest.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

import sharp from 'sharp';

const DIR = join(__dirname, '..', '..', 'examples', 'stride', 'media');
const manifest = JSON.parse(readFileSync(join(DIR, 'media.json'), 'utf8')) as {
	brand: string;
	files: { file: string; kind: string; tags: string[]; description: string; licence: string; attribution: string }[];
};

function files(dir: string): string[] {
	return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [relative(DIR, join(dir, f))]));
}

test('the manifest lists every media file with kind, tags, description, licence and attribution', () => {
	expect(manifest.brand).toBe('Stride Running Co.');
	const listed = manifest.files.map((m) => m.file).sort();
	const onDisk = files(DIR)
		.filter((f) => !['media.json', 'LICENSE.md', 'fonts/LICENSE-DejaVu.txt'].includes(f))
		.sort();
	expect(listed).toEqual(onDisk);
	for (const m of manifest.files) {
		expect(['image', 'video', 'logo', 'font', 'music']).toContain(m.kind);
		expect(m.tags.length).toBeGreaterThan(0);
		expect(m.description.length).toBeGreaterThan(20);
		expect(m.licence.trim()).not.toBe('');
		expect(m.attribution.trim()).not.toBe('');
	}
	const kinds = new Set(manifest.files.map((m) => m.kind));
	expect([...kinds].sort()).toEqual(['font', 'image', 'logo', 'music']);
	expect(manifest.files.filter((m) => m.kind === 'image').length).toBeGreaterThanOrEqual(4);
	expect(readFileSync(join(DIR, 'fonts', 'LICENSE-DejaVu.txt'), 'utf8')).toMatch(/Bitstream Vera/);
});

test('every file is what its kind says', async () => {
	const sizes = new Set<string>();
	for (const m of manifest.files) {
		const path = join(DIR, m.file);
		if (m.kind === 'image' || m.kind === 'logo') {
			const meta = await sharp(path).metadata();
			expect(Math.min(meta.width!, meta.height!)).toBeGreaterThanOrEqual(m.kind === 'image' ? 1080 : 300);
			if (m.kind === 'image') sizes.add(`${meta.width}x${meta.height}`);
		} else if (m.kind === 'music') {
			const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type', '-of', 'json', path], { encoding: 'utf8' }));
			expect(probe.streams.map((s: { codec_type: string }) => s.codec_type)).toEqual(['audio']);
			expect(Number(probe.format.duration)).toBeGreaterThan(45);
		} else if (m.kind === 'font') {
			expect(readFileSync(path).subarray(0, 4).toString('hex')).toBe('00010000');
		}
	}
	// Square product shots and a wide one: shots for every output format.
	expect(sizes).toEqual(new Set(['1800x1800', '2400x1350']));
	// The images are distinct shots, not one picture five times.
	const digests = await Promise.all(
		manifest.files.filter((m) => m.kind === 'image').map(async (m) => (await sharp(join(DIR, m.file)).resize(16, 16, { fit: 'fill' }).raw().toBuffer()).toString('hex')),
	);
	expect(new Set(digests).size).toBe(digests.length);
});
