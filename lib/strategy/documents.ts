/** The text of a guideline document handed over as a file: plain text, markdown, or PDF. */
import { ValidationError } from '../domain/errors';

const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

export async function documentText(data: Buffer, mimeType = '', fileName = ''): Promise<string> {
	if (data.length > MAX_DOCUMENT_BYTES) {
		throw new ValidationError(`the document is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB`, 'binaryPropertyName');
	}
	const isPdf = mimeType === 'application/pdf' || /\.pdf$/i.test(fileName) || data.subarray(0, 5).toString('latin1') === '%PDF-';
	if (!isPdf) return data.toString('utf8');
	// unpdf (a serverless pdf.js build, no dependencies, no native canvas) is loaded only for PDFs:
	// most guideline documents are markdown. pdf.js reads a copy: it detaches the buffer it is given.
	const { getDocumentProxy, extractText } = await import('unpdf');
	let pages: string[];
	try {
		const pdf = await getDocumentProxy(new Uint8Array(data), { verbosity: 0 });
		try {
			pages = (await extractText(pdf, { mergePages: false })).text;
		} finally {
			await pdf.destroy();
		}
	} catch (err) {
		throw new ValidationError(`the file is not a readable PDF (${(err as Error).message})`, 'binaryPropertyName');
	}
	const clean = pages
		.map((page) => page.trim())
		.filter(Boolean)
		.join('\n\n');
	if (!clean) throw new ValidationError('the PDF has no extractable text (scanned images need OCR first)', 'binaryPropertyName');
	return clean;
}
