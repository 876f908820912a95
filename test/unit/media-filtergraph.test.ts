import { ValidationError } from '../../lib/domain/errors';
import { buildAssemblePlan, buildLoudnessAnalysisArgs, escapeFilterValue, glitchTimes, parseLoudnormJson } from '../../lib/media/filtergraph';
import { masterSize, validateTimeline, type Timeline } from '../../lib/media/timeline';

const outputs: Timeline['outputs'] = [
	{ aspect: '9:16', width: 1080, height: 1920, path: '/out/v.mp4' },
	{ aspect: '16:9', width: 1920, height: 1080, path: '/out/h.mp4' },
	{ aspect: '1:1', width: 1080, height: 1080, path: '/out/s.mp4' },
];

function timeline(extra: Partial<Timeline> = {}): Timeline {
	return {
		scenes: [
			{ path: '/in/a.mp4', durationSeconds: 5 },
			{ path: '/in/b.mp4', durationSeconds: 5, transition: 'fade', transitionSeconds: 0.5 },
			{ path: '/in/c.mp4', durationSeconds: 4, transition: 'none' },
			{ path: '/in/d.mp4', durationSeconds: 6, transition: 'wipeleft', transitionSeconds: 1 },
		],
		voiceover: { path: '/in/voice.wav' },
		music: { path: '/in/music.mp3', gainDb: -12 },
		outputs,
		...extra,
	};
}

/** Splits a filter_complex into its chains (on unescaped `;`). */
function chains(graph: string): string[] {
	const out: string[] = [];
	let cur = '';
	for (let i = 0; i < graph.length; i++) {
		if (graph[i] === '\\') {
			cur += graph[i] + graph[i + 1];
			i++;
		} else if (graph[i] === ';') {
			out.push(cur);
			cur = '';
		} else cur += graph[i];
	}
	out.push(cur);
	return out;
}

/**
 * Undoes escapeFilterValue the way ffmpeg does: the graph parser (av_get_token with "[],;"), then
 * the option parser (av_get_token with ":"). Quotes are not produced by the escaper, so only
 * backslashes matter here.
 */
function unescapeLevel(s: string): string {
	let out = '';
	for (let i = 0; i < s.length; i++) {
		if (s[i] === '\\' && i + 1 < s.length) out += s[++i];
		else out += s[i];
	}
	return out;
}

