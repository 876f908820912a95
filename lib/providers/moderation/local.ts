/**
 * The `local` moderation provider: an offline rule set over OpenAI's moderation categories. It is
 * a lexicon with a little grammar (who is the target, who speaks), not a model, and says so
 * (provider "local", model "local-rules-v1").
 *
 * Text is first read with the keyword scanner's normaliser (homoglyphs, accents, leetspeak,
 * invisible characters and spread-out letters folded), then repeated letters are squeezed in both
 * the text and the rules, so "k1lll y0u" and "kill you" read the same. Each rule that matches adds
 * its weight to its category by noisy-or (1 − Π(1 − w)); a subcategory's score also lifts its
 * parent (violence/graphic → violence). A category is flagged at 0.5, the result when any is.
 *
 * Rules name a target or a speaker where a bare word would misfire on marketing copy: "kill you"
 * is violence, "killer deals" and "kill the competition" are not; "shoot you an email" is not.
 */
import { normalizeForMatching } from '../../strategy/judge/keywords';
import type { ModerationCategoryResult, ModerationProvider, ModerationResult } from '../types';

export const MODERATION_CATEGORIES = [
	'harassment',
	'harassment/threatening',
	'hate',
	'hate/threatening',
	'illicit',
	'illicit/violent',
	'self-harm',
	'self-harm/intent',
	'self-harm/instructions',
	'sexual',
	'sexual/minors',
	'violence',
	'violence/graphic',
] as const;
export type ModerationCategory = (typeof MODERATION_CATEGORIES)[number];

const PARENT: Partial<Record<ModerationCategory, ModerationCategory>> = {
	'harassment/threatening': 'harassment',
	'hate/threatening': 'hate',
	'illicit/violent': 'illicit',
	'self-harm/intent': 'self-harm',
	'self-harm/instructions': 'self-harm',
	'sexual/minors': 'sexual',
	'violence/graphic': 'violence',
};

/** Score at which a category is flagged (OpenAI's flags are per-category thresholds too). */
export const LOCAL_FLAG_THRESHOLD = 0.5;

// ------------------------------------------------------------------------ rule language

/** Repeated letters squeezed to one: applied to the text and to every rule word alike. */
const squeeze = (s: string) => s.replace(/(.)\1+/g, '$1');
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Inflections a rule word of 3+ letters may carry (after squeezing, "killing" is "kil" + "ing"). */
const INFLECT = '(?:s|es|ed|d|ing|er|ers)?';

type Part = { re: string; kind: 'word' | 'optional' | 'filler' | 'not_before' };

/** A word or phrase (words separated by spaces); each word of 3+ letters may be inflected. */
function phrase(p: string): string {
	return p
		.split(' ')
		.map((w) => {
			const sq = escape(squeeze(w));
			return w.length >= 3 ? sq + INFLECT : sq;
		})
		.join(' ');
}
const alternation = (phrases: string[]) => `(?:${phrases.map(phrase).join('|')})`;
const any = (...phrases: string[]): Part => ({ re: alternation(phrases), kind: 'word' });
const opt = (...phrases: string[]): Part => ({ re: alternation(phrases), kind: 'optional' });
/** Up to n words of anything. */
const upTo = (n: number): Part => ({ re: `(?:\\S+ ){0,${n}}`, kind: 'filler' });
/** The match must not go on with one of these ("cut yourself" but not "cut yourself a slice"). */
const notBefore = (...phrases: string[]): Part => ({ re: `(?! ${alternation(phrases)}(?: |$))`, kind: 'not_before' });

function compileSeq(parts: Array<Part | string>): RegExp {
	let body = '';
	for (const raw of parts) {
		const part = typeof raw === 'string' ? any(raw) : raw;
		if (part.kind === 'filler') body += part.re;
		else if (part.kind === 'optional') body += `(?:${part.re} )?`;
		else if (part.kind === 'not_before') body = body.replace(/ $/, '') + part.re + ' ';
		else body += `${part.re} `;
	}
	return new RegExp(`(?:^| )${body.replace(/ $/, '')}(?= |$)`, 'g');
}

