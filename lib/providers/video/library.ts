/**
 * The `library` generator: renders a scene offline from what lib/library/sources.ts chose for it
 * (the request's `source`), never from a model, and says so (`provider: "library"`).
 *
 * - A photo (image, logo) becomes a moving shot: a slow push-in on the subject, or a pan across it.
 *   When its shape is close to the frame's, the frame is the cover crop of the output aspect
 *   centred on the subject (sharp's attention point, found at ingest), so the subject stays in the
 *   9:16 master and in the centred 1:1 and full-height 16:9 the assembler cuts from it; the push-in
 *   zooms about the subject itself. A square or landscape photo in the 9:16 master would lose half
 *   its width that way (a product shot cut off at both ends): the whole photo is laid over a
 *   blurred copy of itself instead, and the shot moves on that.
 * - A clip is trimmed to the scene's length (slowed down a little when somewhat shorter, looped when
 *   much shorter) and reframed the same way.
 * - Nothing fitting: kinetic typography, the scene's words revealed line by line (slide and fade)
 *   in the brand's font and palette over a moving colour band.
 * - The end card: the brand's logo on its first palette colour, a slow push-in, the closing words.
 *
 * Jobs, manifests and downloads are LocalVideoProvider's (same work dir layout, `library-<uuid>`
 * ids). ffmpeg runs with an argument array; texts and file paths reach the filtergraph only as
 * files (`textfile=`, `expansion=none`) or escaped paths, and media files are opened with the
 * `file:` protocol so a path can never name another ffmpeg protocol.
 */
import { readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute } from 'node:path';


import { ValidationError } from '../../domain/errors';
import { runTool } from '../../media/probe';
import { loadSharp } from '../../media/sharp';
import type { SceneSource, VideoJobRequest } from '../types';
import type { VideoPlan } from './common';
import { clipEncodeArgs, escapeFilterValue, findFont, LocalVideoProvider, paletteColours, wrapText, type LocalVideoOptions } from './local';

export const LIBRARY_ASSET_MODEL = 'library-asset';
export const LIBRARY_TYPOGRAPHY_MODEL = 'library-kinetic-type';

type Paths = ReturnType<LocalVideoProvider['paths']>;
/** A still keeps the full-bleed cover crop when that keeps at least this share of its width (or height). */
const FULL_BLEED_MIN_KEPT = 0.7;
/** A clip shorter than its scene is slowed down by up to this factor to fill it; beyond, it loops. */
const MAX_SLOWDOWN = 1.5;
const f3 = (x: number) => (Math.round(x * 1000) / 1000).toString();
const clamp01 = (x: unknown, d = 0.5) => (typeof x === 'number' && Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : d);

/** Relative luminance of 0xRRGGBB. */
function luminance(colour: string): number {
	const v = Number.parseInt(colour.slice(2), 16);
	const lin = (c: number) => {
		const s = c / 255;
		return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
	};
	return 0.2126 * lin((v >> 16) & 255) + 0.7152 * lin((v >> 8) & 255) + 0.0722 * lin(v & 255);
}
const contrast = (a: string, b: string) => {
	const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
	return (x + 0.05) / (y + 0.05);
};

/** Background, accent and text colours from the palette: text is the most legible on the background. */
export function typographyColours(palette?: string[]): { background: string; accent: string; text: string } {
	const colours = paletteColours(palette);
	const background = colours[0];
	const rest = [...colours.slice(1), '0xFFFFFF', '0x111111'];
	const text = rest.reduce((best, c) => (contrast(c, background) > contrast(best, background) ? c : best), rest[0]);
	const accent = colours.slice(1).find((c) => c !== text) ?? colours[1];
	return { background, accent, text };
}

/**
 * The words of a typography scene or an end card, wrapped for a frame `width` px wide (84 % of it
 * used; the bold sans averages 0.6 em a character) in at most `maxLines` lines: at `size` when they
 * fit, else at the largest smaller size down to 70 % of it at which they do, so the line is never
 * cut short on screen (its captions are not burned there). Only a text too long even at 70 % is
 * cut, with an ellipsis.
 */
