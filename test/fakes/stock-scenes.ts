/**
 * What the stock fakes' footage shows: each catalogue item drawn as a layered SVG illustration
 * (sky gradient, sun or moon, skyline or trees, ground, figure silhouettes with a run cycle), for
 * stock-media.ts to render with sharp and animate with ffmpeg (layers panning at their own speed
 * for parallax, figures running across, a slow push-in). A generic stock look on purpose: natural
 * and city colours, people in everyday sports clothes, nothing of the demo brand's palette or
 * product. Deterministic: the drawing depends only on the item (its tags pick the scene, its id the
 * variation), so the same item is the same bytes everywhere and two ids are two different shots.
 */

/** A still layer: rendered once; its left edge moves from x[0] to x[1] over the shot. */
export interface StillLayer {
	kind: 'still';
	svg: string;
	width: number;
	height: number;
	x: [number, number];
	y: number;
}

/** A figure: `poses` loop at `fps` (a run cycle) while it moves from x[0] to x[1]. */
export interface CycleLayer {
	kind: 'cycle';
	poses: string[];
	width: number;
	height: number;
	fps: number;
	x: [number, number];
	y: number;
}

export type ShotLayer = StillLayer | CycleLayer;

export interface Shot {
	width: number;
	height: number;
	seconds: number;
	/** Bottom first. */
	layers: ShotLayer[];
	/** Scale at the end of the slow push-in (1 = none). */
	push: number;
}

export interface SceneItem {
	id: number;
	kind: 'video' | 'photo';
	tags: string[];
	slug: string;
	width: number;
	height: number;
	seconds?: number;
}

// ------------------------------------------------------------------------------ helpers

type Rand = () => number;

/** xorshift32 from a seed: the same id draws the same picture. */
function rng(seed: number): Rand {
	let s = (seed * 2654435761) >>> 0 || 1;
	return () => {
		s ^= s << 13;
		s >>>= 0;
		s ^= s >>> 17;
		s ^= s << 5;
		s >>>= 0;
		return s / 0x100000000;
	};
}

const r1 = (v: number) => (Math.round(v * 10) / 10).toString();
const pick = <T>(rand: Rand, list: readonly T[]): T => list[Math.floor(rand() * list.length) % list.length];
const between = (rand: Rand, a: number, b: number) => a + (b - a) * rand();

function svgDoc(width: number, height: number, body: string, defs = ''): string {
	return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><defs>${defs}</defs>${body}</svg>`;
}

const linear = (id: string, stops: [number, string, number?][], vertical = true) =>
	`<linearGradient id="${id}" x1="0" y1="0" x2="${vertical ? 0 : 1}" y2="${vertical ? 1 : 0}">${stops
		.map(([o, c, a]) => `<stop offset="${o}" stop-color="${c}"${a === undefined ? '' : ` stop-opacity="${a}"`}/>`)
		.join('')}</linearGradient>`;
const radial = (id: string, stops: [number, string, number?][]) =>
	`<radialGradient id="${id}" cx="0.5" cy="0.5" r="0.5">${stops.map(([o, c, a]) => `<stop offset="${o}" stop-color="${c}"${a === undefined ? '' : ` stop-opacity="${a}"`}/>`).join('')}</radialGradient>`;
const blur = (id: string, sd: number) => `<filter id="${id}" x="-50%" y="-50%" width="200%" height="200%"><feGaussianBlur stdDeviation="${sd}"/></filter>`;

/** A row of buildings from x0 to x1 standing on `base`, with lit windows. */
function buildings(
	rand: Rand,
	o: { x0: number; x1: number; base: number; minH: number; maxH: number; minW: number; maxW: number; fill: string; windows: string[]; lit: number; win: number; depth: number },
): string {
	const out: string[] = [];
	let x = o.x0;
	while (x < o.x1) {
		const w = between(rand, o.minW, o.maxW);
		const h = between(rand, o.minH, o.maxH);
		const top = o.base - h;
		out.push(`<rect x="${r1(x)}" y="${r1(top)}" width="${r1(w + 1)}" height="${r1(h + o.depth)}" fill="${o.fill}"/>`);
		const roof = rand();
		if (roof < 0.25) out.push(`<rect x="${r1(x + w * 0.2)}" y="${r1(top - h * 0.08)}" width="${r1(w * 0.6)}" height="${r1(h * 0.08 + 1)}" fill="${o.fill}"/>`);
		else if (roof < 0.4) out.push(`<line x1="${r1(x + w * 0.5)}" y1="${r1(top)}" x2="${r1(x + w * 0.5)}" y2="${r1(top - h * 0.18)}" stroke="${o.fill}" stroke-width="${r1(Math.max(1.5, w * 0.03))}"/>`);
		else if (roof < 0.52) out.push(`<polygon points="${r1(x)},${r1(top)} ${r1(x + w)},${r1(top)} ${r1(x + w)},${r1(top - h * 0.1)}" fill="${o.fill}"/>`);
		// Windows: a grid, some lit.
		const cw = o.win * 2.1;
		const ch = o.win * 2.6;
		const cols = Math.floor((w - o.win) / cw);
		const rows = Math.floor((h - o.win * 2) / ch);
		const pad = (w - cols * cw) / 2 + (cw - o.win) / 2;
		for (let row = 0; row < rows; row++) {
			for (let col = 0; col < cols; col++) {
				if (rand() > o.lit) continue;
				const colour = pick(rand, o.windows);
				out.push(
					`<rect x="${r1(x + pad + col * cw)}" y="${r1(top + o.win * 1.5 + row * ch)}" width="${r1(o.win)}" height="${r1(o.win * 1.4)}" fill="${colour}" opacity="${r1(between(rand, 0.55, 1))}"/>`,
				);
			}
		}
		x += w + between(rand, 0, o.minW * 0.15);
	}
	return out.join('');
}

/** A conifer standing at (x, base), `h` tall and `ratio` × h wide at its foot: a trunk and jagged tiers of branches. */
function conifer(x: number, base: number, h: number, fill: string, trunk: string, ratio = 0.36, tiers = 6): string {
	const w = h * ratio;
	let branches = '';
	for (let i = 0; i < tiers; i++) {
		const k = i / tiers;
		const top = base - h + k * h * 0.82;
		const bottom = top + h * (0.2 + 0.08 * k);
		const half = (w / 2) * (0.3 + 0.7 * ((i + 1) / tiers));
		const dip = half * 0.18;
		branches += `<polygon points="${r1(x)},${r1(top)} ${r1(x + half * 0.55)},${r1(bottom - dip * 1.6)} ${r1(x + half)},${r1(bottom)} ${r1(x + half * 0.35)},${r1(bottom - dip)} ${r1(x)},${r1(bottom - dip * 0.4)} ${r1(x - half * 0.35)},${r1(bottom - dip)} ${r1(x - half)},${r1(bottom)} ${r1(x - half * 0.55)},${r1(bottom - dip * 1.6)}" fill="${fill}"/>`;
	}
	return `<rect x="${r1(x - h * 0.018)}" y="${r1(base - h * 0.25)}" width="${r1(h * 0.036)}" height="${r1(h * 0.25)}" fill="${trunk}"/>${branches}`;
}

/** A broadleaf tree: a trunk and a cluster of overlapping discs. */
function broadleaf(rand: Rand, x: number, base: number, h: number, fills: string[], trunk: string): string {
	const r = h * 0.3;
	const crown: string[] = [];
	for (let k = 0; k < 7; k++) {
		const a = (k / 7) * Math.PI * 2;
		crown.push(`<circle cx="${r1(x + Math.cos(a) * r * 0.6)}" cy="${r1(base - h + r + Math.sin(a) * r * 0.45)}" r="${r1(r * between(rand, 0.55, 0.8))}" fill="${fills[k % fills.length]}"/>`);
	}
	crown.push(`<circle cx="${r1(x)}" cy="${r1(base - h + r * 0.9)}" r="${r1(r * 0.75)}" fill="${fills[0]}"/>`);
	return `<rect x="${r1(x - h * 0.03)}" y="${r1(base - h * 0.45)}" width="${r1(h * 0.06)}" height="${r1(h * 0.45)}" fill="${trunk}"/>${crown.join('')}`;
}

// ------------------------------------------------------------------------------ runners

export interface RunnerLook {
	top: string;
	bottom: string;
	skin: string;
	shoe: string;
	hair: string;
	/** Long hair in a ponytail. */
	ponytail?: boolean;
	/** Sleeves (a jacket or a long-sleeve top) instead of bare arms. */
	sleeves?: boolean;
	/** Full-length tights instead of shorts. */
	tights?: boolean;
	/** The shoe's sole (default light grey). */
	sole?: string;
}

/** A darker shade of #RRGGBB (the far-side limbs). */
function shade(colour: string, k: number): string {
	const v = Number.parseInt(colour.slice(1), 16);
	const c = (s: number) => Math.max(0, Math.min(255, Math.round(((v >> s) & 255) * k)));
	return `#${((c(16) << 16) | (c(8) << 8) | c(0)).toString(16).padStart(6, '0')}`;
}