/**
 * Words that negate what follows: "we would never hurt you", "we do not sell drugs", "suicide
 * prevention". After the normaliser, "don't" reads "don t", hence the lone "t".
 */
const NEGATION = /(?:^| )(?:never|not|no|t|nt|dont|wont|cant|without|against|anti|stop|stopping|prevent|prevention|preventing|avoid)(?= |$)/;
/** Words right after a match that make it a topic of help, not an act: "suicide prevention hotline". */
const SUPPORT_AFTER = /^(?: \S+)?? (?:prevention|awareness|hotline|helpline|lifeline|support|survivors?)(?= |$)/;

interface Rule {
	category: ModerationCategory;
	weight: number;
	label: string;
	test: (text: string) => boolean;
}

const rules: Rule[] = [];

/**
 * A rule whose match is void when a negation appears in it or in the three words before it, or
 * when the next word or two make it a topic of help.
 */
function rule(category: ModerationCategory, weight: number, label: string, ...parts: Array<Part | string>): void {
	const re = compileSeq(parts);
	const test = (t: string) =>
		[...t.matchAll(re)].some((m) => {
			const at = m.index ?? 0;
			const before = t.slice(0, at).split(' ').slice(-3).join(' ');
			return !NEGATION.test(`${before} ${m[0]}`) && !SUPPORT_AFTER.test(t.slice(at + m[0].length));
		});
	rules.push({ category, weight, label, test });
}
/** A rule whose pattern contains its own negation ("nobody likes you", "no reason to live"). */
function ruleAsIs(category: ModerationCategory, weight: number, label: string, ...parts: Array<Part | string>): void {
	const re = compileSeq(parts);
	rules.push({ category, weight, label, test: (t) => t.search(re) >= 0 });
}

// --------------------------------------------------------------------------- lexicons

const PEOPLE = ['you', 'u', 'ya', 'him', 'her', 'them', 'people', 'everyone', 'everybody', 'someone', 'somebody', 'anyone', 'anybody', 'your family', 'kids', 'children'];
const YOU_ARE = any('you are', 'you re', 'youre', 'ur', 'u r', 'you re such', 'you are such');
const I_WILL = any('i will', 'i ll', 'we will', 'we ll', 'i m going to', 'i am going to', 'we re going to', 'we are going to', 'i m gonna', 'im gonna', 'gonna', 'i am gonna', 'we re gonna');
const INSULT_NOUNS = ['idiot', 'moron', 'loser', 'clown', 'imbecile', 'dimwit', 'halfwit', 'jerk', 'creep', 'fool', 'dumbass', 'scum', 'pig', 'waste of space'];
const INSULT_ADJS = ['stupid', 'dumb', 'worthless', 'pathetic', 'ugly', 'disgusting', 'brainless', 'braindead', 'trash', 'garbage', 'a joke', 'a disgrace', 'a failure', 'nobody'];
const GROUPS = [
	'immigrants',
	'foreigners',
	'refugees',
	'migrants',
	'muslims',
	'jews',
	'christians',
	'hindus',
	'sikhs',
	'buddhists',
	'atheists',
	'catholics',
	'women',
	'gays',
	'gay people',
	'lesbians',
	'trans people',
	'transgender people',
	'black people',
	'white people',
	'asians',
	'latinos',
	'mexicans',
	'arabs',
	'africans',
	'disabled people',
	'the disabled',
	'old people',
];
const DEHUMANISING = ['vermin', 'animals', 'subhuman', 'parasites', 'filth', 'a disease', 'a plague', 'inferior', 'trash', 'scum', 'rats', 'cockroaches', 'savages', 'not human', 'less than human', 'a cancer'];
const VIOLENT_VERBS = ['kill', 'murder', 'stab', 'strangle', 'beat up', 'punch', 'assault', 'torture', 'slaughter', 'attack', 'execute'];
const DRUGS = ['cocaine', 'heroin', 'meth', 'crystal meth', 'mdma', 'ecstasy', 'fentanyl', 'lsd', 'ketamine', 'illegal drugs', 'street drugs', 'opioids', 'oxycodone', 'xanax', 'adderall'];
const WEAPONS = ['guns', 'gun', 'firearms', 'weapons', 'rifles', 'pistols', 'handguns', 'explosives', 'ammo', 'ammunition', 'grenades'];
const SEXUAL = ['porn', 'porno', 'pornography', 'xxx', 'nsfw', 'nude', 'nudes', 'naked', 'sex tape', 'sexual', 'sexually', 'erotic', 'explicit content', 'onlyfans', 'hookup', 'hook up'];
const MINORS = ['minor', 'minors', 'child', 'children', 'kid', 'kids', 'underage', 'teen', 'teens', 'teenager', 'teenagers', 'preteen', 'schoolgirl', 'schoolboy', 'schoolgirls', 'little girl', 'little boy'];
const SELVES = ['myself', 'yourself', 'herself', 'himself', 'themselves', 'ourselves'];
const MY = ['my', 'your', 'their', 'his', 'her'];