export function fitLines(text: string, width: number, size: number, maxLines: number): { fontSize: number; lines: string[] } {
	const smallest = Math.max(8, Math.round(size * 0.7));
	for (let fontSize = size; ; fontSize = Math.max(smallest, Math.floor(fontSize * 0.94))) {
		const perLine = Math.max(6, Math.floor((width * 0.84) / (fontSize * 0.6)));
		const lines = wrapText(text, perLine, maxLines).split('\n');
		const whole = wrapText(text, perLine, Number.MAX_SAFE_INTEGER).split('\n').length <= maxLines;
		if (whole || fontSize <= smallest) return { fontSize, lines };
	}
}

export class LibraryVideoProvider extends LocalVideoProvider {
	readonly name: string = 'library';
	protected readonly model: string = LIBRARY_ASSET_MODEL;

	constructor(opts: LocalVideoOptions = {}) {
		super(opts);
	}

	private async sourceFile(src: SceneSource): Promise<string> {
		if (!src.path || !isAbsolute(src.path)) throw new ValidationError('the scene source has no absolute file path', 'source.path');
		try {
			if (!(await stat(src.path)).isFile()) throw new Error('not a file');
		} catch {
			throw new ValidationError(`library file ${src.path} is missing from the media store`, 'source.path');
		}
		return `file:${src.path}`;
	}

