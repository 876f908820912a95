/** The text of a guideline document handed over as a file: plain text, markdown, or PDF. */
import { ValidationError } from '../domain/errors';

const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

export async function documentText(data: Buffer, mimeType = '', fileName = ''): Promise<string> {
	if (data.length > MAX_DOCUMENT_BYTES) {
		throw new ValidationError(`the document is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB`, 'binaryPropertyName');
	}
	const isPdf = mimeType === 'application/pdf' || /\.pdf$/i.test(fileName) || data.subarray(0, 5).toString('latin1') === '%PDF-';
	if (!isPdf) return data.toString('utf8');
	// pdf-parse (pdf.js) is loaded only for PDFs: it is large and most documents are markdown.
	const { PDFParse } = await import('pdf-parse');
	const parser = new PDFParse({ data: new Uint8Array(data) });
	try {
		const { text } = await parser.getText();
		// pdf-parse marks page breaks as "-- 1 of 3 --"; they are not guideline text.
		const clean = text.replace(/^-- \d+ of \d+ --$/gm, '').trim();
		if (!clean) throw new ValidationError('the PDF has no extractable text (scanned images need OCR first)', 'binaryPropertyName');
		return clean;
	} finally {
		await parser.destroy();
	}
}
