/**
 * The offline image provider: one ffmpeg frame in the style of the local video renderer (brand
 * palette gradient, the prompt written on it), returned as a PNG data: URL. Deterministic for a
 * prompt and palette; `provider: "local"`, never a model.
 */
import type { ImageProvider, ImageRequest, ImageResult } from '../types';
import { frameSize, renderLocalStill } from '../video/local';

export const LOCAL_IMAGE_MODEL = 'local-ffmpeg-still';

export interface LocalImageOptions {
	ffmpegPath?: string;
	/** Scratch folder for the render. Default `<tmp>/brand-infinity-local-image`. */
	workDir?: string;
	/** Multiplies the 1080p-class size (0 < s ≤ 1). Default 1. */
	renderScale?: number;
	fontFile?: string | null;
}

export class LocalImageProvider implements ImageProvider {
	readonly name = 'local';

	constructor(private readonly opts: LocalImageOptions = {}) {}

	async generate(req: ImageRequest): Promise<ImageResult> {
		const { width, height } = frameSize(req.aspectRatio, '1080p', this.opts.renderScale ?? 1);
		const png = await renderLocalStill({
			prompt: req.prompt,
			width,
			height,
			palette: req.palette,
			ffmpegPath: this.opts.ffmpegPath,
			fontFile: this.opts.fontFile,
			workDir: this.opts.workDir,
		});
		return { url: `data:image/png;base64,${png.toString('base64')}`, provider: 'local', model: LOCAL_IMAGE_MODEL, usage: { images: 1 } };
	}
}