// ------------------------------------------------------------------------------ rules

// Harassment: insults aimed at the reader or a person, not a bare word.
rule('harassment', 0.8, 'insult aimed at someone', YOU_ARE, opt('a', 'an', 'such a', 'such an', 'so', 'the biggest', 'a total', 'a complete', 'all'), any(...INSULT_NOUNS, ...INSULT_ADJS));
rule('harassment', 0.8, 'name-calling', any('you', 'u'), opt(...INSULT_ADJS.filter((a) => !a.includes(' '))), any(...INSULT_NOUNS));
ruleAsIs('harassment', 0.75, 'nobody likes you', any('nobody', 'no one', 'noone'), any('likes', 'loves', 'wants', 'cares about', 'will miss'), any('you', 'u'));
rule('harassment', 0.6, 'contempt for people', any('stupid', 'dumb', 'pathetic', 'worthless', 'brainless'), any('people', 'customers', 'losers', 'idiots', 'morons', 'fans'));
rule('harassment', 0.3, 'insult word', any(...INSULT_NOUNS.filter((n) => !n.includes(' '))));
// Harassment/threatening: the speaker promises harm to the reader.
rule('harassment/threatening', 0.9, 'threat to hurt', I_WILL, upTo(2), any('hurt', 'kill', 'beat up', 'destroy', 'end', 'punch', 'stab', 'shoot', 'break'), any('you', 'u', 'ya', 'your face', 'your legs'), notBefore('a', 'an', 'the', 'some', 'our', 'this', 'that', 'over', 'in', 'through', 'with', 'off'));
rule('harassment/threatening', 0.8, 'threat to make pay', I_WILL, upTo(2), 'make you pay', notBefore('less', 'only', 'nothing', 'half', 'what', 'for', 'just', 'zero'));
rule('harassment/threatening', 0.75, 'you will regret', any('you will', 'you ll', 'youll', 'u will', 'u ll'), any('regret', 'pay for'), any('this', 'it', 'that'));
rule('harassment/threatening', 0.75, 'watch your back', 'watch your back');
rule('harassment/threatening', 0.85, 'we know where you live', any('we', 'i'), 'know where', any('you', 'u'), any('live', 'sleep', 'work'));
rule('harassment/threatening', 0.8, 'you are dead', YOU_ARE, any('dead', 'so dead', 'going to get hurt', 'gonna get hurt', 'dead meat'), notBefore('wrong', 'right', 'serious', 'tired', 'set', 'on', 'center', 'centre', 'last'));
rule('harassment/threatening', 0.9, 'telling someone to kill themselves', any('kill yourself', 'kys', 'go die', 'hope you die', 'go kill yourself'));