/** A limb segment from a to b, `wa` wide at a and `wb` at b, with rounded joints. */
function taper(a: [number, number], b: [number, number], wa: number, wb: number, colour: string): string {
	const dx = b[0] - a[0];
	const dy = b[1] - a[1];
	const len = Math.hypot(dx, dy) || 1;
	const nx = -dy / len;
	const ny = dx / len;
	const pts = [
		[a[0] + (nx * wa) / 2, a[1] + (ny * wa) / 2],
		[b[0] + (nx * wb) / 2, b[1] + (ny * wb) / 2],
		[b[0] - (nx * wb) / 2, b[1] - (ny * wb) / 2],
		[a[0] - (nx * wa) / 2, a[1] - (ny * wa) / 2],
	];
	return (
		`<polygon points="${pts.map(([x, y]) => `${r1(x)},${r1(y)}`).join(' ')}" fill="${colour}"/>` +
		`<circle cx="${r1(a[0])}" cy="${r1(a[1])}" r="${r1(wa / 2)}" fill="${colour}"/><circle cx="${r1(b[0])}" cy="${r1(b[1])}" r="${r1(wb / 2)}" fill="${colour}"/>`
	);
}

/**
 * One pose of a side-view runner, `h` px tall, facing right (mirrored for `facing: -1`), at phase
 * `phase` of the stride (radians): thighs swing ±30°, the knee folds in the swing, the arms swing
 * against the legs with bent elbows, the body leans forward and rises in the flight phase. Limbs
 * taper, far-side limbs are darker, a soft shadow sits under the feet; `rim` draws a thin light
 * edge on the back (a runner lit from behind, at night).
 */
export function runnerPose(h: number, phase: number, look: RunnerLook, facing: 1 | -1 = 1, rim?: string): { svg: string; width: number; height: number } {
	const width = Math.round(h * 0.8);
	const height = Math.round(h * 1.08);
	const thigh = h * 0.245;
	const shin = h * 0.245;
	const torso = h * 0.3;
	const upper = h * 0.16;
	const fore = h * 0.15;
	const lean = 0.18;
	const at = (p: [number, number], len: number, a: number): [number, number] => [p[0] + len * Math.sin(a), p[1] + len * Math.cos(a)];
	const leg = (phi: number) => {
		const t = 0.5 * Math.sin(phi) + 0.08;
		const swing = Math.max(0, Math.cos(phi));
		const k = 0.25 + 1.45 * swing ** 1.5 + 0.25 * Math.max(0, -Math.sin(phi));
		return { t, s: t - k };
	};
	// Place the hip so the lowest foot touches the ground (a little lift in the flight phase).
	const ground = height - h * 0.04;
	const legs = [leg(phase), leg(phase + Math.PI)];
	const lowest = Math.max(...legs.map((l) => thigh * Math.cos(l.t) + shin * Math.cos(l.s) + h * 0.03));
	const lift = h * 0.03 * Math.sin(phase) ** 2;
	const hip: [number, number] = [width * 0.45, ground - lowest - lift];
	const shoulder = at(hip, torso, Math.PI - lean);
	const neckTop = at(shoulder, h * 0.06, Math.PI - lean * 0.5);
	const head: [number, number] = [neckTop[0] + h * 0.01, neckTop[1] - h * 0.055];
	const part = (near: boolean, colour: string) => shade(colour, near ? 1 : 0.7);
	const drawLeg = (l: { t: number; s: number }, near: boolean) => {
		const knee = at(hip, thigh, l.t);
		const ankle = at(knee, shin, l.s);
		const leg = part(near, look.tights ? look.bottom : look.skin);
		// The shoe: heel behind the ankle, toe ahead, along the foot's angle.
		const foot = l.s + 1.5;
		const heel = at(ankle, h * 0.025, foot + Math.PI);
		const toe = at(ankle, h * 0.085, foot);
		return [
			taper(hip, knee, h * 0.105, h * 0.065, leg),
			taper(knee, ankle, h * 0.062, h * 0.04, leg),
			look.tights ? '' : taper(hip, at(hip, thigh * 0.5, l.t), h * 0.115, h * 0.092, part(near, look.bottom)),
			taper(heel, toe, h * 0.045, h * 0.034, part(near, look.shoe)),
			`<line x1="${r1(heel[0])}" y1="${r1(heel[1] + h * 0.018)}" x2="${r1(toe[0])}" y2="${r1(toe[1] + h * 0.014)}" stroke="${part(near, look.sole ?? '#E8E8E8')}" stroke-width="${r1(h * 0.012)}" stroke-linecap="round"/>`,
		].join('');
	};
	const drawArm = (a: number, near: boolean) => {
		const elbow = at(shoulder, upper, a);
		const hand = at(elbow, fore, a + 1.75);
		const skin = part(near, look.skin);
		const sleeve = part(near, look.top);
		return (
			taper(shoulder, elbow, h * 0.058, h * 0.044, look.sleeves ? sleeve : skin) +
			(look.sleeves ? '' : taper(shoulder, at(shoulder, upper * 0.4, a), h * 0.066, h * 0.056, sleeve)) +
			taper(elbow, hand, h * 0.044, h * 0.034, look.sleeves ? sleeve : skin) +
			`<circle cx="${r1(hand[0])}" cy="${r1(hand[1])}" r="${r1(h * 0.024)}" fill="${skin}"/>`
		);
	};
	const armA = -0.62 * Math.sin(phase) + 0.15;
	const armB = -0.62 * Math.sin(phase + Math.PI) + 0.15;
	// The torso: a tapered block from the hips to the shoulders, the chest a little deeper.
	const chest = at(hip, torso * 0.7, Math.PI - lean);
	const body = taper(hip, chest, h * 0.12, h * 0.15, look.top) + taper(chest, shoulder, h * 0.15, h * 0.12, look.top);
	const pelvis = `<circle cx="${r1(hip[0])}" cy="${r1(hip[1])}" r="${r1(h * 0.064)}" fill="${look.bottom}"/>` + taper(hip, at(hip, h * 0.07, Math.PI - lean), h * 0.125, h * 0.12, look.bottom);
	const ponytail = look.ponytail
		? taper([head[0] - h * 0.04, head[1] - h * 0.03], [head[0] - h * 0.11, head[1] + h * 0.02 + Math.sin(phase * 2) * h * 0.015], h * 0.035, h * 0.018, look.hair)
		: '';
	// Hair behind and over the top of the head, the face in front of it.
	const headShape =
		`<ellipse cx="${r1(head[0] - h * 0.012)}" cy="${r1(head[1] - h * 0.014)}" rx="${r1(h * 0.058)}" ry="${r1(h * 0.056)}" fill="${look.hair}"/>` +
		`<ellipse cx="${r1(head[0] + h * 0.01)}" cy="${r1(head[1] + h * 0.01)}" rx="${r1(h * 0.05)}" ry="${r1(h * 0.057)}" fill="${look.skin}"/>`;
	const figure = [
		drawArm(armB, false),
		drawLeg(legs[1], false),
		taper(shoulder, neckTop, h * 0.05, h * 0.045, shade(look.skin, 0.9)),
		ponytail,
		drawLeg(legs[0], true),
		pelvis,
		body,
		headShape,
		drawArm(armA, true),
	].join('');
	const shadow = `<ellipse cx="${r1(hip[0])}" cy="${r1(ground + h * 0.012)}" rx="${r1(h * 0.2)}" ry="${r1(h * 0.022)}" fill="#000" opacity="${r1(0.28 - lift / h)}"/>`;
	// Rim light: the figure's shape in the light colour, a hair behind it.
	const rimmed = rim ? `<g transform="translate(${r1(-h * 0.008)} ${r1(-h * 0.004)})" opacity="0.75">${figure.replace(/fill="#[0-9A-Fa-f]{6}"/g, `fill="${rim}"`)}</g>` : '';
	const flip = facing === -1 ? ` transform="translate(${width} 0) scale(-1 1)"` : '';
	return { svg: svgDoc(width, height, `${shadow}<g${flip}>${rimmed}${figure}</g>`), width, height };
}