describe('validateTimeline', () => {
	test('fills defaults and computes the timing in frames', () => {
		const t = validateTimeline(timeline());
		expect(t.fps).toBe(30);
		expect(t.crf).toBe(21);
		expect(t.preset).toBe('veryfast');
		expect(t.totalSeconds).toBe(20);
		expect(t.master).toEqual({ width: 1080, height: 1920 });
		expect(t.scenes.map((s) => s.startSeconds)).toEqual([0, 5, 10, 14]);
		// Each clip carries the overlap of the transition into the next scene.
		expect(t.scenes.map((s) => s.clipSeconds)).toEqual([5.5, 5, 5, 6]);
		expect(t.scenes[0].transition).toBe('none');
		expect(t.loudness).toEqual({ targetLufs: -14, truePeakDb: -1.5, twoPass: true });
	});

	test.each([
		[{ scenes: [] }, 'scenes'],
		[{ scenes: [{ path: '/a.mp4', durationSeconds: -1 }] }, 'scenes[0].durationSeconds'],
		[{ scenes: [{ path: '/a.mp4', durationSeconds: 2 }, { path: '/b.mp4', durationSeconds: 2, transition: 'spin' }] }, 'scenes[1].transition'],
		[{ scenes: [{ path: '/a.mp4', durationSeconds: 2 }, { path: '/b.mp4', durationSeconds: 1, transition: 'fade', transitionSeconds: 1 }] }, 'scenes[1].transitionSeconds'],
		[{ scenes: [{ path: '/a\nb.mp4', durationSeconds: 2 }] }, 'scenes[0].path'],
		[{ outputs: [{ aspect: '9:16', width: 1080, height: 1080, path: '/o.mp4' }] }, 'outputs[0].height'],
		[{ outputs: [{ aspect: '1:1', width: 1081, height: 1081, path: '/o.mp4' }] }, 'outputs[0].width'],
		[{ outputs: [{ aspect: '1:1', width: 1080, height: 1080, path: '/o.avi' }] }, 'outputs[0].path'],
		[{ outputs: [outputs[0], { ...outputs[1], path: outputs[0].path }] }, 'outputs[1].path'],
		[{ music: { path: '/m.mp3', gainDb: 40 } }, 'music.gainDb'],
		[{ lut: { path: '/brand.png' } }, 'lut.path'],
		[{ captions: { words: [], style: { fontName: 'Evil,Font', primaryColour: '#FFFFFF', highlightColour: '#FFFFFF', outlineColour: '#000000' } } }, 'captions.style.fontName'],
		[{ captions: { words: [], style: { fontName: 'A', primaryColour: 'white', highlightColour: '#FFFFFF', outlineColour: '#000000' } } }, 'captions.style.primaryColour'],
		[{ captions: { words: [{ word: 'a', start: 2, end: 1 }], style: { fontName: 'A', primaryColour: '#FFFFFF', highlightColour: '#FFFFFF', outlineColour: '#000000' } } }, 'captions.words[0].end'],
		[{ terminal: { effects: ['typing'] } }, 'terminal.text'],
		[{ terminal: { effects: ['matrix'] } }, 'terminal.effects[0]'],
		[{ thumbnails: { atSeconds: [25], width: 1280, height: 720, dir: '/t' } }, 'thumbnails.atSeconds[0]'],
		[{ preset: 'turbo' }, 'preset'],
		[{ fps: 29.97 }, 'fps'],
	] as [Record<string, unknown>, string][])('rejects a bad %j naming %s', (patch, field) => {
		let err: unknown;
		try {
			validateTimeline({ ...timeline(), ...patch });
		} catch (e) {
			err = e;
		}
		expect(err).toBeInstanceOf(ValidationError);
		expect((err as ValidationError).field).toBe(field);
		expect((err as ValidationError).code).toBe('BI400');
	});

	test('captions without words of their own use the voiceover word timings', () => {
		const words = [{ word: 'hi', start: 0, end: 0.4 }];
		const t = validateTimeline({
			...timeline(),
			voiceover: { path: '/in/voice.wav', words },
			captions: { words: [], style: { fontName: 'A', primaryColour: '#ffffff', highlightColour: '#FFD400', outlineColour: '#000000' } },
		});
		expect(t.captions!.words).toEqual(words);
		expect(t.captions!.style.primaryColour).toBe('#FFFFFF');
	});

	test('the master is the 9:16 output, or big enough for the other outputs', () => {
		expect(masterSize(outputs)).toEqual({ width: 1080, height: 1920 });
		expect(masterSize([outputs[1]])).toEqual({ width: 608, height: 1080 });
		expect(masterSize([outputs[2]])).toEqual({ width: 1080, height: 1920 });
	});
});

describe('escapeFilterValue', () => {
	test.each(["/tmp/it's: a, [weird]; dir=x \\ y/f.ass", ' leading and trailing ', 'C:\\fonts\\brand.ttf', "a''b::c,,d"])('%j survives both parsing levels', (value) => {
		const escaped = escapeFilterValue(value);
		// Nothing in the escaped value can end the option, the filter or the chain.
		expect(chains(`x=${escaped}`)).toHaveLength(1);
		const unescapedSpecials = (s: string, specials: string): string[] => {
			const found: string[] = [];
			for (let i = 0; i < s.length; i++) {
				if (s[i] === '\\') i++;
				else if (specials.includes(s[i])) found.push(s[i]);
			}
			return found;
		};
		// Graph level: nothing ends the filter or the chain; option level: nothing ends the option.
		expect(unescapedSpecials(escaped, "[],;'")).toEqual([]);
		expect(unescapedSpecials(unescapeLevel(escaped), ":'")).toEqual([]);
		expect(unescapeLevel(unescapeLevel(escaped))).toBe(value);
	});
});