// Hate: dehumanising or excluding a protected group.
rule('hate', 0.85, 'group dehumanised', opt('all', 'those', 'these', 'the'), any(...GROUPS), any('are', 're', 'is'), opt('just', 'all', 'nothing but', 'like'), any(...DEHUMANISING));
rule('hate', 0.7, 'hating a group', any('i hate', 'we hate', 'hate all', 'i despise', 'death to'), opt('all', 'the', 'those'), any(...GROUPS));
rule('hate', 0.75, 'group excluded', opt('all', 'the', 'those'), any(...GROUPS), any('should', 'must', 'need to', 'ought to'), opt('be', 'all be', 'get'), any('banned', 'deported', 'kicked out', 'removed', 'go back', 'locked up', 'not vote'));
rule('hate', 0.7, 'go back to your country', 'go back to', any('your', 'their'), opt('own'), any('country', 'countries'));
ruleAsIs('hate', 0.7, 'no group allowed', 'no', any(...GROUPS), 'allowed');
// Hate/threatening: violence against a group.
rule('hate/threatening', 0.95, 'violence against a group', any('kill', 'exterminate', 'wipe out', 'eliminate', 'gas', 'get rid of', 'shoot'), opt('all', 'the', 'those', 'all the', 'every'), any(...GROUPS));
rule('hate/threatening', 0.95, 'group should be killed', any(...GROUPS), any('should', 'must', 'deserve to', 'need to'), opt('all'), opt('be', 'get'), any('killed', 'exterminated', 'wiped out', 'eliminated', 'shot', 'gassed', 'die'));

// Illicit: buying, selling or doing what is against the law.
rule('illicit', 0.75, 'drugs for sale', any('buy', 'order', 'sell', 'selling', 'get your', 'cheap', 'score some', 'dealing'), upTo(2), any(...DRUGS));
ruleAsIs('illicit', 0.7, 'medicine without prescription', any('pills', 'meds', 'medication', 'painkillers', ...DRUGS), 'without', opt('a', 'any'), any('prescription', 'script'));
rule('illicit', 0.7, 'forged documents', any('fake', 'forged', 'counterfeit', 'novelty'), any('ids', 'id cards', 'passports', 'documents', 'diplomas', 'licenses', 'licences', 'money', 'bills', 'banknotes', 'reviews', 'degrees'));
rule('illicit', 0.75, 'stolen goods', any('stolen', 'hacked', 'leaked', 'cloned'), any('credit cards', 'cards', 'accounts', 'passwords', 'logins', 'goods', 'card numbers', 'data'));
rule('illicit', 0.7, 'counterfeit trade', any('buy', 'sell', 'selling', 'order', 'cheap'), upTo(2), any('counterfeit', 'knockoff', 'knock off', 'replica', 'pirated', 'bootleg', 'cracked'));
rule('illicit', 0.75, 'crime how-to', any('how to', 'help you', 'teach you to', 'we ll', 'easy way to', 'ways to'), upTo(1), any('launder money', 'evade taxes', 'dodge taxes', 'shoplift', 'steal', 'pick a lock', 'hack into', 'hotwire', 'cook meth', 'skim cards', 'break into'));
rule('illicit', 0.6, 'crime words', any('money laundering', 'tax evasion', 'shoplifting', 'insider trading', 'pyramid scheme', 'ponzi scheme', 'identity theft'));
// Illicit/violent: weapons without checks, explosives.
ruleAsIs('illicit/violent', 0.9, 'weapons without checks', any(...WEAPONS), upTo(2), any('without', 'with no', 'no', 'skip the'), any('background check', 'background checks', 'license', 'licence', 'questions asked', 'id', 'paperwork', 'serial numbers'));
rule('illicit/violent', 0.9, 'making explosives', any('make', 'build', 'making', 'building', 'assemble', 'how to make', 'how to build'), opt('a', 'an', 'your own', 'homemade'), any('bomb', 'pipe bomb', 'explosive', 'explosives', 'molotov', 'molotov cocktail', 'ied'), notBefore('deal', 'deals', 'offer', 'offers', 'flavor', 'flavour', 'taste'));
rule('illicit/violent', 0.8, 'untraceable weapons', any('untraceable', 'ghost', 'unregistered'), any('guns', 'gun', 'weapons', 'firearms', 'rifles', 'pistols'));