/** A run cycle: `frames` poses of one stride, starting at `offset` of it. */
function runner(h: number, look: RunnerLook, o: { facing?: 1 | -1; frames?: number; offset?: number; fps?: number; x: [number, number]; feet: number; rim?: string }): CycleLayer {
	const frames = o.frames ?? 8;
	const poses = Array.from({ length: frames }, (_, k) => runnerPose(h, ((k + (o.offset ?? 0) * frames) / frames) * Math.PI * 2, look, o.facing ?? 1, o.rim));
	return { kind: 'cycle', poses: poses.map((p) => p.svg), width: poses[0].width, height: poses[0].height, fps: o.fps ?? 12, x: o.x, y: Math.round(o.feet - poses[0].height + h * 0.04) };
}

const LOOKS: RunnerLook[] = [
	{ top: '#2EC4B6', bottom: '#1B1B2F', skin: '#8D5524', shoe: '#F1F1F1', hair: '#1A1110', tights: true, sleeves: true },
	{ top: '#E63946', bottom: '#22223B', skin: '#F1C27D', shoe: '#FFFFFF', hair: '#6B4226', ponytail: true },
	{ top: '#FFB703', bottom: '#264653', skin: '#C68642', shoe: '#2B2D42', hair: '#2B1B17' },
	{ top: '#3A86FF', bottom: '#14213D', skin: '#E0AC69', shoe: '#E5E5E5', hair: '#3B2A20', ponytail: true },
	{ top: '#F4F1DE', bottom: '#3D405B', skin: '#5C3A21', shoe: '#E07A5F', hair: '#0F0A08' },
	{ top: '#8338EC', bottom: '#1D3557', skin: '#FFDBAC', shoe: '#F8F9FA', hair: '#A0522D', tights: true },
];

/** Night runners: dark kit with a reflective accent (the rim light does the rest). */
const NIGHT_LOOKS: RunnerLook[] = [
	{ top: '#23303F', bottom: '#11141C', skin: '#6B4A35', shoe: '#D9E4EA', hair: '#0E0B0A', tights: true, sleeves: true },
	{ top: '#3A2E4F', bottom: '#121019', skin: '#B98A6A', shoe: '#E8ECEF', hair: '#2A1A12', tights: true, sleeves: true, ponytail: true },
];

const still = (svg: string, width: number, height: number, x: [number, number], y = 0): StillLayer => ({ kind: 'still', svg, width, height, x, y });

/** Darkened edges, as a lens gives them. */
function vignette(W: number, H: number, strength: number): StillLayer {
	const defs = `<radialGradient id="vg" cx="0.5" cy="0.48" r="0.75"><stop offset="0.55" stop-color="#000" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity="${strength}"/></radialGradient>`;
	return still(svgDoc(W, H, `<rect width="${W}" height="${H}" fill="url(#vg)"/>`, defs), W, H, [0, 0]);
}

/** Width a layer needs to pan `speed` px/s for `seconds` across a frame `W` wide. */
const span = (W: number, speed: number, seconds: number) => Math.ceil(W + Math.abs(speed) * seconds + 40);

// ------------------------------------------------------------------------------ scenes