	protected async render(req: VideoJobRequest, plan: VideoPlan, size: { width: number; height: number }, p: Paths): Promise<void> {
		const src: SceneSource = req.source ?? { type: 'typography', text: req.prompt };
		const d = plan.durationSeconds;
		let inputs: string[];
		let chain: string;
		if (src.type === 'end_card') {
			({ inputs, chain } = await this.endCard(src, req, size, d, p));
		} else if (src.type === 'typography' || !src.path) {
			({ inputs, chain } = await this.typography(src.text || req.prompt, src, req, size, d, p));
		} else if (src.kind === 'video') {
			({ inputs, chain } = await this.clip(src, size, d));
		} else {
			const still = await this.framedStill(src, size, p);
			inputs = ['-loop', '1', '-framerate', String(this.fps), '-i', still.file];
			chain = this.moving(still.src, size, d);
		}
		inputs.push('-f', 'lavfi', '-i', 'anullsrc=channel_layout=stereo:sample_rate=48000');
		const audioIndex = inputs.filter((a) => a === '-i').length - 1;
		const args = [
			'-hide_banner',
			'-nostdin',
			'-v',
			'error',
			'-y',
			...inputs,
			'-filter_complex',
			`${chain},format=yuv420p[v]`,
			'-map',
			'[v]',
			'-map',
			`${audioIndex}:a`,
			...clipEncodeArgs(d, this.fps, `Brand Infinity library render (${src.type}${src.media_id ? ` ${src.media_id}` : ''}), not AI-generated`),
			p.part,
		];
		try {
			await runTool(this.ffmpeg, args, { timeoutMs: this.timeoutMs });
			await rename(p.part, p.out);
		} finally {
			// The per-line text files (<job>.txt.t0, …); the rest is cleaned up by LocalVideoProvider.
			const prefix = `${basename(p.text)}.`;
			const names = await readdir(dirname(p.text)).catch(() => [] as string[]);
			await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => rm(`${dirname(p.text)}/${n}`, { force: true })));
		}
	}

	/**
	 * A still whose shape is far from the frame's (a square or landscape product shot in the 9:16
	 * master): a cover crop would keep little more than half its width and cut the product off at
	 * both ends, so the whole image is laid over a blurred, darker copy of itself that fills the
	 * frame, its edges on the filled axis feathered into it (sharp, into the job's image file).
	 * The product is whole in the 9:16 master and in the centred 1:1 cut from it. A still close to
	 * the frame's shape keeps the cover crop about its subject.
	 */
	private async framedStill(src: SceneSource, size: { width: number; height: number }, p: Paths): Promise<{ file: string; src: SceneSource }> {
		const file = await this.sourceFile(src);
		const sharp = await loadSharp();
		let { width, height } = src;
		if (!width || !height) ({ width, height } = await sharp(file.slice('file:'.length)).metadata());
		if (!width || !height) return { file, src };
		const imageAspect = width / height;
		const frameAspect = size.width / size.height;
		if (Math.min(imageAspect / frameAspect, frameAspect / imageAspect) >= FULL_BLEED_MIN_KEPT) return { file, src };
		const W2 = 2 * size.width;
		const H2 = 2 * size.height;
		const path = file.slice('file:'.length);
		const fg = await sharp(path).resize(W2, H2, { fit: 'inside' }).ensureAlpha().png().toBuffer({ resolveWithObject: true });
		const fw = fg.info.width;
		const fh = fg.info.height;
		const tall = fh < H2; // the fill is above and below (else left and right)
		// The backdrop continues the photo's own edges (its edge pixels repeated outwards, so a
		// product on a plain ground stays on that ground), blurred and a shade darker; made at
		// 1/8 size (cheap) and scaled up, since only its colours matter.
		const sw = Math.max(8, Math.round(W2 / 8));
		const sh = Math.max(8, Math.round(H2 / 8));
		const inner = await sharp(path).resize(sw, sh, { fit: 'inside' }).png().toBuffer({ resolveWithObject: true });
		const padX = sw - inner.info.width;
		const padY = sh - inner.info.height;
		const small = await sharp(inner.data)
			.extend({ left: Math.floor(padX / 2), right: Math.ceil(padX / 2), top: Math.floor(padY / 2), bottom: Math.ceil(padY / 2), extendWith: 'copy' })
			.blur(4)
			.modulate({ brightness: 0.9 })
			.png()
			.toBuffer();
		const backdrop = await sharp(small).resize(W2, H2, { fit: 'fill' }).png().toBuffer();
		const feather = Math.round((tall ? fh : fw) * 0.06);
		const stops = `<stop offset="0" stop-color="#fff" stop-opacity="0"/><stop offset="${f3(feather / (tall ? fh : fw))}" stop-color="#fff" stop-opacity="1"/><stop offset="${f3(1 - feather / (tall ? fh : fw))}" stop-color="#fff" stop-opacity="1"/><stop offset="1" stop-color="#fff" stop-opacity="0"/>`;
		const mask = Buffer.from(
			`<svg xmlns="http://www.w3.org/2000/svg" width="${fw}" height="${fh}"><defs><linearGradient id="f" x1="0" y1="0" x2="${tall ? 0 : 1}" y2="${tall ? 1 : 0}">${stops}</linearGradient></defs><rect width="${fw}" height="${fh}" fill="url(#f)"/></svg>`,
		);
		const feathered = await sharp(fg.data).composite([{ input: mask, blend: 'dest-in' }]).png().toBuffer();
		const card = await sharp(backdrop)
			.composite([{ input: feathered, left: Math.round((W2 - fw) / 2), top: Math.round((H2 - fh) / 2) }])
			.png()
			.toBuffer();
		await writeFile(p.image, card);
		return { file: `file:${p.image}`, src: { ...src, focus: { x: 0.5, y: 0.5 }, width: W2, height: H2 } };
	}

	/**
	 * A still → a moving shot. The image is scaled to cover twice the frame (zoompan then moves in
	 * half-pixel steps) and cropped around the subject; zoompan pushes in about the subject or pans.
	 */
	private moving(src: SceneSource, size: { width: number; height: number }, d: number, input = '0:v'): string {
		const { width: W, height: H } = size;
		const fx = clamp01(src.focus?.x);
		const fy = clamp01(src.focus?.y);
		const W2 = 2 * W;
		const H2 = 2 * H;
		const frames = Math.max(1, Math.round(d * this.fps));
		const cover =
			`[${input}]scale=${W2}:${H2}:force_original_aspect_ratio=increase,` +
			`crop=${W2}:${H2}:'max(0,min(iw-ow,${f3(fx)}*iw-ow/2))':'max(0,min(ih-oh,${f3(fy)}*ih-oh/2))',setsar=1`;
		// Where the subject sits inside the cropped frame (it is centred unless the crop hit an edge).
		const motion = src.motion ?? 'push_in';
		let zoom: string;
		let x: string;
		let y: string;
		if (motion === 'push_in') {
			zoom = `1+0.14*on/${frames}`;
			// Keep the subject's point fixed while zooming: x = f·(iw − iw/zoom).
			x = `(iw-iw/zoom)*0.5`;
			y = `(ih-ih/zoom)*0.5`;
		} else {
			zoom = '1.12';
			const dir = motion === 'pan_left' ? `(1-on/${frames})` : `(on/${frames})`;
			x = `(iw-iw/zoom)*${dir}`;
			y = `(ih-ih/zoom)*0.5`;
		}
		return `${cover},zoompan=z='${zoom}':x='${x}':y='${y}':d=1:s=${W}x${H}:fps=${this.fps}`;
	}

	private async clip(src: SceneSource, size: { width: number; height: number }, d: number): Promise<{ inputs: string[]; chain: string }> {
		const { width: W, height: H } = size;
		const file = await this.sourceFile(src);
		const length = Number(src.duration_seconds ?? 0);
		const inputs: string[] = [];
		// Longer than the scene: a cut from its first third. A little shorter: played a little slower
		// to fill the scene (a loop would jump back to its first frame mid-shot). Much shorter: looped.
		const stretch = length > 0 && length < d && d / length <= MAX_SLOWDOWN ? d / length : 1;
		if (length > d + 0.5) inputs.push('-ss', f3(Math.min((length - d) / 3, length - d)));
		else if (stretch === 1) inputs.push('-stream_loop', '-1');
		inputs.push('-i', file);
		const fx = clamp01(src.focus?.x);
		const fy = clamp01(src.focus?.y);
		const chain =
			`[0:v]${stretch === 1 ? '' : `setpts=${f3(stretch)}*PTS,`}fps=${this.fps},scale=${W}:${H}:force_original_aspect_ratio=increase,` +
			`crop=${W}:${H}:'max(0,min(iw-ow,${f3(fx)}*iw-ow/2))':'max(0,min(ih-oh,${f3(fy)}*ih-oh/2))',setsar=1`;
		return { inputs, chain };
	}

	private async font(src: SceneSource): Promise<string | null> {
		if (src.font_path && isAbsolute(src.font_path)) {
			try {
				if ((await stat(src.font_path)).isFile()) return src.font_path;
			} catch {
				// fall back to the system font
			}
		}
		return this.opts.fontFile === undefined ? findFont() : this.opts.fontFile;
	}

	/** Lines of the scene's words, each sliding up and fading in after the previous one. */
	private textFilters(lines: string[], font: string, colour: string, accent: string, fontSize: number, top: number, start: number, step: number, p: Paths, tag: string): Promise<string[]> {
		const lineHeight = Math.round(fontSize * 1.25);
		return Promise.all(
			lines.map(async (line, i) => {
				const file = `${p.text}.${tag}${i}`;
				await writeFile(file, line);
				const t0 = f3(start + i * step);
				const y = Math.round(top + i * lineHeight);
				const c = i === lines.length - 1 && lines.length > 1 ? accent : colour;
				return (
					`drawtext=fontfile=${escapeFilterValue(font)}:textfile=${escapeFilterValue(file)}:expansion=none:fontsize=${fontSize}:fontcolor=${c}:` +
					`x=(w-text_w)/2:y='${y}+${Math.round(fontSize * 0.6)}*max(0,1-(t-${t0})/0.35)':alpha='min(1,max(0,(t-${t0})/0.35))'`
				);
			}),
		);
	}

	private async typography(text: string, src: SceneSource, req: VideoJobRequest, size: { width: number; height: number }, d: number, p: Paths): Promise<{ inputs: string[]; chain: string }> {
		const { width: W, height: H } = size;
		const { background, accent, text: ink } = typographyColours(src.palette ?? req.palette);
		const font = await this.font(src);
		if (!font) throw new ValidationError('kinetic typography needs a font: add one to the brand library or install fonts-dejavu-core', 'font');
		const { fontSize, lines } = fitLines(text.trim() || req.prompt, W, Math.max(14, Math.round(Math.min(W, H) / 10)), 5);
		const block = lines.length * Math.round(fontSize * 1.25);
		const top = Math.round((H - block) / 2);
		const bandH = Math.max(8, Math.round(H * 0.06));
		const barW = Math.max(8, Math.round(W * 0.18));
		const inputs = [
			'-f', 'lavfi', '-i', `color=c=${background}:s=${W}x${H}:r=${this.fps}`,
			'-f', 'lavfi', '-i', `color=c=${accent}:s=${W}x${bandH}:r=${this.fps}`,
			'-f', 'lavfi', '-i', `color=c=${ink}:s=${barW}x${H}:r=${this.fps}`,
		];
		const step = Math.min(0.45, (d * 0.5) / Math.max(1, lines.length));
		const texts = await this.textFilters(lines, font, ink, accent, fontSize, top, 0.15, step, p, 't');
		// The band drifts and the translucent bar sweeps across for the whole scene: never a frozen frame.
		const chain =
			`[1:v]format=rgba[band];[2:v]format=rgba,colorchannelmixer=aa=0.16[bar];` +
			`[0:v][band]overlay=x=0:y='${top + block + Math.round(fontSize * 0.4)}+${Math.round(bandH / 2)}*sin(2*PI*t/${f3(Math.max(1, d))})':shortest=1[b1];` +
			`[b1][bar]overlay=x='-w+(W+w)*t/${f3(d)}':y=0:shortest=1,setsar=1,${texts.join(',')}`;
		return { inputs, chain };
	}

	private async endCard(src: SceneSource, req: VideoJobRequest, size: { width: number; height: number }, d: number, p: Paths): Promise<{ inputs: string[]; chain: string }> {
		const { width: W, height: H } = size;
		const { background, accent, text: ink } = typographyColours(src.palette ?? req.palette);
		const file = await this.sourceFile(src);
		const bg = `#${background.slice(2)}`;
		const sharp = await loadSharp();
		const logo = await sharp(file.slice('file:'.length))
			.resize(Math.round(W * 2 * 0.62), Math.round(H * 2 * 0.3), { fit: 'inside' })
			.png()
			.toBuffer({ resolveWithObject: true });
		const card = await sharp({ create: { width: 2 * W, height: 2 * H, channels: 4, background: bg } })
			.composite([{ input: logo.data, left: Math.round(W - logo.info.width / 2), top: Math.round(H * 0.8 - logo.info.height / 2) }])
			.png()
			.toBuffer();
		await writeFile(p.image, card);
		const chain = [this.moving({ ...src, focus: { x: 0.5, y: 0.5 }, motion: 'push_in' }, size, d)];
		const font = await this.font(src);
		if (font && src.text?.trim()) {
			const { fontSize, lines } = fitLines(src.text.trim(), W, Math.max(12, Math.round(Math.min(W, H) / 15)), 3);
			chain.push(...(await this.textFilters(lines, font, ink, accent, fontSize, Math.round(H * 0.62), 0.4, 0.3, p, 'e')));
		}
		return { inputs: ['-loop', '1', '-framerate', String(this.fps), '-i', `file:${p.image}`], chain: chain.join(',') };
	}
}