// Self-harm.
rule('self-harm', 0.75, 'harming oneself', any('hurt', 'harm', 'cut', 'cutting'), any(...SELVES), notBefore('a', 'an', 'some', 'off', 'free', 'slack', 'short', 'in', 'loose', 'out', 'back', 'down'));
rule('self-harm', 0.7, 'self-harm words', any('self harm', 'self harming', 'self injury', 'suicide', 'suicidal', 'overdose'));
rule('self-harm', 0.8, 'killing oneself', any('kill', 'killing'), any(...SELVES));
rule('self-harm', 0.8, 'ending one s life', any('end', 'ending'), any(...MY), opt('own'), 'life', notBefore('insurance', 'cover', 'policy', 'plan', 'savings'));
rule('self-harm', 0.8, 'taking one s own life', any('take', 'taking', 'took'), any(...MY), 'own life');
ruleAsIs('self-harm', 0.7, 'life not worth living', any('life', 'living', 'my life'), any('is not', 'isn t', 'isnt', 'is no longer', 'aint'), 'worth', any('living', 'it'));
ruleAsIs('self-harm', 0.75, 'no reason to live', any('no reason', 'nothing left', 'nothing'), 'to live', opt('for'));
// Self-harm/intent: the speaker says they mean to.
rule(
	'self-harm/intent',
	0.9,
	'first-person intent',
	any('i', 'i m', 'im', 'i am'),
	opt('just', 'really', 'seriously'),
	any('want to', 'wanna', 'going to', 'gonna', 'plan to', 'planning to', 'intend to', 'ready to', 'will', 'll', 'about to', 'wish i could'),
	any('kill myself', 'die', 'end it all', 'end my life', 'hurt myself', 'cut myself', 'disappear forever', 'not wake up', 'be dead'),
	notBefore('for', 'of', 'laughing', 'happy', 'with', 'a little', 'trying', 'when', 'if', 'in'),
);
rule('self-harm/intent', 0.85, 'wishing to be dead', any('i wish i', 'i wish i was', 'i wish i were', 'i d rather be'), any('dead', 'was dead', 'were dead', 'never born', 'was never born'));
// Self-harm/instructions.
rule('self-harm/instructions', 0.9, 'how to harm oneself', any('how to', 'how do i', 'how can i', 'ways to', 'guide to', 'tips to', 'tips for'), any('kill yourself', 'kill myself', 'commit suicide', 'self harm', 'cut yourself', 'cut myself', 'hurt yourself', 'overdose', 'end your life', 'end my life'));
rule('self-harm/instructions', 0.9, 'easiest way to die', any('best', 'easiest', 'quickest', 'fastest', 'painless', 'painlessly', 'surest'), any('way', 'ways', 'method', 'methods'), 'to', any('die', 'kill yourself', 'kill myself', 'end your life', 'end my life', 'commit suicide'));

// Sexual.
rule('sexual', 0.7, 'explicit material', any('porn', 'porno', 'pornography', 'xxx', 'nsfw', 'sex tape', 'erotic', 'explicit content', 'sexual content', 'onlyfans', 'camgirl', 'camgirls', 'striptease'));
rule('sexual', 0.7, 'nude imagery', any('nude', 'naked', 'topless', 'explicit', 'sexy', 'dirty'), any('pics', 'photos', 'pictures', 'selfies', 'videos', 'vids', 'content', 'snaps'));
rule('sexual', 0.65, 'hook-up solicitation', any('hot', 'sexy', 'horny', 'lonely'), any('singles', 'milfs', 'girls', 'women', 'men'), any('near you', 'in your area', 'nearby', 'tonight', 'waiting'));
rule('sexual', 0.55, 'sex act words', any('have sex', 'having sex', 'sex with', 'sexual favors', 'sexual favours', 'hook up tonight', 'one night stand'));
// Sexual/minors: any sexual term within eight words of a minor term. Reported, never described.
{
	const sexual = new RegExp(`(?:^| )${alternation(SEXUAL)}(?= |$)`, 'g');
	const minors = new RegExp(`(?:^| )${alternation(MINORS)}(?= |$)`, 'g');
	const wordIndex = (t: string, at: number) => t.slice(0, at).split(' ').length;
	rules.push({
		category: 'sexual/minors',
		weight: 0.95,
		label: 'sexual term near a minor term',
		test: (t) => {
			const a = [...t.matchAll(sexual)].map((m) => wordIndex(t, m.index ?? 0));
			const b = [...t.matchAll(minors)].map((m) => wordIndex(t, m.index ?? 0));
			return a.some((x) => b.some((y) => Math.abs(x - y) <= 8));
		},
	});
}