/** Runner on a city street at night: moon, two rows of lit buildings, street lamps, a wet street, bokeh; the camera tracks the runner. */
function nightStreet(item: SceneItem): Shot {
	const W = item.width;
	const H = item.height;
	const D = item.seconds ?? 4;
	const rand = rng(item.id);
	const hue = rand() < 0.5;
	const sky = svgDoc(
		W,
		H,
		`<rect width="${W}" height="${H}" fill="url(#sky)"/>` +
			Array.from({ length: 70 }, () => `<circle cx="${r1(rand() * W)}" cy="${r1(rand() * H * 0.42)}" r="${r1(between(rand, 0.6, 1.6))}" fill="#FFFFFF" opacity="${r1(between(rand, 0.25, 0.85))}"/>`).join('') +
			`<circle cx="${r1(W * 0.74)}" cy="${r1(H * 0.13)}" r="${r1(W * 0.16)}" fill="url(#glow)"/><circle cx="${r1(W * 0.74)}" cy="${r1(H * 0.13)}" r="${r1(W * 0.05)}" fill="#F6F1DC"/>` +
			`<circle cx="${r1(W * 0.755)}" cy="${r1(H * 0.125)}" r="${r1(W * 0.014)}" fill="#E6E0C8" opacity="0.6"/><circle cx="${r1(W * 0.728)}" cy="${r1(H * 0.138)}" r="${r1(W * 0.009)}" fill="#E6E0C8" opacity="0.5"/>`,
		linear('sky', [
			[0, '#070B1F'],
			[0.45, hue ? '#1D1842' : '#12264A'],
			[0.66, hue ? '#4B2B5C' : '#2E4A6B'],
			[1, '#1A1424'],
		]) + radial('glow', [[0, '#F6F1DC', 0.45], [1, '#F6F1DC', 0]]),
	);
	const horizon = H * 0.66;
	const farSpeed = -10;
	const farW = span(W, farSpeed, D);
	const far = svgDoc(farW, H, buildings(rand, { x0: -10, x1: farW, base: horizon, minH: H * 0.12, maxH: H * 0.32, minW: W * 0.09, maxW: W * 0.2, fill: hue ? '#231E45' : '#1A2C4A', windows: ['#F7D08A', '#BFD7FF'], lit: 0.18, win: W * 0.008, depth: H * 0.2 }));
	const midSpeed = -38;
	const midW = span(W, midSpeed, D);
	const neon = ['#FF4D9D', '#3DE0FF', '#FFB23F'];
	let signs = '';
	for (let x = W * 0.3; x < midW; x += between(rand, W * 0.55, W * 0.9)) {
		const c = pick(rand, neon);
		const y = between(rand, H * 0.5, H * 0.6);
		const sw = W * between(rand, 0.1, 0.16);
		const sh = H * 0.026;
		let letters = '';
		for (let lx = x + sw * 0.12; lx < x + sw * 0.88; lx += sw * between(rand, 0.09, 0.14)) {
			letters += `<rect x="${r1(lx)}" y="${r1(y + sh * 0.28)}" width="${r1(sw * 0.05)}" height="${r1(sh * 0.44)}" rx="1" fill="${c}"/>`;
		}
		signs += `<rect x="${r1(x)}" y="${r1(y)}" width="${r1(sw)}" height="${r1(sh)}" rx="4" fill="#07060C"/>`;
		signs += `<g filter="url(#b6)" opacity="0.9"><rect x="${r1(x)}" y="${r1(y)}" width="${r1(sw)}" height="${r1(sh)}" rx="4" fill="none" stroke="${c}" stroke-width="5"/>${letters}</g>`;
		signs += `<rect x="${r1(x)}" y="${r1(y)}" width="${r1(sw)}" height="${r1(sh)}" rx="4" fill="none" stroke="${c}" stroke-width="2"/>${letters}`;
	}
	const mid = svgDoc(
		midW,
		H,
		buildings(rand, { x0: -20, x1: midW, base: H * 0.76, minH: H * 0.22, maxH: H * 0.46, minW: W * 0.2, maxW: W * 0.36, fill: '#0E0C1C', windows: ['#FFC66B', '#FFE3A3', '#A9C8FF', '#FF9E6B'], lit: 0.34, win: W * 0.014, depth: H * 0.05 }) + signs,
		blur('b6', 6),
	);
	// The street: sidewalk with the runner on it, lamps along it, wet asphalt reflecting them.
	const streetSpeed = -150;
	const streetW = span(W, streetSpeed, D);
	const kerb = H * 0.8;
	let lamps = '';
	let reflections = '';
	for (let x = W * 0.2; x < streetW; x += W * 0.62) {
		lamps += `<rect x="${r1(x - 3)}" y="${r1(H * 0.47)}" width="6" height="${r1(kerb - H * 0.47)}" fill="#07070D"/><rect x="${r1(x - 3)}" y="${r1(H * 0.47)}" width="${r1(W * 0.06)}" height="5" fill="#07070D"/>`;
		lamps += `<circle cx="${r1(x + W * 0.055)}" cy="${r1(H * 0.478)}" r="${r1(W * 0.2)}" fill="url(#lamp)"/><ellipse cx="${r1(x + W * 0.055)}" cy="${r1(H * 0.479)}" rx="${r1(W * 0.016)}" ry="5" fill="#FFF1C9"/>`;
		lamps += `<polygon points="${r1(x + W * 0.04)},${r1(H * 0.482)} ${r1(x + W * 0.07)},${r1(H * 0.482)} ${r1(x + W * 0.2)},${r1(kerb)} ${r1(x - W * 0.09)},${r1(kerb)}" fill="#FFD58A" opacity="0.06"/>`;
		reflections += `<rect x="${r1(x + W * 0.035)}" y="${r1(kerb + H * 0.03)}" width="${r1(W * 0.04)}" height="${r1(H * 0.16)}" fill="#FFC46B" opacity="0.35" filter="url(#b10)"/>`;
		for (let k = 0; k < 3; k++) {
			reflections += `<rect x="${r1(x + between(rand, W * 0.15, W * 0.55))}" y="${r1(kerb + H * 0.035)}" width="${r1(W * 0.02)}" height="${r1(H * between(rand, 0.06, 0.12))}" fill="${pick(rand, ['#FFC66B', '#A9C8FF', '#FF4D9D', '#3DE0FF'])}" opacity="0.16" filter="url(#b10)"/>`;
		}
		lamps += `<ellipse cx="${r1(x + W * 0.1)}" cy="${r1(kerb - 2)}" rx="${r1(W * 0.16)}" ry="${r1(H * 0.012)}" fill="#FFC46B" opacity="0.22" filter="url(#b10)"/>`;
	}
	let dashes = '';
	for (let x = 0; x < streetW; x += W * 0.3) dashes += `<rect x="${r1(x)}" y="${r1(H * 0.915)}" width="${r1(W * 0.14)}" height="${r1(H * 0.006)}" fill="#C9C3B0" opacity="0.55"/>`;
	const street = svgDoc(
		streetW,
		H,
		`<rect y="${r1(kerb - H * 0.012)}" width="${streetW}" height="${r1(H * 0.035)}" fill="#2A2733"/><rect y="${r1(kerb + H * 0.02)}" width="${streetW}" height="${r1(H - kerb)}" fill="url(#asphalt)"/>` +
			`<rect y="${r1(kerb + H * 0.018)}" width="${streetW}" height="4" fill="#4A4556"/>${reflections}${dashes}${lamps}`,
		linear('asphalt', [
			[0, '#1B1924'],
			[1, '#0B0A10'],
		]) +
			radial('lamp', [[0, '#FFD58A', 0.55], [0.4, '#FFB35C', 0.18], [1, '#FFB35C', 0]]) +
			blur('b10', 10),
	);
	const look = pick(rand, [NIGHT_LOOKS[0], NIGHT_LOOKS[1]]);
	const h = Math.round(H * 0.3);
	const fig = runner(h, look, { x: [W * 0.22, W * 0.4], feet: kerb + H * 0.004, fps: 13, rim: '#FFD7A1' });
	// Foreground bokeh: out-of-focus lights passing close to the lens.
	const bokehSpeed = -320;
	const bokehW = span(W, bokehSpeed, D);
	let dots = '';
	for (let k = 0; k < 5; k++) dots += `<circle cx="${r1(rand() * bokehW)}" cy="${r1(between(rand, H * 0.7, H * 1.02))}" r="${r1(between(rand, W * 0.05, W * 0.09))}" fill="${pick(rand, ['#FFC46B', '#FFB35C', '#FF6FA8'])}" opacity="${r1(between(rand, 0.07, 0.13))}" filter="url(#b5)"/>`;
	const bokeh = svgDoc(bokehW, H, dots, blur('b5', 9));
	return {
		width: W,
		height: H,
		seconds: D,
		push: 1.06,
		layers: [
			still(sky, W, H, [0, 0]),
			still(far, farW, H, [0, farSpeed * D]),
			still(mid, midW, H, [0, midSpeed * D]),
			still(street, streetW, H, [0, streetSpeed * D]),
			fig,
			still(bokeh, bokehW, H, [0, bokehSpeed * D]),
			vignette(W, H, 0.55),
		],
	};
}

