import { ValidationError } from '../../lib/domain/errors';
import { buildAssemblePlan, buildLoudnessAnalysisArgs, buildSegmentPlan, escapeFilterValue, glitchTimes, parseLoudnormJson, planSegments, rangeFrames } from '../../lib/media/filtergraph';
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
		// Only the overlaps go through xfade (it takes no yuv420p); the pieces are concatenated.
		expect(graph).toContain('[t0][h1]xfade=transition=fade:duration=0.5:offset=0,format=yuv420p[x1]');
		expect(graph).toContain('[t2][h3]xfade=transition=wipeleft:duration=1:offset=0,format=yuv420p[x3]');
		expect(graph).toContain('[b0][x1][b1][b2][x3][b3]concat=n=6:v=1:a=0,settb=1/30[joined]');
		expect(graph.match(/xfade=/g)).toHaveLength(2);
		// Scene 0: fitted to 165 frames (its 150 + the 15 of the fade), body 0–150, tail 150–165.
		expect(graph).toContain('trim=end_frame=165,setpts=PTS-STARTPTS,split=2[b0r][t0r]');
		expect(graph).toContain('[b0r]trim=start_frame=0:end_frame=150,');
		expect(graph).toContain('[t0r]trim=start_frame=150:end_frame=165,');
		// Scene 1: head 0–15 (into the fade), body 15–150 (a cut out); scene 2: a cut in, its body, the wipe's 30.
		expect(graph).toContain('[h1r]trim=start_frame=0:end_frame=15,');
		expect(graph).toContain('[b1r]trim=start_frame=15:end_frame=150,');
		expect(graph).toContain('trim=end_frame=150,setpts=PTS-STARTPTS,split=2[b2r][t2r]');
		expect(graph).toContain('[b2r]trim=start_frame=0:end_frame=120,');
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

/** Labels a filtergraph produces and consumes (inputs `N:v` aside): each produced label is used once. */
function labelsBalance(graph: string, mapped: string[]): void {
	const produced: string[] = [];
	const consumed: string[] = [];
	for (const c of chains(graph)) {
		consumed.push(...[.../^((?:\[[^\]]+\])*)/.exec(c)![1].matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]).filter((l) => !/^\d+:[av]$/.test(l)));
		produced.push(...[.../((?:\[[^\]]+\])*)$/.exec(c)![1].matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]));
	}
	expect([...consumed, ...mapped].sort()).toEqual([...produced].sort());
}