describe('buildAssemblePlan', () => {
	const t = validateTimeline(timeline({ thumbnails: { atSeconds: [1, 12.5], width: 1280, height: 720, dir: '/thumbs' } }));
	const plan = buildAssemblePlan(t, {
		assFiles: ['/tmp/x/output-0.ass', '/tmp/x/output-1.ass', '/tmp/x/output-2.ass'],
		thumbnailPattern: '/tmp/x/frame-%03d.png',
	});
	const graph = plan.filtergraph;

	test('one ffmpeg process, one x264 encode per output, a single split of the master', () => {
		expect(plan.args.filter((a) => a === '-filter_complex')).toHaveLength(1);
		expect(plan.args.filter((a) => a === 'libx264')).toHaveLength(3);
		for (const o of outputs) expect(plan.args.filter((a) => a === o.path)).toHaveLength(1);
		expect(graph.match(/split=4\[m0\]\[m1\]\[m2\]\[m3\]/g)).toHaveLength(1);
		expect(graph.match(/asplit=3\[a0\]\[a1\]\[a2\]/g)).toHaveLength(1);
		expect(plan.args).not.toContain('-shell');
		expect(plan.args.every((a) => typeof a === 'string')).toBe(true);
	});

	test('every input is used in the graph, and every -i is one of the timeline files', () => {
		const inputs = plan.args.flatMap((a, i) => (a === '-i' ? [plan.args[i + 1]] : []));
		expect(inputs).toEqual(['/in/a.mp4', '/in/b.mp4', '/in/c.mp4', '/in/d.mp4', '/in/voice.wav', '/in/music.mp3']);
		inputs.forEach((_, i) => expect(graph).toMatch(new RegExp(`\\[${i}:[av]\\]`)));
	});

	test('every label produced is consumed exactly once, and every consumed label exists', () => {
		const produced: string[] = [];
		const consumed: string[] = [];
		for (const c of chains(graph)) {
			const lead = /^((?:\[[^\]]+\])*)/.exec(c)![1];
			consumed.push(...[...lead.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]));
			const tail = /((?:\[[^\]]+\])*)$/.exec(c)![1];
			produced.push(...[...tail.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]));
		}
		const mapped = plan.args.flatMap((a, i) => (a === '-map' ? [plan.args[i + 1].replace(/^\[|\]$/g, '')] : []));
		const fromInputs = consumed.filter((l) => /^\d+:[av]$/.test(l));
		expect([...consumed.filter((l) => !fromInputs.includes(l)), ...mapped].sort()).toEqual([...produced].sort());
	});

	test('xfade offsets are the cumulative clip lengths minus the overlaps (= each scene start); cuts concat', () => {
		expect(plan.xfades).toEqual([
			{ scene: 1, transition: 'fade', offsetSeconds: 5, durationSeconds: 0.5 },
			{ scene: 3, transition: 'wipeleft', offsetSeconds: 14, durationSeconds: 1 },
		]);
		// Chain length before each xfade = Σ clip lengths so far − Σ earlier overlaps; offset = that − this overlap.
		let chainLength = t.scenes[0].clipSeconds;
		t.scenes.slice(1).forEach((s, k) => {
			const overlap = s.transition === 'none' ? 0 : s.transitionSeconds;
			if (overlap) expect(plan.xfades.find((x) => x.scene === k + 1)!.offsetSeconds).toBeCloseTo(chainLength - overlap, 6);
			chainLength = chainLength - overlap + s.clipSeconds;
		});
		expect(chainLength).toBeCloseTo(t.totalSeconds, 6);
		expect(graph).toContain('xfade=transition=fade:duration=0.5:offset=5[x1]');
		expect(graph).toContain('[x1][s2]concat=n=2:v=1:a=0,settb=1/30[x2]');
		expect(graph).toContain('trim=end_frame=165');
	});

	test('captions are burned per output after its reframe; 16:9 gets the cheap blurred background', () => {
		const c = chains(graph);
		expect(c.find((x) => x.startsWith('[m0]'))).toContain('ass=filename=/tmp/x/output-0.ass');
		expect(c.find((x) => x.startsWith('[m2]'))).toMatch(/^\[m2\]crop=iw:iw:0:\(ih-iw\)\/2,ass=filename=\/tmp\/x\/output-2\.ass/);
		expect(c.find((x) => x.startsWith('[bg1]'))).toMatch(/scale=240:136.*boxblur=.*scale=1920:1080:flags=fast_bilinear/);
		expect(c.find((x) => x.startsWith('[bb1][ff1]overlay'))).toContain('ass=filename=/tmp/x/output-1.ass');
		const colour = buildAssemblePlan(validateTimeline(timeline({ background: 'colour', backgroundColour: '#112233' })));
		expect(colour.filtergraph).toContain('scale=-2:1080,pad=1920:1080:(ow-iw)/2:0:color=0x112233');
		expect(colour.filtergraph).not.toContain('boxblur');
	});

	test('audio: voice keys the music compressor, mixed, normalised to −14 LUFS', () => {
		expect(graph).toContain('volume=-12dB');
		expect(graph).toContain('[music][vkey]sidechaincompress=');
		expect(graph).toContain('[vmix][ducked]amix=inputs=2');
		expect(graph).toMatch(/\[mix\]loudnorm=I=-14:TP=-1\.5:LRA=11,aresample=48000,atrim=duration=20,asplit=3/);
		expect(plan.args.join(' ')).toContain('-stream_loop -1 -t 21 -i /in/music.mp3');
	});

	test('two-pass loudness: an audio-only analysis, then a linear loudnorm with the measurement', () => {
		const analysis = buildLoudnessAnalysisArgs(t)!;
		expect(analysis).not.toContain('/in/a.mp4');
		expect(analysis.join(' ')).toContain('print_format=json');
		const m = parseLoudnormJson('noise {"x":1}\n[Parsed_loudnorm_0] \n{\n"input_i" : "-23.10",\n"input_tp" : "-5.00",\n"input_lra" : "4.20",\n"input_thresh" : "-33.40",\n"target_offset" : "0.30"\n}\n');
		expect(m.input_i).toBe('-23.10');
		const second = buildAssemblePlan(t, { loudness: m }).filtergraph;
		expect(second).toContain('loudnorm=I=-14:TP=-1.5:LRA=11:measured_I=-23.1:measured_TP=-5:measured_LRA=4.2:measured_thresh=-33.4:offset=0.3:linear=true');
		expect(buildLoudnessAnalysisArgs(validateTimeline({ ...timeline(), voiceover: undefined, music: undefined }))).toBeNull();
	});

	test('no audio inputs: a silent track so every output still has audio', () => {
		const p = buildAssemblePlan(validateTimeline({ ...timeline(), voiceover: undefined, music: undefined }));
		expect(p.filtergraph).toContain('anullsrc=r=48000:cl=stereo,atrim=duration=20,asplit=3');
		expect(p.filtergraph).not.toContain('loudnorm');
	});

	test('thumbnail frames come from the master in the same process', () => {
		expect(plan.thumbnailFrames).toEqual([30, 375]);
		expect(graph).toContain('[m3]select=expr=eq(n\\,30)+eq(n\\,375)[thumbs]');
		expect(plan.args.slice(-9)).toEqual(['-map', '[thumbs]', '-fps_mode', 'passthrough', '-c:v', 'png', '-f', 'image2', '/tmp/x/frame-%03d.png']);
	});

	test('user paths reach the graph only escaped (LUT, ASS, fonts dir)', () => {
		const evil = "/x/brand's LUT: v2, [final]; ok.cube";
		const p = buildAssemblePlan(validateTimeline(timeline({ lut: { path: evil } })), { assFiles: ["/t/a'b.ass", null, null], fontsDir: '/t/f,;' });
		expect(p.filtergraph).toContain(`lut3d=file=${escapeFilterValue(evil)}:interp=tetrahedral`);
		expect(p.filtergraph).toContain(`ass=filename=${escapeFilterValue("/t/a'b.ass")}:fontsdir=${escapeFilterValue('/t/f,;')}`);
		expect(chains(p.filtergraph)).toHaveLength(chains(buildAssemblePlan(validateTimeline(timeline({ lut: { path: '/x/plain.cube' } })), { assFiles: ['/t/ab.ass', null, null], fontsDir: '/t/f' }).filtergraph).length);
	});

	test('terminal glitch and static are filters on the master, timed at the overlay and the cuts', () => {
		const tt = validateTimeline(timeline({ terminal: { effects: ['glitch', 'static'], startSeconds: 1, endSeconds: 12 } }));
		expect(glitchTimes(tt)).toEqual([1, 5, 10, 12]);
		const g = buildAssemblePlan(tt).filtergraph;
		expect(g).toMatch(/chromashift=[^,]*enable=between\(t\\,1\\,1\.16\)/);
		expect(g).toContain('noise=alls=14:allf=t+u:enable=between(t\\,1\\,12)');
	});
});