/** A sunrise run over a bridge: low sun, warm sky, hills, the water's reflection, a bridge with runners crossing it. */
function sunriseBridge(item: SceneItem): Shot {
	const W = item.width;
	const H = item.height;
	const D = item.seconds ?? 6;
	const rand = rng(item.id);
	const portrait = H > W;
	const horizon = H * (portrait ? 0.62 : 0.66);
	const sunX = W * between(rand, 0.5, 0.62);
	const sunR = Math.min(W, H) * 0.07;
	// Just risen: above the bridge deck, which sits a little above the horizon.
	const sunY = horizon - H * (portrait ? 0.05 : 0.08) - sunR * 1.4;
	let clouds = '';
	for (let k = 0; k < 7; k++) {
		const y = between(rand, H * 0.08, horizon * 0.75);
		clouds += `<ellipse cx="${r1(rand() * W * 1.2)}" cy="${r1(y)}" rx="${r1(between(rand, W * 0.1, W * 0.25))}" ry="${r1(H * 0.012)}" fill="${y < horizon * 0.4 ? '#F6B8A8' : '#FFD3A0'}" opacity="0.55" filter="url(#b3)"/>`;
	}
	const sky = svgDoc(
		W,
		H,
		`<rect width="${W}" height="${H}" fill="url(#sky)"/><circle cx="${r1(sunX)}" cy="${r1(sunY)}" r="${r1(sunR * 6)}" fill="url(#sunglow)"/>` +
			`<circle cx="${r1(sunX)}" cy="${r1(sunY)}" r="${r1(sunR)}" fill="#FFF4CF"/>${clouds}`,
		linear('sky', [
			[0, '#3A5BA0'],
			[0.38, '#9C7BB5'],
			[0.62, '#F59A7C'],
			[portrait ? 0.62 : 0.66, '#FFD38C'],
			[1, '#FFD38C'],
		]) +
			radial('sunglow', [[0, '#FFF0C0', 0.9], [0.25, '#FFC27A', 0.45], [1, '#FF9E6E', 0]]) +
			blur('b3', 3),
	);
	// Hills and a distant town on the horizon.
	const hillSpeed = -6;
	const hillW = span(W, hillSpeed, D);
	let hillPath = `M0 ${r1(horizon)}`;
	for (let x = 0; x <= hillW; x += hillW / 12) hillPath += ` L${r1(x)} ${r1(horizon - between(rand, H * 0.01, H * 0.05))}`;
	hillPath += ` L${hillW} ${r1(horizon)} Z`;
	const hills = svgDoc(hillW, H, `<path d="${hillPath}" fill="#8A6F9E" opacity="0.85"/>` + buildings(rand, { x0: hillW * 0.1, x1: hillW * 0.45, base: horizon, minH: H * 0.02, maxH: H * 0.07, minW: W * 0.01, maxW: W * 0.03, fill: '#7A6290', windows: ['#FFE1A8'], lit: 0.05, win: 1.2, depth: 2 }));
	// Water: warm near the horizon, the sun's reflection broken into shimmering lines.
	let shimmer = '';
	for (let y = horizon + 3; y < H; y += H * between(rand, 0.008, 0.016)) {
		const depth = (y - horizon) / (H - horizon);
		const spread = sunR * (0.6 + depth * 2.2);
		for (let k = 0; k < 2; k++) {
			const w = spread * between(rand, 0.2, 0.9);
			shimmer += `<rect x="${r1(sunX + spread * between(rand, -1, 1) - w / 2)}" y="${r1(y)}" width="${r1(w)}" height="${r1(H * (0.002 + depth * 0.004))}" rx="1" fill="#FFE9BC" opacity="${r1(between(rand, 0.25, 0.7) * (1 - depth * 0.6))}"/>`;
		}
	}
	const water = svgDoc(
		W + 40,
		H,
		`<rect y="${r1(horizon)}" width="${W + 40}" height="${r1(H - horizon)}" fill="url(#water)"/><ellipse cx="${r1(sunX)}" cy="${r1(horizon + (H - horizon) * 0.3)}" rx="${r1(sunR * 1.6)}" ry="${r1((H - horizon) * 0.4)}" fill="#FFD9A0" opacity="0.25" filter="url(#b12)"/><g filter="url(#b1)">${shimmer}</g>`,
		linear('water', [[0, '#F3B58A'], [0.35, '#B07A8E'], [1, '#3C4A78']]) + blur('b12', 12) + blur('b1', 0.8),
	);
	// The bridge: deck, railing, two towers with cables, piers to the water.
	const bridgeSpeed = -14;
	const bridgeW = span(W, bridgeSpeed, D);
	const deck = horizon - H * (portrait ? 0.05 : 0.08);
	const ink = '#2B2238';
	let bridge = `<rect x="0" y="${r1(deck)}" width="${bridgeW}" height="${r1(H * 0.025)}" fill="${ink}"/><rect x="0" y="${r1(deck - H * 0.03)}" width="${bridgeW}" height="3" fill="${ink}"/>`;
	for (let x = 0; x < bridgeW; x += 14) bridge += `<rect x="${x}" y="${r1(deck - H * 0.03)}" width="2" height="${r1(H * 0.03)}" fill="${ink}"/>`;
	const towers = [bridgeW * 0.22, bridgeW * 0.78];
	const towerTop = deck - H * (portrait ? 0.22 : 0.32);
	for (const tx of towers) {
		bridge += `<rect x="${r1(tx - W * 0.012)}" y="${r1(towerTop)}" width="${r1(W * 0.024)}" height="${r1(H - towerTop)}" fill="${ink}"/>`;
		bridge += `<rect x="${r1(tx - W * 0.02)}" y="${r1(deck + H * 0.02)}" width="${r1(W * 0.04)}" height="${r1(H)}" fill="${ink}"/>`;
	}
	const cable = (x1: number, x2: number) => `<path d="M${r1(x1)} ${r1(towerTop + 4)} Q${r1((x1 + x2) / 2)} ${r1(deck + (deck - towerTop) * 0.25)} ${r1(x2)} ${r1(towerTop + 4)}" stroke="${ink}" stroke-width="3" fill="none"/>`;
	bridge += cable(towers[0], towers[1]) + cable(-bridgeW * 0.34, towers[0]) + cable(towers[1], bridgeW * 1.34);
	for (let x = towers[0] + 30; x < towers[1]; x += 30) {
		const t = (x - towers[0]) / (towers[1] - towers[0]);
		const y = towerTop + 4 + 4 * t * (1 - t) * (deck + (deck - towerTop) * 0.25 - towerTop - 4) * 0.5;
		bridge += `<line x1="${r1(x)}" y1="${r1(y)}" x2="${r1(x)}" y2="${r1(deck)}" stroke="${ink}" stroke-width="1.5"/>`;
	}
	const bridgeLayer = svgDoc(bridgeW, H, bridge);
	const h = Math.round(H * (portrait ? 0.14 : 0.19));
	const silhouette: RunnerLook = { top: '#241B30', bottom: '#1E1728', skin: '#241B30', shoe: '#1E1728', hair: '#1E1728', sole: '#1E1728' };
	const pony: RunnerLook = { ...silhouette, ponytail: true };
	const dir = item.id % 2 === 0 ? 1 : -1;
	// They cross the middle of the frame at the middle of the shot (a 9:16 crop of it keeps them).
	const run = W * 0.5 * dir;
	const from = W * 0.5 - h * 0.4 - run / 2;
	return {
		width: W,
		height: H,
		seconds: D,
		push: 1.05,
		layers: [
			still(sky, W, H, [0, 0]),
			still(hills, hillW, H, [0, hillSpeed * D]),
			still(water, W + 40, H, [0, -20]),
			still(bridgeLayer, bridgeW, H, [0, bridgeSpeed * D]),
			runner(h, pony, { facing: dir as 1 | -1, x: [from, from + run], feet: deck + 1, fps: 12 }),
			runner(Math.round(h * 0.97), silhouette, { facing: dir as 1 | -1, offset: 0.4, x: [from - dir * h * 0.55, from - dir * h * 0.55 + run], feet: deck + 1, fps: 12 }),
			vignette(W, H, 0.35),
		],
	};
}

