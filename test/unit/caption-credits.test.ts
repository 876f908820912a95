/** Media credits the licences ask for end every caption, and the caption is fitted around them. */
import { writePlatformCaption } from '../../lib/broadcast/captions';
import { LocalLlmProvider } from '../../lib/providers/llm/local';

const llm = new LocalLlmProvider();
const credit = 'Photo by A. Runner, CC BY 4.0 (https://example.org/p/1)';

test('credits close the caption, are never cut, and the caption gives way on a short platform', async () => {
	const long = 'Every mile starts at your door. '.repeat(100).trim();
	const tiktok = await writePlatformCaption({ llm, target: { platform: 'tiktok' }, override: { caption: 'Run your city.' }, credits: [credit, credit] });
	expect(tiktok.caption).toBe(`Run your city.\n\nCredits: ${credit}`);
	const x = await writePlatformCaption({ llm, target: { platform: 'tiktok' }, override: { caption: long }, credits: [credit] });
	expect(x.caption.endsWith(`Credits: ${credit}`)).toBe(true);
	expect(x.length).toBeLessThanOrEqual(x.limit);
	const none = await writePlatformCaption({ llm, target: { platform: 'tiktok' }, override: { caption: 'Run your city.' } });
	expect(none.caption).toBe('Run your city.');
});