// Violence: harm done to people (not to prices, competitors or goals).
rule('violence', 0.75, 'harm to people', any(...VIOLENT_VERBS), any(...PEOPLE));
rule('violence', 0.75, 'shooting people', 'shoot', any('people', 'everyone', 'everybody', 'him', 'her', 'them', 'kids', 'children', 'up the'));
rule('violence', 0.8, 'attack on a place', any('bomb', 'blow up', 'set fire to', 'burn down', 'shoot up'), opt('the', 'a', 'that', 'their', 'your'), any('school', 'building', 'office', 'store', 'house', 'mall', 'station', 'church', 'mosque', 'synagogue', 'temple', 'concert', 'stadium', 'hospital'));
rule('violence', 0.6, 'violence words', any('massacre', 'massacred', 'slaughtered', 'murdered', 'bloodshed', 'mass shooting', 'beat to death', 'beaten to death', 'stabbed to death'));
rule('violence', 0.55, 'wishing harm', any('i hope', 'hope', 'wish'), any('you', 'u', 'he', 'she', 'they'), any('die', 'get hurt', 'suffer', 'get hit by'));
// Violence/graphic: gore.
rule('violence/graphic', 0.8, 'gore', any('blood', 'guts', 'gore', 'brains', 'entrails', 'organs'), any('everywhere', 'spilling', 'spilled', 'splattered', 'spattered', 'pouring out', 'spraying', 'all over the'));
rule('violence/graphic', 0.85, 'mutilation', any('dismember', 'dismembered', 'decapitate', 'decapitated', 'disembowel', 'disembowelled', 'mutilate', 'mutilated', 'flayed', 'gouged out'));
rule('violence/graphic', 0.6, 'graphic violence words', any('graphic violence', 'gory', 'gruesome', 'bloody corpse', 'mangled body', 'severed head', 'severed limbs'));

// ----------------------------------------------------------------------------- provider

export interface LocalModerationDetail extends ModerationCategoryResult {
	/** The rules that matched, "category: label", for reports and debugging. */
	matched_rules: string[];
}

/** Scores one text against the rule set. */
export function moderateText(text: string): LocalModerationDetail {
	const t = squeeze(normalizeForMatching(text));
	const scores = Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, 0])) as Record<ModerationCategory, number>;
	const matched: string[] = [];
	for (const r of rules) {
		if (!r.test(t)) continue;
		matched.push(`${r.category}: ${r.label}`);
		scores[r.category] = 1 - (1 - scores[r.category]) * (1 - r.weight);
	}
	for (const [child, parent] of Object.entries(PARENT) as Array<[ModerationCategory, ModerationCategory]>) {
		scores[parent] = Math.max(scores[parent], scores[child]);
	}
	const category_scores: Record<string, number> = {};
	const categories: Record<string, boolean> = {};
	for (const c of MODERATION_CATEGORIES) {
		category_scores[c] = Math.round(scores[c] * 10_000) / 10_000;
		categories[c] = category_scores[c] >= LOCAL_FLAG_THRESHOLD;
	}
	return { flagged: Object.values(categories).some(Boolean), categories, category_scores, matched_rules: matched };
}

export class LocalModerationProvider implements ModerationProvider {
	readonly name = 'local';
	readonly model = 'local-rules-v1';

	async moderate(texts: string[]): Promise<ModerationResult> {
		return { provider: this.name, model: this.model, results: texts.map(moderateText) };
	}
}