/** A trail runner in a forest: light through the canopy, rows of trees fading into mist, a trail, trunks passing close to the lens. */
function forestTrail(item: SceneItem): Shot {
	const W = item.width;
	const H = item.height;
	const D = item.seconds ?? 5;
	const rand = rng(item.id);
	const autumn = rand() < 0.35;
	const sunX = W * between(rand, 0.65, 0.9);
	let rays = '';
	for (let k = 0; k < 6; k++) {
		const x = sunX + between(rand, -W * 0.15, W * 0.15);
		const spread = between(rand, W * 0.04, W * 0.1);
		rays += `<polygon points="${r1(x)},${r1(-H * 0.02)} ${r1(x + spread * 0.4)},${r1(-H * 0.02)} ${r1(x - W * 0.55 + spread)},${r1(H * 0.9)} ${r1(x - W * 0.55 - spread)},${r1(H * 0.9)}" fill="#FFF6D5" opacity="${r1(between(rand, 0.1, 0.2))}"/>`;
	}
	const sky = svgDoc(
		W,
		H,
		`<rect width="${W}" height="${H}" fill="url(#sky)"/><circle cx="${r1(sunX)}" cy="${r1(H * 0.08)}" r="${r1(W * 0.55)}" fill="url(#sun)"/>`,
		linear('sky', [[0, '#F4F3D6'], [0.55, autumn ? '#D8C79B' : '#BFD6AC'], [1, '#9DBB92']]) + radial('sun', [[0, '#FFFBE6', 0.95], [1, '#FFFBE6', 0]]),
	);
	const base = H * 0.72;
	/** A row of conifers, their feet hidden in mist. */
	const row = (o: { width: number; gap: [number, number]; height: [number, number]; fill: string; trunk: string; foot: number; mist: number }) => {
		let trees = '';
		for (let x = -30; x < o.width + 30; x += between(rand, o.gap[0], o.gap[1])) trees += conifer(x, o.foot + between(rand, 0, H * 0.02), between(rand, o.height[0], o.height[1]), o.fill, o.trunk, 0.27, 7);
		return `${trees}<rect y="${r1(o.foot - H * 0.2)}" width="${o.width}" height="${r1(H * 0.3)}" fill="url(#mist)" opacity="${o.mist}"/>`;
	};
	const mistDefs = linear('mist', [[0, '#EEF2DF', 0], [0.75, '#EEF2DF', 0.85], [1, '#EEF2DF', 0.95]]);
	const farSpeed = -10;
	const farW = span(W, farSpeed, D);
	const far = svgDoc(farW, H, row({ width: farW, gap: [W * 0.05, W * 0.085], height: [H * 0.3, H * 0.42], fill: autumn ? '#BDB593' : '#AEC6A6', trunk: autumn ? '#BDB593' : '#AEC6A6', foot: base - H * 0.03, mist: 0.85 }), mistDefs);
	const midSpeed = -26;
	const midW = span(W, midSpeed, D);
	const mid = svgDoc(midW, H, row({ width: midW, gap: [W * 0.11, W * 0.17], height: [H * 0.48, H * 0.66], fill: autumn ? '#8E8C5E' : '#77A07A', trunk: '#6F6552', foot: base + H * 0.01, mist: 0.55 }), mistDefs);
	const nearSpeed = -48;
	const nearTreesW = span(W, nearSpeed, D);
	let nearTrees = '';
	for (let x = -40; x < nearTreesW + 40; x += between(rand, W * 0.34, W * 0.5)) {
		nearTrees +=
			!autumn || rand() < 0.5
				? conifer(x, base + H * 0.05, between(rand, H * 0.9, H * 1.2), autumn ? '#55603A' : '#3C6446', '#4A3A2C', 0.24, 9)
				: broadleaf(rand, x, base + H * 0.05, between(rand, H * 0.38, H * 0.48), ['#C9772E', '#D89A3B', '#A85A2A'], '#4A3A2C');
	}
	const midNear = svgDoc(nearTreesW, H, `${nearTrees}<rect y="${r1(base - H * 0.05)}" width="${nearTreesW}" height="${r1(H * 0.12)}" fill="url(#mist)" opacity="0.35"/>`, mistDefs);
	// Ground and the trail, moving with the runner.
	const groundSpeed = -120;
	const groundW = span(W, groundSpeed, D);
	let tufts = '';
	for (let x = 0; x < groundW; x += between(rand, 10, 26)) {
		const y = between(rand, base + H * 0.03, H);
		if (y > H * 0.86 && y < H * 0.92) continue; // the trail itself
		const sz = between(rand, 6, 15) * (0.5 + (y - base) / (H - base));
		tufts += `<path d="M${r1(x)} ${r1(y)} l${r1(-sz * 0.4)} ${r1(-sz)} M${r1(x)} ${r1(y)} l0 ${r1(-sz * 1.2)} M${r1(x)} ${r1(y)} l${r1(sz * 0.4)} ${r1(-sz)}" stroke="${pick(rand, autumn ? ['#7A7A3C', '#8C6F3A', '#5E6B34'] : ['#4C7A3F', '#5E8C45', '#3E6634'])}" stroke-width="2" stroke-linecap="round"/>`;
	}
	let stones = '';
	for (let k = 0; k < groundW / 60; k++) stones += `<ellipse cx="${r1(rand() * groundW)}" cy="${r1(between(rand, H * 0.862, H * 0.915))}" rx="${r1(between(rand, 3, 9))}" ry="${r1(between(rand, 1.5, 3.5))}" fill="${pick(rand, ['#8E7A5E', '#7A6A52', '#B39C78'])}"/>`;
	for (let k = 0; k < groundW / 220; k++) stones += `<ellipse cx="${r1(rand() * groundW)}" cy="${r1(between(rand, H * 0.93, H * 0.97))}" rx="${r1(between(rand, 14, 28))}" ry="${r1(between(rand, 6, 11))}" fill="#7D776C"/>`;
	const ground = svgDoc(
		groundW,
		H,
		`<rect y="${r1(base)}" width="${groundW}" height="${r1(H - base)}" fill="url(#ground)"/>` +
			`<path d="M0 ${r1(H * 0.858)} C${r1(groundW * 0.3)} ${r1(H * 0.85)} ${r1(groundW * 0.6)} ${r1(H * 0.866)} ${groundW} ${r1(H * 0.855)} L${groundW} ${r1(H * 0.918)} C${r1(groundW * 0.6)} ${r1(H * 0.928)} ${r1(groundW * 0.3)} ${r1(H * 0.91)} 0 ${r1(H * 0.922)} Z" fill="#9C8160"/>` +
			`<path d="M0 ${r1(H * 0.875)} C${r1(groundW * 0.3)} ${r1(H * 0.868)} ${r1(groundW * 0.6)} ${r1(H * 0.884)} ${groundW} ${r1(H * 0.873)}" stroke="#B49A74" stroke-width="${r1(H * 0.012)}" fill="none" opacity="0.6"/>${stones}${tufts}`,
		linear('ground', [[0, autumn ? '#7D7444' : '#5E8A4E'], [0.4, autumn ? '#66603A' : '#4A7540'], [1, '#2E4729']]),
	);
	const look = pick(rand, [LOOKS[2], LOOKS[1], LOOKS[4]]);
	const h = Math.round(H * 0.27);
	const runFrom = W * 0.22;
	const runTo = W * 0.42;
	const fig = runner(h, look, { x: [runFrom, runTo], feet: H * 0.895, fps: 12 });
	// Near trunks and ferns sweeping past the lens, never in front of the runner at the middle of the shot.
	const nearSpeed2 = -300;
	const lensW = span(W, nearSpeed2, D);
	let lens = '';
	const runnerMid = (runFrom + runTo) / 2 + h * 0.4;
	for (let x = W * 0.9; x < lensW; x += between(rand, W * 0.7, W * 1.0)) {
		const tw = W * between(rand, 0.06, 0.09);
		const atMid = x + (nearSpeed2 * D) / 2; // where it is on screen at the middle
		if (atMid + tw > runnerMid - h * 0.5 && atMid < runnerMid + h * 0.5) continue;
		lens += `<rect x="${r1(x)}" y="0" width="${r1(tw)}" height="${H}" fill="url(#bark)" filter="url(#b4)"/>`;
	}
	for (let x = 0; x < lensW; x += between(rand, 50, 110)) lens += `<ellipse cx="${r1(x)}" cy="${r1(H * 1.01)}" rx="${r1(between(rand, 35, 70))}" ry="${r1(between(rand, 25, 50))}" fill="${autumn ? '#4A4424' : '#2C4A26'}" filter="url(#b4)"/>`;
	const lensLayer = svgDoc(lensW, H, lens, blur('b4', 4) + linear('bark', [[0, '#1A2216'], [0.5, '#2A3322'], [1, '#141A11']], false));
	return {
		width: W,
		height: H,
		seconds: D,
		push: 1.05,
		layers: [
			still(sky, W, H, [0, 0]),
			still(svgDoc(W, H, rays), W, H, [0, 0]),
			still(far, farW, H, [0, farSpeed * D]),
			still(mid, midW, H, [0, midSpeed * D]),
			still(midNear, nearTreesW, H, [0, nearSpeed * D]),
			still(ground, groundW, H, [0, groundSpeed * D]),
			fig,
			still(lensLayer, lensW, H, [0, nearSpeed2 * D]),
			vignette(W, H, 0.4),
		],
	};
}