describe('segments', () => {
	// 5 s, fade 0.5 s into 5 s, cut into 4 s, wipe 1 s into 6 s: 600 frames; scenes shown alone from 0, 165, 300, 450.
	const t = validateTimeline(timeline({ thumbnails: { atSeconds: [1, 12.5, 16], width: 1280, height: 720, dir: '/thumbs' } }));

	test('cuts fall where a scene is shown alone, cover the timeline once, and are about equal', () => {
		expect([0, 1, 2, 3].map((i) => rangeFrames(t, { firstScene: i, endScene: i }).startFrame)).toEqual([0, 165, 300, 450]);
		expect(planSegments(t, 1)).toEqual([{ firstScene: 0, endScene: 4 }]);
		expect(planSegments(t, 2)).toEqual([{ firstScene: 0, endScene: 2 }, { firstScene: 2, endScene: 4 }]);
		// Thirds of 600 are 200 and 400: the nearest scene starts are 165 and 450.
		expect(planSegments(t, 3)).toEqual([{ firstScene: 0, endScene: 1 }, { firstScene: 1, endScene: 3 }, { firstScene: 3, endScene: 4 }]);
		// More segments than scenes: one per scene.
		expect(planSegments(t, 9)).toHaveLength(4);
		for (const count of [1, 2, 3, 4, 9]) {
			const frames = planSegments(t, count).map((r) => rangeFrames(t, r));
			expect(frames[0].startFrame).toBe(0);
			expect(frames.at(-1)!.endFrame).toBe(600);
			frames.slice(1).forEach((f, k) => expect(f.startFrame).toBe(frames[k].endFrame));
		}
	});

	const plan = buildSegmentPlan(t, {
		segments: 2,
		segmentDir: "/tmp/x/it's segments",
		audioPath: '/tmp/x/audio.m4a',
		assFiles: ['/tmp/x/output-0.ass', '/tmp/x/output-1.ass', '/tmp/x/output-2.ass'],
		thumbnailPattern: '/tmp/x/frame-%03d.png',
	});
	const inputsOf = (args: string[]) => args.flatMap((a, i) => (a === '-i' ? [args[i + 1]] : []));

	test('each segment reads only its scenes (the next one for the transition into it) and writes one file per output', () => {
		expect(plan.segments.map((s) => s.range)).toEqual([{ firstScene: 0, endScene: 2 }, { firstScene: 2, endScene: 4 }]);
		expect(inputsOf(plan.segments[0].args)).toEqual(['/in/a.mp4', '/in/b.mp4']);
		// The wipe into d belongs to the second segment; d is read to its end there.
		expect(inputsOf(plan.segments[1].args)).toEqual(['/in/c.mp4', '/in/d.mp4']);
		for (const s of plan.segments) {
			expect(s.args.filter((a) => a === 'libx264')).toHaveLength(3);
			expect(s.args).toContain('-an');
			expect(s.args).not.toContain('/in/voice.wav');
			const mapped = s.args.flatMap((a, i) => (a === '-map' ? [s.args[i + 1].replace(/^\[|\]$/g, '')] : []));
			labelsBalance(s.filtergraph, mapped);
		}
		expect(plan.segments[0].filtergraph.match(/xfade=/g)).toHaveLength(1);
		expect(plan.segments[1].filtergraph).toContain('[t2][h3]xfade=transition=wipeleft');
	});

	test('a later segment keeps timeline times for captions and effects, and its file starts at zero', () => {
		expect(plan.segments[0].filtergraph).not.toContain('setpts=PTS-STARTPTS+');
		expect(plan.segments[1].filtergraph).toContain('concat=n=3:v=1:a=0,settb=1/30,setpts=PTS-STARTPTS+300[joined]');
		const outputs = chains(plan.segments[1].filtergraph).filter((c) => /\[v\d\]$/.test(c));
		expect(outputs).toHaveLength(3);
		for (const c of outputs) expect(c).toMatch(/ass=filename=.*,setpts=PTS-STARTPTS\[v\d\]$/);
	});

	test('thumbnails: each frame from the segment it falls in, numbered as in the whole timeline', () => {
		expect(plan.thumbnailFrames).toEqual([30, 375, 480]);
		expect(plan.segments[0].filtergraph).toContain('select=expr=eq(n\\,30)[thumbs]');
		expect(plan.segments[1].filtergraph).toContain('select=expr=eq(n\\,75)+eq(n\\,180)[thumbs]');
		expect(plan.segments[0].args.join(' ')).toContain('-start_number 1 /tmp/x/frame-%03d.png');
		expect(plan.segments[1].args.join(' ')).toContain('-start_number 2 /tmp/x/frame-%03d.png');
	});

	test('audio once; the join concatenates each output\'s segments in order by stream copy and adds the audio', () => {
		expect(inputsOf(plan.audio.args)).toEqual(['/in/voice.wav', '/in/music.mp3']);
		expect(plan.audio.filtergraph).toContain('loudnorm=I=-14');
		expect(plan.lists.map((l) => l.path)).toEqual([0, 1, 2].map((k) => `/tmp/x/it's segments/output-${k}.ffconcat`));
		expect(plan.lists[1].text).toBe(
			"ffconcat version 1.0\nfile '/tmp/x/it'\\''s segments/segment-0-output-1.mp4'\nfile '/tmp/x/it'\\''s segments/segment-1-output-1.mp4'\n",
		);
		const j = plan.join.args;
		expect(inputsOf(j)).toEqual([...plan.lists.map((l) => l.path), '/tmp/x/audio.m4a']);
		expect(j.join(' ')).toContain('-map 1:v -map 3:a -c copy -t 20 -movflags +faststart -f mp4 /out/h.mp4');
		expect(j).not.toContain('libx264');
	});
});