/** Friends running in a park: blue sky and clouds, trees, a lawn with a path, three runners passing the camera. */
function parkFriends(item: SceneItem): Shot {
	const W = item.width;
	const H = item.height;
	const D = item.seconds ?? 4;
	const rand = rng(item.id);
	let clouds = '';
	for (let k = 0; k < 5; k++) {
		const cx = rand() * W * 1.3;
		const cy = between(rand, H * 0.06, H * 0.32);
		const s = between(rand, W * 0.06, W * 0.12);
		const puffs = [0, 1, 2, 3].map((j) => `<circle cx="${r1(cx + (j - 1.5) * s * 0.9)}" cy="${r1(cy + (j % 2 ? -s * 0.25 : 0))}" r="${r1(s * (j % 2 ? 0.85 : 0.65))}"/>`).join('');
		// One shape per cloud (no seams between its puffs), a cooler shade at the bottom.
		clouds += `<g opacity="0.95"><g fill="#E6EEF6" transform="translate(0 ${r1(s * 0.12)})">${puffs}</g><g fill="#FFFFFF">${puffs}</g></g>`;
	}
	const sky = svgDoc(
		W + 60,
		H,
		`<rect width="${W + 60}" height="${H}" fill="url(#sky)"/>${clouds}`,
		linear('sky', [[0, '#5FA8E0'], [0.55, '#A9D6F2'], [1, '#DDF0FA']]),
	);
	const horizon = H * 0.6;
	const treeSpeed = -10;
	const treeW = span(W, treeSpeed, D);
	let trees = '';
	for (let x = -20; x < treeW; x += between(rand, W * 0.12, W * 0.2)) trees += broadleaf(rand, x, horizon + H * 0.01, between(rand, H * 0.15, H * 0.25), ['#4F8F4A', '#5EA356', '#6BB563'], '#5B4636');
	const treeLayer = svgDoc(treeW, H, trees);
	const lawnSpeed = -24;
	const lawnW = span(W, lawnSpeed, D);
	let stripes = '';
	for (let x = -W; x < lawnW; x += W * 0.36) stripes += `<polygon points="${r1(x)},${r1(H)} ${r1(x + W * 0.18)},${r1(H)} ${r1(x + W * 0.5)},${r1(horizon)} ${r1(x + W * 0.42)},${r1(horizon)}" fill="#FFFFFF" opacity="0.06"/>`;
	let flowers = '';
	for (let k = 0; k < 60; k++) flowers += `<circle cx="${r1(rand() * lawnW)}" cy="${r1(between(rand, horizon + H * 0.02, H))}" r="${r1(between(rand, 1.5, 3.5))}" fill="${pick(rand, ['#FFFFFF', '#FFE066', '#FFB3C1'])}" opacity="0.8"/>`;
	const lawn = svgDoc(
		lawnW,
		H,
		`<rect y="${r1(horizon)}" width="${lawnW}" height="${r1(H - horizon)}" fill="url(#lawn)"/>${stripes}<path d="M0 ${r1(H * 0.76)} L${lawnW} ${r1(H * 0.745)} L${lawnW} ${r1(H * 0.8)} L0 ${r1(H * 0.815)} Z" fill="#E4D2A6"/><path d="M0 ${r1(H * 0.815)} L${lawnW} ${r1(H * 0.8)}" stroke="#C9B68A" stroke-width="3"/>${flowers}`,
		linear('lawn', [[0, '#8CCB72'], [1, '#4E9A45']]),
	);
	const looks = [LOOKS[1], LOOKS[2], LOOKS[3], LOOKS[4]];
	const start = Math.floor(rand() * looks.length);
	const h = Math.round(H * 0.22);
	const speed = W * 0.2;
	const runners = [0, 1, 2].map((k) => {
		const size = Math.round(h * (k === 1 ? 0.92 : 1));
		const x0 = W * (0.62 + k * 0.16);
		return runner(size, looks[(start + k) % looks.length], { facing: -1, offset: k * 0.31, x: [x0, x0 - speed * D], feet: H * (k === 1 ? 0.775 : 0.795), fps: 11 });
	});
	// Runners further back are drawn first.
	const order = [runners[1], runners[0], runners[2]];
	const bushSpeed = -70;
	const bushW = span(W, bushSpeed, D);
	let bushes = '';
	for (let x = 0; x < bushW; x += between(rand, W * 0.3, W * 0.5)) {
		const cy = H * 1.0;
		bushes += [0, 1, 2].map((j) => `<circle cx="${r1(x + j * W * 0.06)}" cy="${r1(cy - (j === 1 ? H * 0.03 : 0))}" r="${r1(W * 0.09)}" fill="${j === 1 ? '#3E7D3A' : '#356E32'}"/>`).join('');
	}
	const bushLayer = svgDoc(bushW, H, bushes);
	return {
		width: W,
		height: H,
		seconds: D,
		push: 1.04,
		layers: [still(sky, W + 60, H, [0, -30]), still(treeLayer, treeW, H, [0, treeSpeed * D]), still(lawn, lawnW, H, [0, lawnSpeed * D]), ...order, still(bushLayer, bushW, H, [0, bushSpeed * D]), vignette(W, H, 0.3)],
	};
}

// ------------------------------------------------------------------------------ photos

/** A generic trainer in side view, toe to the right, in a 1000 × 520 box (sole on y = 470): mesh upper, overlays, a foam midsole with heel drop and toe spring. */
function trainer(accent: string, upper: string, overlay: string): string {
	const laces = [0, 1, 2, 3, 4]
		.map((k) => {
			const x = 372 + k * 46;
			const y = 178 + k * 25;
			return `<circle cx="${x - 16}" cy="${y + 22}" r="6" fill="#3F3F46"/><line x1="${x - 18}" y1="${y + 20}" x2="${x + 22}" y2="${y - 12}" stroke="#F8F8F8" stroke-width="10" stroke-linecap="round"/><line x1="${x - 18}" y1="${y + 23}" x2="${x + 22}" y2="${y - 9}" stroke="#C8C8CE" stroke-width="3" stroke-linecap="round"/>`;
		})
		.join('');
	const body = 'M96 372 C80 300 92 214 132 176 C160 150 200 150 226 178 L250 204 C276 178 300 150 336 140 C356 136 374 146 380 162 C430 196 500 236 580 258 C680 284 790 288 866 304 C928 318 962 346 958 370 C956 382 946 388 930 390 L96 392 Z';
	return `
		<defs>
			<pattern id="mesh" width="12" height="12" patternUnits="userSpaceOnUse"><circle cx="6" cy="6" r="2.2" fill="#000" opacity="0.1"/></pattern>
			<linearGradient id="upperShade" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#FFFFFF" stop-opacity="0.3"/><stop offset="0.6" stop-color="#FFFFFF" stop-opacity="0"/><stop offset="1" stop-color="#000000" stop-opacity="0.2"/></linearGradient>
			<linearGradient id="foam" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#FFFFFF"/><stop offset="1" stop-color="#D4D4D9"/></linearGradient>
		</defs>
		<path d="M86 438 C84 462 104 470 150 470 L790 470 C880 468 940 446 978 400 L966 392 C926 432 870 446 790 448 L150 448 C118 448 96 446 86 438 Z" fill="#2F2F35"/>
		<path d="M84 362 C70 412 96 448 150 448 L790 448 C870 446 928 428 966 392 C980 378 972 364 950 362 L620 352 C420 350 240 354 84 362 Z" fill="url(#foam)"/>
		<path d="M120 420 C320 416 560 420 820 416" stroke="#C4C4CA" stroke-width="4" fill="none"/>
		<path d="${body}" fill="${upper}"/>
		<path d="${body}" fill="url(#mesh)"/>
		<path d="M96 372 C82 306 92 232 126 186 C168 214 196 286 204 384 Z" fill="${overlay}"/>
		<path d="M700 286 C780 290 836 296 866 304 C928 318 962 346 958 370 C956 382 946 388 930 390 L770 390 C806 352 770 314 700 286 Z" fill="${overlay}"/>
		<path d="M226 372 C330 326 430 276 540 256 C480 306 400 346 300 380 Z" fill="${accent}"/>
		<path d="M380 376 C470 340 560 318 650 312 C600 340 530 364 450 382 Z" fill="${accent}" opacity="0.85"/>
		<path d="M250 204 C276 178 300 150 336 140 C356 136 374 146 380 162 C352 170 300 190 262 218 Z" fill="#000" opacity="0.08"/>
		<rect x="104" y="214" width="24" height="58" rx="10" fill="${accent}"/>
		<path d="${body}" fill="url(#upperShade)"/>
		${laces}`;
}

/** A running shoe on concrete: a generic trainer from the side on a concrete floor before a concrete wall (out of focus), light from the top left, its shadow. */
function shoeOnConcrete(item: SceneItem): string {
	const W = item.width;
	const H = item.height;
	const rand = rng(item.id);
	const [accent, upper, overlay] = pick(rand, [
		['#14B8A6', '#F4F4F5', '#A1A1AA'],
		['#E11D48', '#F5F5F4', '#57534E'],
		['#2563EB', '#E5E7EB', '#374151'],
		['#F59E0B', '#F4F4F5', '#52525B'],
	] as const);
	const s = W / 1000;
	const floor = H * 0.56;
	// The wall: board-formed concrete panels with tie holes, soft with depth of field.
	let wall = '';
	const panelW = W * between(rand, 0.3, 0.42);
	for (let x = -between(rand, 0, panelW); x < W; x += panelW) {
		wall += `<line x1="${r1(x)}" y1="0" x2="${r1(x)}" y2="${r1(floor)}" stroke="#8F8D87" stroke-width="${r1(3 * s)}"/>`;
		for (const fy of [0.25, 0.75]) for (const fx of [0.25, 0.75]) wall += `<circle cx="${r1(x + panelW * fx)}" cy="${r1(floor * fy)}" r="${r1(9 * s)}" fill="#7E7C76"/><circle cx="${r1(x + panelW * fx - 2 * s)}" cy="${r1(floor * fy - 2 * s)}" r="${r1(9 * s)}" fill="none" stroke="#CFCDC6" stroke-width="${r1(1.5 * s)}" opacity="0.7"/>`;
	}
	wall += `<line x1="0" y1="${r1(floor * 0.5)}" x2="${W}" y2="${r1(floor * 0.5)}" stroke="#8F8D87" stroke-width="${r1(3 * s)}"/>`;
	// The floor: speckled aggregate, larger toward the camera, and a saw-cut joint receding.
	let speckles = '';
	for (let k = 0; k < 1400; k++) {
		const y = between(rand, floor, H);
		const near = (y - floor) / (H - floor);
		const v = Math.round(between(rand, 80, 205));
		speckles += `<ellipse cx="${r1(rand() * W)}" cy="${r1(y)}" rx="${r1(between(rand, 0.6, 2.4) * s * (0.4 + near))}" ry="${r1(between(rand, 0.4, 1.4) * s * (0.4 + near))}" fill="rgb(${v},${v},${v - 5})" opacity="${r1(between(rand, 0.3, 0.7))}"/>`;
	}
	const jointX = W * between(rand, 0.7, 0.85);
	const defs =
		`<filter id="blotch" x="0" y="0" width="100%" height="100%"><feTurbulence type="fractalNoise" baseFrequency="${r1(0.005 / s)}" numOctaves="4" seed="${item.id % 997}"/><feColorMatrix values="0 0 0 0 0.25  0 0 0 0 0.25  0 0 0 0 0.24  0 0 0 1.2 -0.3"/></filter>` +
		`<filter id="fine" x="0" y="0" width="100%" height="100%"><feTurbulence type="fractalNoise" baseFrequency="${r1(0.7 / s)}" numOctaves="2" seed="${(item.id * 7) % 997}"/><feColorMatrix values="0 0 0 0 0.3  0 0 0 0 0.3  0 0 0 0 0.29  0 0 0 0.8 0"/></filter>` +
		linear('floorShade', [[0, '#000', 0.28], [0.35, '#000', 0.05], [1, '#FFF', 0.06]]) +
		linear('wallShade', [[0, '#FFF', 0.12], [0.85, '#000', 0], [1, '#000', 0.25]]) +
		`<radialGradient id="light" cx="0.3" cy="0.28" r="0.95"><stop offset="0" stop-color="#FFF6E6" stop-opacity="0.3"/><stop offset="0.55" stop-color="#000" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity="0.45"/></radialGradient>` +
		blur('dof', 3.5 * s) +
		blur('soft', 22 * s) +
		blur('contact', 6 * s);
	// Small enough to stay whole in a 9:16 crop of the photo (75% of its width) with a push-in on it.
	const k = (W * 0.52) / 1000;
	const shoeX = W * 0.5 - 530 * k;
	const sole = H * 0.72;
	const shoeY = sole - 470 * k;
	return svgDoc(
		W,
		H,
		`<g filter="url(#dof)"><rect width="${W}" height="${r1(floor)}" fill="#B3B1AA"/><rect width="${W}" height="${r1(floor)}" filter="url(#blotch)" opacity="0.45"/>${wall}<rect width="${W}" height="${r1(floor)}" fill="url(#wallShade)"/></g>` +
			`<rect y="${r1(floor)}" width="${W}" height="${r1(H - floor)}" fill="#A4A29B"/><rect y="${r1(floor)}" width="${W}" height="${r1(H - floor)}" filter="url(#blotch)" opacity="0.5"/><rect y="${r1(floor)}" width="${W}" height="${r1(H - floor)}" filter="url(#fine)" opacity="0.22"/>${speckles}` +
			`<path d="M${r1(jointX)} ${r1(floor)} L${r1(jointX + W * 0.35)} ${H}" stroke="#5F5E59" stroke-width="${r1(5 * s)}"/><path d="M${r1(jointX + 5 * s)} ${r1(floor)} L${r1(jointX + W * 0.35 + 7 * s)} ${H}" stroke="#C9C8C1" stroke-width="${r1(2 * s)}" opacity="0.6"/>` +
			`<rect y="${r1(floor)}" width="${W}" height="${r1(H - floor)}" fill="url(#floorShade)"/><rect y="${r1(floor - 2 * s)}" width="${W}" height="${r1(4 * s)}" fill="#6F6D67"/>` +
			`<ellipse cx="${r1(shoeX + 600 * k)}" cy="${r1(sole + 10 * k)}" rx="${r1(520 * k)}" ry="${r1(55 * k)}" fill="#1C1C19" opacity="0.42" filter="url(#soft)"/>` +
			`<ellipse cx="${r1(shoeX + 530 * k)}" cy="${r1(sole)}" rx="${r1(440 * k)}" ry="${r1(10 * k)}" fill="#111" opacity="0.65" filter="url(#contact)"/>` +
			`<g transform="translate(${r1(shoeX)} ${r1(shoeY)}) scale(${r1(k)})">${trainer(accent, upper, overlay)}</g>` +
			`<rect width="${W}" height="${H}" fill="url(#light)"/>`,
		defs,
	);
}

/** A city skyline at dusk over a river: a violet-to-orange sky, first stars, lit windows, their reflection in the water. */
function skylineDusk(item: SceneItem): string {
	const W = item.width;
	const H = item.height;
	const rand = rng(item.id);
	const horizon = H * 0.68;
	const stars = Array.from({ length: 25 }, () => `<circle cx="${r1(rand() * W)}" cy="${r1(rand() * H * 0.25)}" r="${r1(between(rand, 0.8, 1.6))}" fill="#FFFFFF" opacity="${r1(between(rand, 0.25, 0.7))}"/>`).join('');
	const back = buildings(rand, { x0: -10, x1: W + 10, base: horizon, minH: H * 0.08, maxH: H * 0.22, minW: W * 0.035, maxW: W * 0.07, fill: '#5A3F6E', windows: ['#FFD58A'], lit: 0.08, win: W * 0.0035, depth: 2 });
	const front = buildings(rand, { x0: -20, x1: W + 20, base: horizon, minH: H * 0.1, maxH: H * 0.36, minW: W * 0.04, maxW: W * 0.09, fill: '#241A3A', windows: ['#FFC870', '#FFE2A8', '#BFD4FF'], lit: 0.26, win: W * 0.0045, depth: 2 });
	let shimmer = '';
	for (let y = horizon + 6; y < H; y += H * 0.014) shimmer += `<rect x="${r1(rand() * W)}" y="${r1(y)}" width="${r1(between(rand, W * 0.03, W * 0.12))}" height="${r1(H * 0.003)}" fill="#FFD9A0" opacity="${r1(between(rand, 0.15, 0.45))}"/>`;
	return svgDoc(
		W,
		H,
		`<rect width="${W}" height="${H}" fill="url(#sky)"/>${stars}<ellipse cx="${r1(W * between(rand, 0.25, 0.7))}" cy="${r1(horizon)}" rx="${r1(W * 0.4)}" ry="${r1(H * 0.25)}" fill="url(#glow)"/>` +
			`${back}${front}<rect y="${r1(horizon)}" width="${W}" height="${r1(H - horizon)}" fill="url(#water)"/>` +
			`<g transform="translate(0 ${r1(horizon * 2)}) scale(1 -1)" opacity="0.35" filter="url(#b4)">${front}</g>${shimmer}` +
			`<rect y="${r1(horizon - 1)}" width="${W}" height="3" fill="#120E22"/>`,
		linear('sky', [[0, '#222A5E'], [0.3, '#4F3F80'], [0.48, '#A3568A'], [0.6, '#E9776A'], [0.68, '#FFB36A'], [1, '#FFB36A']]) +
			radial('glow', [[0, '#FFD08A', 0.7], [1, '#FF8E5E', 0]]) +
			linear('water', [[0, '#8A5270'], [0.3, '#3E2C55'], [1, '#120E22']]) +
			blur('b4', 4),
	);
}

// ------------------------------------------------------------------------------ the catalogue's scenes

const has = (item: SceneItem, ...words: string[]) => words.some((w) => item.tags.includes(w) || item.slug.includes(w));

/** The moving shot of a video item, chosen by what its tags say. */
export function videoShot(item: SceneItem): Shot {
	if (has(item, 'bridge', 'sunrise')) return sunriseBridge(item);
	if (has(item, 'trail', 'forest', 'mountain')) return forestTrail(item);
	if (has(item, 'park', 'friends', 'group')) return parkFriends(item);
	return nightStreet(item);
}

/** The still of a photo item, chosen by what its tags say. */
export function photoSvg(item: SceneItem): string {
	if (has(item, 'shoe', 'sneaker', 'product')) return shoeOnConcrete(item);
	return skylineDusk(item);
}
